"""The database: SQLite by default, PostgreSQL for several processes (``storage.postgres``).

Migration policy: migrations are the numbered ``migrations/NNNN_*.sql`` files,
an append-only list, written once for both engines (``storage.engine``).
On SQLite ``PRAGMA user_version`` counts how many have run (on PostgreSQL the
row of ``hotleads_schema``, under an advisory lock: ``storage.postgres``). Each one
runs together with its version bump in a single transaction, so a crash leaves
the schema either before or after it, never half-way. A database whose version
is newer than this code knows is refused rather than guessed at: run the newer
hotleads, or restore a backup.

The exceptions are ``leads.rescore_pending`` and ``leads.fold_pending``, which run
after the migrations on every open. ``fold_pending`` folds the names of leads stored
before migration 0017 (the fold is Python's Unicode data, not SQL), the same way.
``rescore_pending``: Migration 0004 added the ``hot_until``/``warm_until`` columns, and 0007
changed the model that fills them and the scores, but their values come from
the temperature model in Python, not from SQL, and on a large database take
tens of seconds: they are filled in short batches so the
bot can answer meanwhile and a crash loses nothing. Once every lead has them
(new leads are written with them), the check costs one query that finds nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import aiosqlite

from storage import leads
from storage.engine import Address, Connection, SqliteConnection
from storage.progress import Progress, quiet
from storage.schema import SchemaTooNew

if TYPE_CHECKING:  # psycopg loads only for PostgreSQL: a CLI run on SQLite starts sooner
    from psycopg_pool import AsyncConnectionPool

BUSY_TIMEOUT_MS = 5000
CHECKPOINT_EVERY = 1.0
"""Seconds between background checkpoints while the bot serves."""
AUTO_CHECKPOINT_PAGES = 1000
"""SQLite's default: a commit that takes the log past this many pages checkpoints it."""
RESTART_AT_FRAMES = 16_000
"""A log longer than this (64 MB of pages) is started over once copied."""


class AlreadyServing(RuntimeError):
    """Another server has this SQLite file open."""


class DatabaseUnavailable(RuntimeError):
    """The database can't be opened or written: the message says why, in a few words."""

    def __init__(self, address: Address, cause: str) -> None:
        super().__init__(cause)
        self.address, self.cause = address, cause


POOL = (1, 10)
"""PostgreSQL connections (least, most) for a command; servers and workers take theirs from
``DATABASE_POOL_MIN``/``MAX``."""
OPEN_WITHIN = 3.0
"""Seconds a database may take to open before the command gives up and says why."""
_SQLITE_REFUSALS = {
    3: "permission denied",  # SQLITE_PERM
    5: "another process holds it locked",  # SQLITE_BUSY, after busy_timeout
    8: "it is read-only",  # SQLITE_READONLY
    10: "a disk I/O error",  # SQLITE_IOERR
    11: "the file is damaged",  # SQLITE_CORRUPT
    13: "the disk is full",  # SQLITE_FULL
    14: "the file can't be opened",  # SQLITE_CANTOPEN
    26: "the file is not a SQLite database",  # SQLITE_NOTADB
}
"""The SQLite result codes that mean the file refused us, not that a query is wrong."""


def storage_failure(error: BaseException) -> str | None:
    """Why the database refused a read or write (one line), or ``None`` for any other error.

    A full disk, a read-only file or mount, a server gone away: the operator's to fix,
    so the app says so in a sentence instead of a traceback. A query the database
    rejects as wrong (a bug) is not one of them. Work done side by side (a task
    group) fails as a group: it is a storage failure when each of its errors is.
    """
    if isinstance(error, BaseExceptionGroup):
        causes = [storage_failure(one) for one in error.exceptions]
        return causes[0] if all(causes) else None
    if isinstance(error, DatabaseUnavailable):
        return error.cause
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is None or code & 0xFF not in _SQLITE_REFUSALS:
            return None
        return f"{_SQLITE_REFUSALS[code & 0xFF]} ({error})"
    if "psycopg" in sys.modules:  # loaded only when PostgreSQL is in use
        import psycopg

        if isinstance(
            error,
            psycopg.OperationalError
            | psycopg.errors.ReadOnlySqlTransaction
            | psycopg.errors.InsufficientPrivilege,
        ):
            first = next((line for line in str(error).splitlines() if line.strip()), "")
            return " ".join(first.split()) or error.__class__.__name__
    return None


def _named_migrations() -> list[tuple[str, str]]:
    folder = Path(__file__).with_name("migrations")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    for position, name in enumerate(names, start=1):
        if not name.startswith(f"{position:04d}_"):
            raise RuntimeError(f"migration {name} is out of sequence (expected {position:04d}_)")
    return [(name, (folder / name).read_text(encoding="utf-8")) for name in names]


def migrations() -> list[str]:
    """Migration scripts in order; file names are numbered from 0001 without gaps."""
    return [script for _, script in _named_migrations()]


def postgres_migrations() -> list[str]:
    """The same list for PostgreSQL: a twin in ``migrations/postgres/`` where there is one."""
    twins = Path(__file__).with_name("migrations") / "postgres"
    return [
        (twins / name).read_text(encoding="utf-8") if (twins / name).exists() else script
        for name, script in _named_migrations()
    ]


def _why_not(path: Path, error: OSError | sqlite3.Error) -> str:
    """Why a SQLite file can't be opened, as the file system says it before SQLite does."""
    folder = next((p for p in (path.parent, *path.parent.parents) if p.is_dir()), None)
    if folder is not None:
        space = os.statvfs(folder)
        if space.f_flag & os.ST_RDONLY:
            return f"{folder} is on a read-only file system"
        if space.f_bavail == 0:
            return f"the disk holding {folder} is full"
        if not os.access(folder, os.W_OK):
            return f"{folder} isn't writable by this user"
    if isinstance(error, OSError):
        return f"{error.strerror or error} ({error.filename})"
    return storage_failure(error) or str(error)


async def _open(path: Path) -> aiosqlite.Connection:
    """A connection with hotleads' pragmas; closed again if any of them fails.

    aiosqlite's thread is not a daemon: a connection left open after a failure
    would keep the process alive after it has said why it stops.
    """
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        # When the log starts over, its file is cut back to this size on disk.
        await conn.execute(f"PRAGMA journal_size_limit = {RESTART_AT_FRAMES * 4096}")
        await conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        await conn.close()
        raise
    return conn


async def schema_version(conn: Connection) -> int:
    if conn.dialect.name == "postgres":
        from storage import postgres

        return await postgres.schema_version(conn)
    row = await conn.fetchone("PRAGMA user_version")
    assert row is not None
    return int(row[0])


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply pending migrations to a SQLite file; return how many ran."""
    scripts = migrations()
    current = await schema_version(SqliteConnection(conn))
    if current > len(scripts):
        raise SchemaTooNew.at(current, len(scripts))
    for version, script in enumerate(scripts[current:], start=current + 1):
        try:
            await conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        except BaseException:
            if conn.in_transaction:
                await conn.rollback()
            raise
    return len(scripts) - current


class Database:
    """Where storage functions get their connections: ``reader`` and ``transaction()``.

    ``Database.open`` picks the engine from the address: a SQLite file
    (``SqliteDatabase``) or a PostgreSQL server (``PostgresDatabase``).
    """

    address: Address
    reader: Connection

    @staticmethod
    async def open(
        where: Path | Address,
        *,
        run_migrations: bool = True,
        progress: Progress = quiet,
        pool: tuple[int, int] = POOL,
    ) -> Database:
        """Open (and migrate) the database, or raise ``DatabaseUnavailable`` saying why.

        A database that can't be reached, read or written stops the caller at once
        with its cause, never half-open: nothing is left running to hang the exit.
        ``pool`` is the least and most PostgreSQL connections; the least are open
        before this returns, so the first requests wait for none.
        """
        address = where if isinstance(where, Address) else Address.sqlite(where)
        try:
            if address.is_postgres:
                return await PostgresDatabase.connect(address, run_migrations, progress, pool)
            return await SqliteDatabase.connect(address.path, run_migrations, progress)
        except TimeoutError:
            raise DatabaseUnavailable(
                address, f"no answer within {OPEN_WITHIN:g} seconds"
            ) from None
        except OSError as error:  # the SQLite file's folder can't be made
            named = f" ({error.filename})" if error.filename else ""
            raise DatabaseUnavailable(address, f"{error.strerror or error}{named}") from None
        except Exception as error:
            cause = storage_failure(error)
            if cause is None:
                raise
            raise DatabaseUnavailable(address, cause) from None

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        """A write transaction: committed on success, rolled back on any error."""
        raise NotImplementedError

    def workspace_turn(self, team_id: str) -> contextlib.AbstractAsyncContextManager[bool]:
        """Whether this process sends what a workspace is due now (see ``storage.postgres``)."""
        raise NotImplementedError

    def serve_alone(self) -> None:
        """Refuse to serve beside another server where the engine can't share."""

    async def keep_wal_short(self, stop: asyncio.Event, every: float = CHECKPOINT_EVERY) -> None:
        """Background upkeep while serving, until ``stop``; nothing to do on PostgreSQL."""
        await stop.wait()

    async def migrate(self, progress: Progress = quiet) -> int:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class SqliteDatabase(Database):
    """One writer connection behind a lock, one reader connection.

    SQLite allows one writer at a time; the lock queues this process's writes
    so they never see each other's half-done transactions, and WAL lets the
    reader see only committed data while a write is under way. Other processes
    (a cron ``run-due``, an import) wait up to ``busy_timeout``; a second
    server is refused (``serve_alone``).
    """

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.address = Address.sqlite(path)
        self.path = path
        self.reader = self._reader = SqliteConnection(reader)
        self._writer = writer
        self._write_lock = asyncio.Lock()
        self._serving: IO[bytes] | None = None

    @classmethod
    async def connect(cls, path: Path, run_migrations: bool, progress: Progress) -> SqliteDatabase:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = await _open(path)
        except (OSError, sqlite3.Error) as error:
            raise DatabaseUnavailable(Address.sqlite(path), _why_not(path, error)) from None
        try:
            reader = await _open(path)
        except BaseException:
            await writer.close()
            raise
        db = cls(path, writer, reader)
        if run_migrations:
            try:
                await db.migrate(progress)
            except BaseException:
                await db.close()
                raise
        return db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteConnection(self._writer)
                await self._writer.commit()
            except BaseException:
                # Also when the commit itself failed (a full disk): SQLite may or may not
                # have rolled back, and the next BEGIN must find no transaction open.
                if self._writer.in_transaction:
                    await self._writer.rollback()
                raise

    @asynccontextmanager
    async def workspace_turn(self, team_id: str) -> AsyncIterator[bool]:
        yield True  # one server per file: its minute loop and a cron run meet only in claims

    def serve_alone(self) -> None:
        try:
            lock = open(f"{self.path}.serving", "ab")  # noqa: SIM115 - held until close
        except OSError as error:
            raise DatabaseUnavailable(
                self.address, f"{error.strerror or error} ({error.filename})"
            ) from None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise AlreadyServing(
                f"Another hotleads server is already running on {self.path}: SQLite serves one "
                "process. Stop it, or move to PostgreSQL to run several (README, Scaling out)."
            ) from None
        lock.truncate(0)
        lock.write(f"{os.getpid()}\n".encode())
        lock.flush()
        self._serving = lock

    async def keep_wal_short(self, stop: asyncio.Event, every: float = CHECKPOINT_EVERY) -> None:
        """Copy the write-ahead log into the database in the background, until ``stop``.

        SQLite's own checkpoint runs inside whichever commit takes the log past
        1000 pages, and that commit waits 20-30 ms for it: under a burst of
        ``/lead log`` one ack in a hundred was three times slower (see
        BENCHMARKS.md). A passive checkpoint on a connection of its own blocks
        neither the writer nor the reader.
        """
        conn = await _open(self.path)
        try:
            async with self._write_lock:
                await self._writer.execute("PRAGMA wal_autocheckpoint = 0")
            while not stop.is_set():
                async with conn.execute("PRAGMA wal_checkpoint(PASSIVE)") as cursor:
                    row = await cursor.fetchone()
                assert row is not None
                _, frames, _ = row
                if frames > RESTART_AT_FRAMES:
                    # The log only starts over when a write begins with every page
                    # copied, which never happens while writes keep coming: copy the
                    # few pages written since, between two of this process's writes.
                    async with self._write_lock:
                        await conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), every)
        finally:
            async with self._write_lock:
                await self._writer.execute(f"PRAGMA wal_autocheckpoint = {AUTO_CHECKPOINT_PAGES}")
            await conn.close()

    async def migrate(self, progress: Progress = quiet) -> int:
        """Apply pending migrations on the writer, queued behind this process's writes."""
        async with self._write_lock:
            ran = await migrate(self._writer)
        await leads.rescore_pending(self, progress=progress)
        await leads.fold_pending(self)
        return ran

    async def close(self) -> None:
        await self._reader.raw.close()
        await self._writer.close()
        if self._serving:
            self._serving.close()


class PostgresDatabase(Database):
    """A pool shared by this process's readers and transactions; other processes have theirs."""

    def __init__(self, address: Address, pool: AsyncConnectionPool):
        from storage import postgres

        self._postgres = postgres
        self.address = address
        self.reader = postgres.PgReader(pool)
        self._pool = pool

    @classmethod
    async def connect(
        cls, address: Address, run_migrations: bool, progress: Progress, pool: tuple[int, int]
    ) -> PostgresDatabase:
        from storage import postgres

        least, most = pool
        db = cls(
            address,
            await postgres.open_pool(address, within=OPEN_WITHIN, min_size=least, max_size=most),
        )
        if run_migrations:
            try:
                await db.migrate(progress)
            except BaseException:
                await db.close()
                raise
        return db

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        return self._postgres.transaction(self._pool)

    def workspace_turn(self, team_id: str) -> contextlib.AbstractAsyncContextManager[bool]:
        return self._postgres.workspace_turn(self._pool, team_id)

    async def migrate(self, progress: Progress = quiet) -> int:
        ran = await self._postgres.migrate(self._pool, postgres_migrations())
        await leads.rescore_pending(self, progress=progress)
        await leads.fold_pending(self)
        return ran

    async def close(self) -> None:
        await self._pool.close()

"""The SQLite database: connections, transactions and schema migrations.

Migration policy: migrations are the numbered ``migrations/NNNN_*.sql`` files,
an append-only list. ``PRAGMA user_version`` counts how many have run. Each one
runs together with its version bump in a single transaction, so a crash leaves
the schema either before or after it, never half-way. A database whose version
is newer than this code knows is refused rather than guessed at: run the newer
hotleads, or restore a backup.

The one exception is ``leads.rescore_pending``, which runs after the migrations on
every open. Migration 0004 added the ``hot_until``/``warm_until`` columns, and 0007
changed the model that fills them and the scores, but their values come from
the temperature model in Python, not from SQL, and on a large database take
tens of seconds: they are filled in short batches so the
bot can answer meanwhile and a crash loses nothing. Once every lead has them
(new leads are written with them), the check costs one query that finds nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage import leads

BUSY_TIMEOUT_MS = 5000
CHECKPOINT_EVERY = 1.0
"""Seconds between background checkpoints while the bot serves."""
AUTO_CHECKPOINT_PAGES = 1000
"""SQLite's default: a commit that takes the log past this many pages checkpoints it."""
RESTART_AT_FRAMES = 16_000
"""A log longer than this (64 MB of pages) is started over once copied."""


class SchemaTooNew(RuntimeError):
    """The database was written by a newer hotleads than this one."""


def migrations() -> list[str]:
    """Migration scripts in order; file names are numbered from 0001 without gaps."""
    folder = Path(__file__).with_name("migrations")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    for position, name in enumerate(names, start=1):
        if not name.startswith(f"{position:04d}_"):
            raise RuntimeError(f"migration {name} is out of sequence (expected {position:04d}_)")
    return [(folder / name).read_text(encoding="utf-8") for name in names]


async def _open(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA synchronous = NORMAL")
    # When the log starts over, its file is cut back to this size on disk.
    await conn.execute(f"PRAGMA journal_size_limit = {RESTART_AT_FRAMES * 4096}")
    await conn.execute("PRAGMA foreign_keys = ON")
    return conn


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply pending migrations; return how many ran."""
    scripts = migrations()
    current = await schema_version(conn)
    if current > len(scripts):
        raise SchemaTooNew(
            f"The database is at schema version {current}, but this hotleads only knows "
            f"{len(scripts)}: run a newer hotleads or restore a backup."
        )
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
    """One writer connection behind a lock, one reader connection.

    SQLite allows one writer at a time; the lock queues this process's writes
    so they never see each other's half-done transactions, and WAL lets the
    reader see only committed data while a write is under way. Other processes
    (a cron ``run-due``, an import) wait up to ``busy_timeout``.
    """

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self.reader = reader
        self._writer = writer
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, run_migrations: bool = True) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await _open(path)
        try:
            if run_migrations:
                await migrate(writer)
                await leads.rescore_pending(writer)
            reader = await _open(path)
        except BaseException:
            await writer.close()
            raise
        return cls(path, writer, reader)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: committed on success, rolled back on any error."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.rollback()
                raise
            await self._writer.commit()

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

    async def migrate(self) -> int:
        """Apply pending migrations on the writer, queued behind this process's writes."""
        async with self._write_lock:
            ran = await migrate(self._writer)
            await leads.rescore_pending(self._writer)
            return ran

    async def close(self) -> None:
        await self.reader.close()
        await self._writer.close()

"""The SQLite database: connections, transactions and schema migrations.

Migration policy: migrations are the numbered ``migrations/NNNN_*.sql`` files,
an append-only list. ``PRAGMA user_version`` counts how many have run. Each one
runs together with its version bump in a single transaction, so a crash leaves
the schema either before or after it, never half-way. A database whose version
is newer than this code knows is refused rather than guessed at: run the newer
hotleads, or restore a backup.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage import leads

BUSY_TIMEOUT_MS = 5000


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
    await conn.execute("PRAGMA foreign_keys = ON")
    return conn


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
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
                await leads.fill_cutoffs(writer)
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

    async def migrate(self) -> int:
        """Apply pending migrations on the writer, queued behind this process's writes."""
        async with self._write_lock:
            ran = await migrate(self._writer)
            await leads.fill_cutoffs(self._writer)
            return ran

    async def close(self) -> None:
        await self.reader.close()
        await self._writer.close()

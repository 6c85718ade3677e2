"""PostgreSQL: a pool of connections that several app processes share a database through.

Migration policy, as on SQLite (see ``storage.db``), with two changes: the count
of migrations run is the one row of ``hotleads_schema``, and each migration
runs in its own transaction under an advisory lock, re-reading the version
first, so processes starting at once migrate once. A database newer than
this code is refused.

Work that must happen once across processes is one statement only one caller
can win (``storage.deliveries.claim``, ``storage.leads`` numbers); advisory
locks only spread work (``workspace_turn``) and serialise migrations.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from storage.engine import (
    Address,
    Connection,
    Dialect,
    Params,
    PostgresDialect,
    Row,
    pg_ddl,
    pg_rows,
    pg_sql,
)
from storage.schema import VERSION_TABLE, SchemaTooNew

POOL_WAIT = 2.5
"""Seconds a request waits for a pooled connection before it is told the database is
unavailable: Slack waits 3 s for an answer, so "couldn't save" must come before that."""
MIGRATION_LOCK = "hashtext('hotleads migrate ' || current_schema())"


class PgConnection:
    """One psycopg connection (a transaction's) seen through ``storage.engine.Connection``."""

    dialect: Dialect = PostgresDialect()

    def __init__(self, conn: psycopg.AsyncConnection[Any]):
        self.raw = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self.raw.execute(pg_sql(sql), params)
        return cursor.rowcount

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        cursor = await self.raw.execute(pg_sql(sql), params)
        row: Row | None = await cursor.fetchone()
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        cursor = await self.raw.execute(pg_sql(sql), params)
        return await cursor.fetchall()

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        async with self.raw.cursor() as cursor:
            await cursor.executemany(pg_sql(sql), list(rows))
            return cursor.rowcount

    async def pages(self, sql: str, params: Params, size: int) -> AsyncIterator[list[Row]]:
        async with self.raw.transaction(), self.raw.cursor(name="pages") as cursor:
            await cursor.execute(pg_sql(sql), params)
            while page := await cursor.fetchmany(size):
                yield page


class PgReader:
    """Reads outside any transaction: each borrows a pooled connection for its statement."""

    dialect: Dialect = PostgresDialect()

    def __init__(self, pool: AsyncConnectionPool):
        self._pool = pool

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._pool.connection() as conn:
            return await PgConnection(conn).execute(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._pool.connection() as conn:
            return await PgConnection(conn).fetchone(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._pool.connection() as conn:
            return await PgConnection(conn).fetchall(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        async with self._pool.connection() as conn:
            return await PgConnection(conn).executemany(sql, rows)

    async def pages(self, sql: str, params: Params, size: int) -> AsyncIterator[list[Row]]:
        """All rows read at once, the connection given back, then handed out a page at a time.

        A reader that holds its connection while it pages would borrow a second
        one for each page's leads: enough of them at once empty the pool and
        wait on each other for good.
        """
        rows = await self.fetchall(sql, params)
        for start in range(0, len(rows), size):
            yield rows[start : start + size]


async def open_pool(
    address: Address, *, within: float, min_size: int, max_size: int
) -> AsyncConnectionPool:
    """The process's pool, ``min_size`` connections open, once one has shown the server answers.

    The pool would retry a refused connection quietly until its timeout and then
    say only that it timed out; one plain connection first gets the server's
    own reason (refused, no such database, wrong password) within ``within``
    seconds, and nothing is left open when it fails.
    """
    async with asyncio.timeout(within):
        probe = await psycopg.AsyncConnection.connect(
            address.url, connect_timeout=max(2, int(within))
        )
    await probe.close()
    pool = AsyncConnectionPool(
        address.url,
        min_size=min_size,
        max_size=max_size,
        kwargs={"autocommit": True, "row_factory": pg_rows},
        timeout=POOL_WAIT,
        open=False,
    )
    try:
        await pool.open(wait=True, timeout=within)
    except BaseException:
        await pool.close()
        raise
    return pool


@asynccontextmanager
async def transaction(pool: AsyncConnectionPool) -> AsyncIterator[PgConnection]:
    """A write transaction on a pooled connection: committed on success, else rolled back."""
    async with pool.connection() as conn, conn.transaction():
        yield PgConnection(conn)


async def schema_version(conn: Connection) -> int:
    exists = await conn.fetchone("SELECT to_regclass(?) IS NOT NULL", (VERSION_TABLE,))
    if not exists or not exists[0]:
        return 0
    row = await conn.fetchone(f"SELECT version FROM {VERSION_TABLE}")
    return int(row[0]) if row else 0


async def migrate(pool: AsyncConnectionPool, scripts: list[str]) -> int:
    """Apply pending migrations, one transaction each under the lock; return how many ran here."""
    ran = 0
    while True:
        async with transaction(pool) as conn:
            await conn.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER NOT NULL)"
            )
            current = await schema_version(conn)
            if current > len(scripts):
                raise SchemaTooNew.at(current, len(scripts))
            if current == len(scripts):
                return ran
            script = scripts[current]
            if script.strip():
                await conn.raw.execute(pg_ddl(script).encode())
            changed = await conn.execute(f"UPDATE {VERSION_TABLE} SET version = ?", (current + 1,))
            if not changed:
                await conn.execute(
                    f"INSERT INTO {VERSION_TABLE} (version) VALUES (?)", (current + 1,)
                )
            ran += 1


@asynccontextmanager
async def workspace_turn(pool: AsyncConnectionPool, team_id: str) -> AsyncIterator[bool]:
    """True for the one process that takes this workspace now; others move on to the next.

    Advisory locks are database-wide: the key names the schema too, so two hotleads
    sharing one database in different schemas never take each other's turns.
    """
    async with transaction(pool) as conn:
        row = await conn.fetchone(
            "SELECT pg_try_advisory_xact_lock("
            "hashtext(current_schema() || ' hotleads workspace ' || ?))",
            (team_id,),
        )
        yield bool(row and row[0])

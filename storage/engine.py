"""The two engines behind one small interface: where SQLite and PostgreSQL differ.

Every query in ``storage/`` is written once, in SQLite's spelling (``?`` and
``:name`` placeholders). Each engine implements ``Connection`` — ``execute``,
``fetchone``, ``fetchall``, ``executemany``, ``pages`` — and rows read by
column name or position on both. The differences live here and nowhere else:

- placeholders: PostgreSQL's driver wants ``%s``/``%(name)s``; ``_pg_sql`` rewrites;
- a list of ids as one parameter: ``json_each`` vs ``jsonb_array_elements_text``
  (``Dialect.id_list``);
- the schema: migrations are written for SQLite; ``pg_ddl`` reads them for
  PostgreSQL (``INTEGER`` is 64-bit on both, a rowid ``id`` is an identity
  column, ``REAL`` is a double, ``WITHOUT ROWID`` means nothing there). A
  migration SQLite-only in its spelling has its PostgreSQL twin of the same
  name in ``migrations/postgres/``;
- ``BEGIN IMMEDIATE``, WAL checkpoints and ``PRAGMA user_version`` stay in
  ``storage.db``; the version table and advisory locks in ``storage.postgres``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

Params = Sequence[Any] | Mapping[str, Any]


class Row(Protocol):
    """A result row: ``row["name"]`` or ``row[0]``, and unpacks like a tuple."""

    def __getitem__(self, key: int | str) -> Any: ...
    def __iter__(self) -> Any: ...
    def __len__(self) -> int: ...
    def keys(self) -> list[str]: ...


class Dialect(Protocol):
    name: str

    def id_list(self, param: str) -> str:
        """A subquery of the integers in a JSON array bound to ``param`` (``:ids``)."""
        ...

    def lock_until_commit(self) -> str | None:
        """A statement taking a lock named by its one parameter until the transaction ends,
        or ``None`` where the write transaction already excludes every other writer."""
        ...

    def skip_locked(self) -> str:
        """What ends a ``SELECT`` so concurrent takers each get other rows: ``FOR UPDATE SKIP
        LOCKED`` where writers share the database, nothing where the one writer has it all."""
        ...


class Connection(Protocol):
    """What every storage function is given: a reader, or a write transaction."""

    dialect: Dialect

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return how many rows it changed."""
        ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...
    async def executemany(self, sql: str, rows: Iterable[Params]) -> int: ...

    def pages(self, sql: str, params: Params, size: int) -> AsyncIterator[list[Row]]:
        """The rows a page at a time, for a reader that stops early."""
        ...


class Store(Protocol):
    """A database as work that runs its own transactions sees it (``storage.db.Database``)."""

    reader: Connection

    def transaction(self) -> AbstractAsyncContextManager[Connection]: ...


@dataclass(frozen=True)
class Address:
    """Where the database is: ``sqlite:///rel.db``, ``sqlite:////abs.db`` or ``postgresql://…``."""

    url: str

    @classmethod
    def parse(cls, url: str) -> Address:
        if url.startswith(("postgresql://", "postgres://")):
            return cls(url)
        prefix = "sqlite:///"
        if url.startswith(prefix) and len(url) > len(prefix):
            return cls(url)
        raise ValueError(url)

    @classmethod
    def sqlite(cls, path: Path) -> Address:
        return cls(f"sqlite:///{path}")

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith(("postgresql://", "postgres://"))

    @property
    def path(self) -> Path:
        """The SQLite file."""
        assert not self.is_postgres
        return Path(self.url[len("sqlite:///") :])

    def __str__(self) -> str:
        """For messages: the file, or the server without its password."""
        if not self.is_postgres:
            return str(self.path)
        return re.sub(r"://([^:@/]*):[^@/]*@", r"://\1:***@", self.url)


# SQLite ------------------------------------------------------------------------------


class SqliteDialect:
    name = "sqlite"

    def id_list(self, param: str) -> str:
        return f"SELECT value FROM json_each({param})"

    def lock_until_commit(self) -> str | None:
        return None  # BEGIN IMMEDIATE already holds the database's one write lock

    def skip_locked(self) -> str:
        return ""  # the same: a second taker waits for the first one's commit


class SqliteConnection:
    """An aiosqlite connection seen through ``Connection``."""

    dialect: Dialect = SqliteDialect()

    def __init__(self, conn: aiosqlite.Connection):
        self.raw = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self.raw.execute(sql, params) as cursor:
            return cursor.rowcount

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)  # all: RETURNING finishes only when stepped out
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        # Run and read out in one go on the connection's thread: a statement left
        # half-read while another coroutine's ran would hold one read transaction
        # open across both, and the reader would keep seeing the database as it was.
        return list(await self.raw.execute_fetchall(sql, params))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        async with self.raw.executemany(sql, rows) as cursor:
            return cursor.rowcount

    async def pages(self, sql: str, params: Params, size: int) -> AsyncIterator[list[Row]]:
        async with self.raw.execute(sql, params) as cursor:
            while page := list(await cursor.fetchmany(size)):
                yield page  # type: ignore[misc]  # sqlite3.Row is a Row


# PostgreSQL --------------------------------------------------------------------------


class PostgresDialect:
    name = "postgres"

    def id_list(self, param: str) -> str:
        return (
            f"SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST({param} AS jsonb))"
        )

    def lock_until_commit(self) -> str | None:
        return "SELECT pg_advisory_xact_lock(hashtext(?))"

    def skip_locked(self) -> str:
        return " FOR UPDATE SKIP LOCKED"


_PLACEHOLDER = re.compile(r"%|\?|(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """``?`` → ``%s``, ``:name`` → ``%(name)s``, a literal ``%`` → ``%%``."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "%":
            return "%%"
        if match.group(0) == "?":
            return "%s"
        return f"%({match.group(1)})s"

    return _PLACEHOLDER.sub(one, sql)


_DDL = [
    (
        re.compile(r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b"),
        "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\)\s*WITHOUT\s+ROWID"), ")"),
]


def pg_ddl(script: str) -> str:
    """A migration written for SQLite, as PostgreSQL reads it (see the module docstring)."""
    for pattern, replacement in _DDL:
        script = pattern.sub(replacement, script)
    return script


@lru_cache(maxsize=64)
def _row_type(names: tuple[str, ...]) -> type:
    index = {name: i for i, name in enumerate(names)}

    class PgRow(tuple):
        def __getitem__(self, key):  # type: ignore[no-untyped-def]
            if isinstance(key, str):
                return tuple.__getitem__(self, index[key])
            return tuple.__getitem__(self, key)

        def keys(self) -> list[str]:
            return list(names)

    return PgRow


def pg_rows(cursor: Any) -> Any:
    """psycopg row factory: tuples that also answer to column names."""
    names = tuple(column.name for column in cursor.description or ())
    make = _row_type(names)
    return lambda values: make(values)

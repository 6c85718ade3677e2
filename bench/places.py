"""Where a benchmark's databases live: SQLite files in /tmp, or databases on a PostgreSQL server.

Each benchmark needs a generated master per size, fresh copies of it (a run
changes what it runs on), empty databases, and plain blocking queries for
the floor figures. On SQLite a copy is a file copy; on PostgreSQL it is
``CREATE DATABASE … TEMPLATE``, the server's own file copy.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.common import ROOT
from storage.engine import Address, pg_sql


class SqlitePlace:
    engine = "sqlite"

    def __init__(self, folder: Path):
        self.folder = folder

    def master(self, size: int) -> Address:
        source = Path(f"/tmp/hl-{size}.db")
        if not source.exists():
            _generate(str(source), size)
        return Address.sqlite(source)

    def clone(self, master: Address, name: str) -> Address:
        target = self.folder / f"{name}.db"
        with contextlib.closing(sqlite3.connect(master.path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(master.path, target)
        return Address.sqlite(target)

    def empty(self, name: str) -> Address:
        target = self.folder / f"{name}.db"
        target.unlink(missing_ok=True)
        return Address.sqlite(target)

    def query(self, address: Address, sql: str, params: Any = ()) -> list[Any]:
        with contextlib.closing(sqlite3.connect(address.path)) as conn:
            return conn.execute(sql, params).fetchall()

    def timed(self, address: Address, queries: list[tuple[str, Any]]) -> float:
        """The queries on one connection, every row fetched: the floor of that read."""
        with contextlib.closing(sqlite3.connect(address.path)) as conn:
            started = time.perf_counter()
            for sql, params in queries:
                conn.execute(sql, params).fetchall()
            return time.perf_counter() - started

    def executemany(self, address: Address, script: str, sql: str, rows: list) -> float:
        with contextlib.closing(sqlite3.connect(address.path)) as conn:
            conn.executescript(script)
            started = time.perf_counter()
            conn.executemany(sql, rows)
            conn.commit()
            return time.perf_counter() - started

    def drop(self, address: Address) -> None:
        address.path.unlink(missing_ok=True)

    def settle(self, address: Address) -> None:
        """Nothing to do: SQLite keeps no visibility map."""


class PostgresPlace:
    """Databases ``hl_bench_<size>`` (kept between runs) and throwaway ones, on one server."""

    engine = "postgres"

    def __init__(self, url: str):
        self.url = url

    def _on(self, name: str) -> Address:
        parts = urlsplit(self.url)
        return Address(urlunsplit(parts._replace(path=f"/{name}")))

    def _admin(self, sql: str) -> list[Any]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def master(self, size: int) -> Address:
        name = f"hl_bench_{size}"
        if not self._admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            self._admin(f"CREATE DATABASE {name}")
            _generate(self._on(name).url, size)
        return self._on(name)

    def clone(self, master: Address, name: str) -> Address:
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {name} TEMPLATE {urlsplit(master.url).path[1:]}")
        return self._on(name)

    def empty(self, name: str) -> Address:
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {name}")
        return self._on(name)

    def query(self, address: Address, sql: str, params: Any = ()) -> list[Any]:
        import psycopg

        with psycopg.connect(address.url) as conn:
            return conn.execute(pg_sql(sql), params).fetchall()

    def timed(self, address: Address, queries: list[tuple[str, Any]]) -> float:
        import psycopg

        with psycopg.connect(address.url) as conn:
            conn.execute("SELECT 1")
            started = time.perf_counter()
            for sql, params in queries:
                conn.execute(pg_sql(sql), params).fetchall()
            return time.perf_counter() - started

    def executemany(self, address: Address, script: str, sql: str, rows: list) -> float:
        import psycopg

        from storage.engine import pg_ddl

        with psycopg.connect(address.url) as conn:
            conn.execute(pg_ddl(script).encode())
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cursor:
                cursor.executemany(pg_sql(sql), rows)
            conn.commit()
            return time.perf_counter() - started

    def drop(self, address: Address) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {urlsplit(address.url).path[1:]} WITH (FORCE)")

    def settle(self, address: Address) -> None:
        """``VACUUM ANALYZE``, as autovacuum leaves a database after bulk writes.

        The benchmark's server may run with autovacuum off (this machine's does); without
        it, counts that an index answers alone read every heap page the bulk writes left
        not all-visible (a hot-lead count at 100k: 24 ms instead of 1 ms).
        """
        import psycopg

        with psycopg.connect(address.url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")


def place(database_url: str | None, folder: Path) -> SqlitePlace | PostgresPlace:
    """``--database-url postgresql://…/postgres`` benchmarks PostgreSQL there; none, SQLite."""
    if database_url:
        return PostgresPlace(database_url)
    return SqlitePlace(folder)


def _generate(where: str, size: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "bench.generate", where, "--leads", str(size)], cwd=ROOT, check=True
    )

"""Reading a whole workspace in one go, for exports: blocking, in a worker thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from bot.domain.lead import Lead
from bot.domain.temperature import Signal
from storage.db import BUSY_TIMEOUT_MS
from storage.engine import Address, pg_rows, pg_sql
from storage.leads import LEAD_COLUMNS, SIGNAL_COLUMNS, lead_from_row, signal_from_row

Query = Callable[[str, Sequence[Any]], list[Any]]


def leads_of(
    where: Path | Address, team_id: str, size: int = 2000
) -> Generator[list[Lead], None, None]:
    """Every lead of a workspace by number, a batch at a time: blocking, for a worker thread.

    Exports read this way, on a plain blocking connection of their own:
    aiosqlite hands rows across threads a fetch at a time, which for 100k
    leads costs more than the reading itself, and a worker thread leaves the
    event loop to everyone else's commands. One read transaction (repeatable
    read on PostgreSQL) keeps the batches consistent.
    """
    address = where if isinstance(where, Address) else Address.sqlite(where)
    if address.is_postgres:
        import psycopg  # only for PostgreSQL: an export from SQLite starts sooner

        with psycopg.connect(address.url, row_factory=pg_rows) as pg:
            pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield from _batches(lambda sql, p: pg.execute(pg_sql(sql), p).fetchall(), team_id, size)
        return
    conn = sqlite3.connect(address.path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    with closing(conn):
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("BEGIN")
        yield from _batches(lambda sql, p: conn.execute(sql, p).fetchall(), team_id, size)


def _batches(query: Query, team_id: str, size: int) -> Iterator[list[Lead]]:
    after = 0
    while rows := query(
        f"SELECT {LEAD_COLUMNS} FROM leads l WHERE l.team_id = ? AND l.number > ?"
        " ORDER BY l.number LIMIT ?",
        (team_id, after, size),
    ):
        last = rows[-1]["number"]
        signals: dict[int, dict[str, Signal]] = {row["id"]: {} for row in rows}
        for row in query(
            f"SELECT {SIGNAL_COLUMNS} FROM lead_signals s JOIN leads l ON l.id = s.lead_id"
            " WHERE l.team_id = ? AND l.number > ? AND l.number <= ?",
            (team_id, after, last),
        ):
            signals[row[0]][row[1]] = signal_from_row(row)
        yield [lead_from_row(row, signals[row["id"]]) for row in rows]
        after = last

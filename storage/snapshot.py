"""Reading a whole workspace in one pass, for exports: blocking, in a worker thread.

Rows are streamed, never read out whole: server-side (named) cursors on
PostgreSQL, stepped statements on SQLite, so what is held at once is one page
whatever the workspace's size. A plain blocking connection of its own, because
aiosqlite hands rows across threads a fetch at a time, which for 100k leads
costs more than the reading itself, and a worker thread leaves the event loop
to everyone else's commands. One read transaction (repeatable read on
PostgreSQL) keeps what several cursors read consistent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import Any

from bot.domain.lead import Lead
from bot.domain.snapshots import Snapshot
from bot.domain.temperature import Signal
from storage.db import BUSY_TIMEOUT_MS
from storage.engine import Address, Row, pg_rows, pg_sql
from storage.leads import LEAD_COLUMNS, SIGNAL_COLUMNS, lead_from_row, signal_from_row
from storage.snapshots import COLUMNS as HISTORY_COLUMNS
from storage.snapshots import snapshot_from_row

LEADS = f"SELECT {LEAD_COLUMNS} FROM leads l WHERE l.team_id = ? ORDER BY l.number"
SIGNALS = (
    f"SELECT {SIGNAL_COLUMNS} FROM leads l JOIN lead_signals s ON s.lead_id = l.id"
    " WHERE l.team_id = ? ORDER BY l.number, s.kind"
)
"""Both in the leads' order, so each lead's signals come right after the ones before."""

Fetch = Callable[[int], Sequence[Row]]
Stream = Callable[[str, str, Sequence[Any]], Fetch]
"""Open a cursor named by the first argument on a query; its ``fetchmany``."""


@contextmanager
def _reading(where: Path | Address) -> Iterator[Stream]:
    """One read transaction on a blocking connection of its own, and cursors streaming in it."""
    address = where if isinstance(where, Address) else Address.sqlite(where)
    if address.is_postgres:
        import psycopg  # only for PostgreSQL: an export from SQLite starts sooner

        with psycopg.connect(address.url, row_factory=pg_rows) as pg, ExitStack() as cursors:
            pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

            def server_side(name: str, sql: str, params: Sequence[Any]) -> Fetch:
                cursor = cursors.enter_context(pg.cursor(name=name))
                cursor.execute(pg_sql(sql), params)
                return cursor.fetchmany

            yield server_side
        return
    conn = sqlite3.connect(address.path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    with closing(conn):
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("BEGIN")

        def stepped(name: str, sql: str, params: Sequence[Any]) -> Fetch:
            return conn.execute(sql, params).fetchmany

        yield stepped


def leads_of(
    where: Path | Address, team_id: str, size: int = 2000
) -> Generator[list[Lead], None, None]:
    """Every lead of a workspace by number, ``size`` at a time: blocking, for a worker thread.

    Two cursors are read side by side, the leads and their signals in the same order.
    """
    with _reading(where) as stream:
        leads = stream("export_leads", LEADS, (team_id,))
        signals = stream("export_signals", SIGNALS, (team_id,))
        yield from _merged(leads, signals, size)


def history_of(
    where: Path | Address, team_ids: Sequence[str], size: int = 2000
) -> Generator[list[Snapshot], None, None]:
    """The workspaces' daily pipeline history, by workspace and day, ``size`` rows at a time."""
    if not team_ids:
        return
    with _reading(where) as stream:
        rows = stream(
            "export_history",
            f"SELECT {HISTORY_COLUMNS} FROM snapshots"
            f" WHERE team_id IN ({','.join('?' * len(team_ids))}) ORDER BY team_id, day",
            tuple(team_ids),
        )
        while page := rows(size):
            yield [snapshot_from_row(row) for row in page]


def _rows(fetch: Fetch, size: int) -> Iterator[Any]:
    while page := fetch(size):
        yield from page


def _merged(leads: Fetch, signals: Fetch, size: int) -> Iterator[list[Lead]]:
    """Each lead with its signals, the two streams walked together."""
    pending = _rows(signals, size)
    signal = next(pending, None)
    batch: list[Lead] = []
    for row in _rows(leads, size):
        own: dict[str, Signal] = {}
        while signal is not None and signal[0] == row["id"]:
            own[signal[1]] = signal_from_row(signal)
            signal = next(pending, None)
        batch.append(lead_from_row(row, own))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch

"""Reading a whole workspace in one pass, for exports: blocking, in a worker thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from bot.domain.lead import Lead
from bot.domain.temperature import Signal
from storage.db import BUSY_TIMEOUT_MS
from storage.engine import Address, Row, pg_rows, pg_sql
from storage.leads import LEAD_COLUMNS, SIGNAL_COLUMNS, lead_from_row, signal_from_row

LEADS = f"SELECT {LEAD_COLUMNS} FROM leads l WHERE l.team_id = ? ORDER BY l.number"
SIGNALS = (
    f"SELECT {SIGNAL_COLUMNS} FROM leads l JOIN lead_signals s ON s.lead_id = l.id"
    " WHERE l.team_id = ? ORDER BY l.number, s.kind"
)
"""Both in the leads' order, so each lead's signals come right after the ones before."""

Fetch = Callable[[int], Sequence[Row]]


def leads_of(
    where: Path | Address, team_id: str, size: int = 2000
) -> Generator[list[Lead], None, None]:
    """Every lead of a workspace by number, ``size`` at a time: blocking, for a worker thread.

    Two cursors are read side by side, the leads and their signals in the same
    order, and never read out whole: server-side (named) cursors on PostgreSQL,
    stepped statements on SQLite. What is held at once is one batch, whatever
    the workspace's size. One read transaction (repeatable read on PostgreSQL)
    keeps them consistent. A plain blocking connection of its own, because
    aiosqlite hands rows across threads a fetch at a time, which for 100k leads
    costs more than the reading itself, and a worker thread leaves the event
    loop to everyone else's commands.
    """
    address = where if isinstance(where, Address) else Address.sqlite(where)
    if address.is_postgres:
        import psycopg  # only for PostgreSQL: an export from SQLite starts sooner

        with psycopg.connect(address.url, row_factory=pg_rows) as pg:
            pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            with (
                pg.cursor(name="export_leads") as leads,
                pg.cursor(name="export_signals") as signals,
            ):
                leads.execute(pg_sql(LEADS), (team_id,))
                signals.execute(pg_sql(SIGNALS), (team_id,))
                yield from _merged(leads.fetchmany, signals.fetchmany, size)
        return
    conn = sqlite3.connect(address.path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    with closing(conn):
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("BEGIN")
        lead_rows = conn.execute(LEADS, (team_id,))
        signal_rows = conn.execute(SIGNALS, (team_id,))
        yield from _merged(lead_rows.fetchmany, signal_rows.fetchmany, size)


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

"""Reading a whole workspace in one go, for exports: blocking, in a worker thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from bot.domain.lead import Lead
from bot.domain.temperature import Signal
from storage.db import BUSY_TIMEOUT_MS
from storage.leads import LEAD_COLUMNS, SIGNAL_COLUMNS, lead_from_row, signal_from_row


def leads_of(path: Path, team_id: str, size: int = 2000) -> Iterator[list[Lead]]:
    """Every lead of a workspace by number, a batch at a time: blocking, for a worker thread.

    Exports read this way, on their own plain ``sqlite3`` connection: aiosqlite
    hands rows across threads a fetch at a time, which for 100k leads costs
    more than the reading itself, and a worker thread leaves the event loop to
    everyone else's commands. One read transaction keeps the batches consistent.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    with closing(conn):
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("BEGIN")
        after = 0
        while rows := conn.execute(
            f"SELECT {LEAD_COLUMNS} FROM leads l WHERE l.team_id = ? AND l.number > ?"
            " ORDER BY l.number LIMIT ?",
            (team_id, after, size),
        ).fetchall():
            last = rows[-1]["number"]
            signals: dict[int, dict[str, Signal]] = {row["id"]: {} for row in rows}
            for row in conn.execute(
                f"SELECT {SIGNAL_COLUMNS} FROM lead_signals s JOIN leads l ON l.id = s.lead_id"
                " WHERE l.team_id = ? AND l.number > ? AND l.number <= ?",
                (team_id, after, last),
            ):
                signals[row[0]][row[1]] = signal_from_row(row)
            yield [lead_from_row(row, signals[row["id"]]) for row in rows]
            after = last

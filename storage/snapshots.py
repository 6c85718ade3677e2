"""Pipeline history: measuring a local day, and keeping each workspace's daily rows.

A row is written by one statement that only one runner can win (``ON CONFLICT DO
NOTHING``): any number of runners may measure the same day, one row is kept, and
the rest find it there. What a day did is read from stored times on indexes
(leads by creation, touches by kind and time, closed leads), so a day costs a few
small queries at any size of pipeline.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.domain import snapshots as history
from bot.domain import weekly as summary
from bot.domain.schedule import WorkspaceSettings
from bot.domain.snapshots import Signal, Snapshot
from bot.domain.vocabulary import ANSWERS, BANDS, BUYING, Band
from bot.domain.weekly import Weekly
from storage import pipeline
from storage.engine import Connection, Row
from storage.times import from_db, required_from_db, to_db

if TYPE_CHECKING:
    from storage.db import Database

COLUMNS = (
    "team_id, day, taken_at, open_hot, open_warm, open_cold, new_leads, won, lost,"
    " answers, answered_same_day"
)


async def keep_due(db: Database, settings: WorkspaceSettings, now: datetime) -> int:
    """Keep each day now due (the one just ended, and any missed); how many this call kept.

    One read when nothing is due, so a minute loop stays cheap. Each day is measured
    on the reader and kept in a short write of its own.
    """
    last = await latest_day(db.reader, settings.team_id)
    days = history.due_days(settings, last, now)
    kept = 0
    for day in days:
        row = await measure(db.reader, settings, day, now, count_open=day == days[-1])
        async with db.transaction() as conn:
            kept += await keep(conn, row)
    return kept


async def measure(
    conn: Connection, settings: WorkspaceSettings, day: date, now: datetime, *, count_open: bool
) -> Snapshot:
    """What ``day`` did; open leads are counted only for the day just ended (``count_open``)."""
    team_id, tz = settings.team_id, settings.tz
    start, end = history.day_start(day, tz), history.day_start(day + timedelta(days=1), tz)
    cut = min(history.taken_at(day, settings), now)
    closes = await closed(conn, team_id, start, end)
    counts = await pipeline.band_counts(conn, team_id, now) if count_open else None
    return history.snapshot(
        team_id,
        day,
        now,
        tz,
        open_now={band: counts[band] for band in BANDS} if counts is not None else None,
        new_leads=await new_leads(conn, team_id, start, end),
        won=closes["won"],
        lost=closes["lost"],
        signals=await signals(conn, team_id, start, end, cut),
    )


async def weekly(conn: Connection, team_id: str, today: date) -> Weekly:
    """The eight weeks up to yesterday, as kept: what a summary made ``today`` shows."""
    last = today - timedelta(days=1)
    return summary.weekly(await between(conn, team_id, summary.first_day(today), last), last)


async def latest_day(conn: Connection, team_id: str) -> date | None:
    """The newest day kept for the workspace, if any."""
    row = await conn.fetchone("SELECT max(day) FROM snapshots WHERE team_id = ?", (team_id,))
    return date.fromisoformat(row[0]) if row and row[0] else None


async def new_leads(conn: Connection, team_id: str, start: datetime, end: datetime) -> Counter[str]:
    """Leads added in ``[start, end)``, by source."""
    rows = await conn.fetchall(
        "SELECT source, count(*) FROM leads WHERE team_id = ? AND created_at >= ?"
        " AND created_at < ? GROUP BY source",
        (team_id, to_db(start), to_db(end)),
    )
    return Counter({row[0]: int(row[1]) for row in rows})


async def closed(conn: Connection, team_id: str, start: datetime, end: datetime) -> Counter[str]:
    """Leads won and lost in ``[start, end)`` (and not reopened since)."""
    rows = await conn.fetchall(
        "SELECT status, count(*) FROM leads WHERE team_id = ? AND closed_at >= ?"
        " AND closed_at < ? AND status != 'open' GROUP BY status",
        (team_id, to_db(start), to_db(end)),
    )
    return Counter({row[0]: int(row[1]) for row in rows})


async def signals(
    conn: Connection, team_id: str, start: datetime, end: datetime, cut: datetime
) -> list[Signal]:
    """Buying signals received in ``[start, end)``, each with our first answer before ``cut``.

    An answer is what ``/lead report`` counts as one (``ANSWERS``), at or after the signal.
    """
    buying, answers = sorted(BUYING), list(ANSWERS)
    rows = await conn.fetchall(
        "SELECT l.owner, b.at, (SELECT min(a.at) FROM interactions a WHERE a.lead_id = b.lead_id"
        f" AND a.kind IN ({','.join('?' * len(answers))}) AND a.at >= b.at AND a.at < ?"
        " AND a.deleted_at IS NULL)"
        " FROM interactions b JOIN leads l ON l.id = b.lead_id"
        f" WHERE b.kind IN ({','.join('?' * len(buying))}) AND b.at >= ? AND b.at < ?"
        " AND b.deleted_at IS NULL AND l.team_id = ?",
        (*answers, to_db(cut), *buying, to_db(start), to_db(end), team_id),
    )
    return [Signal(owner, required_from_db(at), from_db(answered)) for owner, at, answered in rows]


async def keep(conn: Connection, day: Snapshot) -> bool:
    """Write the day's row unless a row for it is already kept; True when this one was."""
    opened = day.open or {}
    won = await conn.fetchone(
        f"INSERT INTO snapshots ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (team_id, day) DO NOTHING RETURNING day",
        (
            day.team_id,
            day.day.isoformat(),
            to_db(day.taken_at),
            *(opened.get(band) if day.open is not None else None for band in BANDS),
            json.dumps(dict(day.new_leads), sort_keys=True),
            day.won,
            day.lost,
            json.dumps({owner: list(m) for owner, m in day.answers.items()}, sort_keys=True),
            day.answered_same_day,
        ),
    )
    return won is not None


def snapshot_from_row(row: Row) -> Snapshot:
    counts = (row["open_hot"], row["open_warm"], row["open_cold"])
    opened: dict[Band, int] | None = (
        None if counts[0] is None else {band: int(n) for band, n in zip(BANDS, counts, strict=True)}
    )
    answers: dict[str, Any] = json.loads(row["answers"])
    return Snapshot(
        team_id=row["team_id"],
        day=date.fromisoformat(row["day"]),
        taken_at=required_from_db(row["taken_at"]),
        open=opened,
        new_leads={source: int(n) for source, n in json.loads(row["new_leads"]).items()},
        won=int(row["won"]),
        lost=int(row["lost"]),
        answers={owner: tuple(minutes) for owner, minutes in answers.items()},
        answered_same_day=int(row["answered_same_day"]),
    )


async def between(conn: Connection, team_id: str, first: date, last: date) -> list[Snapshot]:
    """The workspace's rows from ``first`` to ``last`` (both included), oldest first."""
    rows = await conn.fetchall(
        f"SELECT {COLUMNS} FROM snapshots WHERE team_id = ? AND day >= ? AND day <= ? ORDER BY day",
        (team_id, first.isoformat(), last.isoformat()),
    )
    return [snapshot_from_row(row) for row in rows]

"""Leads and their touches: every read and write of the lead tables.

Each write function takes the connection of an open transaction
(``Database.transaction()``), so a caller can group several into one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.lead import Lead, Touch, edited, lead_keys
from bot.domain.lead_csv import ImportedLead
from bot.domain.temperature import Cutoffs, Signal, cutoffs, record_touch, temperature
from bot.domain.vocabulary import Status
from storage.batches import chunks
from storage.engine import Connection, Row
from storage.progress import Progress, quiet
from storage.times import from_db, required_from_db, to_db

if TYPE_CHECKING:
    from storage.db import Database

log = logging.getLogger(__name__)


LEAD_COLUMNS = """
    l.id, l.team_id, l.number, l.name, l.company, l.email, l.phone, l.source, l.owner,
    l.status, l.lost_reason, l.created_by, l.created_at, l.updated_at, l.last_touch_at,
    l.snoozed_until, l.score, l.scored_at, l.hot_until, l.warm_until,
    (SELECT count(*) FROM interactions i WHERE i.lead_id = l.id) AS touch_count
"""


def lead_from_row(row: Row, signals: dict[str, Signal]) -> Lead:
    created_at = required_from_db(row["created_at"])
    if row["hot_until"] is None:  # not filled in yet: see fill_cutoffs
        until = cutoffs(row["source"], created_at, signals)
    else:
        until = Cutoffs(required_from_db(row["hot_until"]), required_from_db(row["warm_until"]))
    return Lead(
        id=row["id"],
        team_id=row["team_id"],
        number=row["number"],
        name=row["name"],
        company=row["company"],
        email=row["email"],
        phone=row["phone"],
        source=row["source"],
        owner=row["owner"],
        status=row["status"],
        lost_reason=row["lost_reason"],
        created_by=row["created_by"],
        created_at=created_at,
        updated_at=required_from_db(row["updated_at"]),
        last_touch_at=from_db(row["last_touch_at"]),
        snoozed_until=from_db(row["snoozed_until"]),
        score=row["score"],
        scored_at=required_from_db(row["scored_at"]),
        hot_until=until.hot_until,
        warm_until=until.warm_until,
        signals=signals,
        touch_count=row["touch_count"],
    )


SIGNAL_COLUMNS = "s.lead_id, s.kind, s.strength, s.as_of, s.last_at, s.count"


def signal_from_row(row: Row) -> Signal:
    return Signal(row[2], required_from_db(row[3]), required_from_db(row[4]), row[5])


def _stored(until: Cutoffs) -> tuple[str, str]:
    return to_db(until.hot_until), to_db(until.warm_until)


async def signals_for(conn: Connection, lead_ids: Sequence[int]) -> dict[int, dict[str, Signal]]:
    found: dict[int, dict[str, Signal]] = {lead_id: {} for lead_id in lead_ids}
    for chunk in chunks(lead_ids):
        marks = ",".join("?" * len(chunk))
        for row in await conn.fetchall(
            f"SELECT {SIGNAL_COLUMNS} FROM lead_signals s WHERE s.lead_id IN ({marks})", chunk
        ):
            found[row[0]][row[1]] = signal_from_row(row)
    return found


async def _leads(conn: Connection, where: str, params: Iterable[object]) -> list[Lead]:
    rows = await conn.fetchall(f"SELECT {LEAD_COLUMNS} FROM leads l WHERE {where}", tuple(params))
    signals = await signals_for(conn, [row["id"] for row in rows])
    return [lead_from_row(row, signals[row["id"]]) for row in rows]


async def _one(conn: Connection, where: str, params: Iterable[object]) -> Lead | None:
    found = await _leads(conn, where, params)
    return found[0] if found else None


async def get(conn: Connection, team_id: str, number: int) -> Lead | None:
    return await _one(conn, "l.team_id = ? AND l.number = ?", (team_id, number))


async def get_by_id(conn: Connection, lead_id: int) -> Lead | None:
    return await _one(conn, "l.id = ?", (lead_id,))


async def search(conn: Connection, team_id: str, text: str, limit: int = 10) -> list[Lead]:
    """Leads whose name or company contains ``text``, ignoring case; open ones first."""
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return await _leads(
        conn,
        "l.team_id = ? AND (lower(l.name) LIKE ? ESCAPE '\\' OR lower(l.company) LIKE ? ESCAPE '\\')"
        " ORDER BY l.status != 'open', l.score DESC, l.number LIMIT ?",
        (team_id, pattern, pattern, limit),
    )


async def duplicate_keys(conn: Connection, team_id: str) -> set[str]:
    """Every lead key of a workspace, read once: an import checks thousands of rows."""
    keys: set[str] = set()
    for name, company, email in await conn.fetchall(
        "SELECT name, company, email FROM leads WHERE team_id = ?", (team_id,)
    ):
        keys |= lead_keys(name, company, email)
    return keys


async def find_duplicate(
    conn: Connection, team_id: str, name: str, company: str, email: str
) -> Lead | None:
    """The lead this one would duplicate: same email, or same name and company."""
    if email:
        lead = await _one(
            conn, "l.team_id = ? AND l.email != '' AND lower(l.email) = lower(?)", (team_id, email)
        )
        if lead:
            return lead
    return await _one(
        conn,
        "l.team_id = ? AND lower(l.name) = lower(?) AND lower(l.company) = lower(?)",
        (team_id, name, company),
    )


async def next_numbers(conn: Connection, team_id: str, count: int) -> range:
    """Take the workspace's next ``count`` lead numbers.

    One statement on the workspace's counter row: a concurrent add, in this
    process or another, waits for this transaction and gets the numbers after
    these; a rolled-back add gives its numbers back. No gaps, no duplicates. A
    workspace's first numbers follow any leads written without the counter
    (``bench.generate``, an old copy).
    """
    row = await conn.fetchone(
        "INSERT INTO lead_numbers (team_id, last_number)"
        " VALUES (:team, (SELECT coalesce(max(number), 0) FROM leads WHERE team_id = :team) + :n)"
        " ON CONFLICT (team_id) DO UPDATE SET last_number = lead_numbers.last_number + :n"
        " RETURNING last_number",
        {"team": team_id, "n": count},
    )
    assert row is not None
    return range(row[0] - count + 1, row[0] + 1)


async def create(
    conn: Connection,
    *,
    team_id: str,
    name: str,
    source: str,
    owner: str,
    created_by: str,
    now: datetime,
    company: str = "",
    email: str = "",
    phone: str = "",
    created_at: datetime | None = None,
) -> Lead:
    """Insert a lead with the next number of its workspace."""
    created_at = created_at or now
    score = temperature(source, created_at, {}, now).score
    numbers = await next_numbers(conn, team_id, 1)
    row = await conn.fetchone(
        "INSERT INTO leads (team_id, number, name, company, email, phone, source, owner,"
        " created_by, created_at, updated_at, score, scored_at, hot_until, warm_until)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            team_id,
            numbers[0],
            name,
            company,
            email,
            phone,
            source,
            owner,
            created_by,
            to_db(created_at),
            to_db(now),
            score,
            to_db(now),
            *_stored(cutoffs(source, created_at, {})),
        ),
    )
    assert row is not None
    lead = await get_by_id(conn, row[0])
    assert lead is not None
    return lead


async def add_touch(
    conn: Connection,
    lead: Lead,
    *,
    kind: str,
    at: datetime,
    logged_by: str,
    now: datetime,
    note: str = "",
    permalink: str = "",
    how: str = "",
) -> Lead:
    """Record a touch, fold it into the lead's signal for that kind, refresh the score.

    ``how`` says how it came in when no rep typed it ("integration (typeform)").
    """
    # Take the lead's row first: a touch logged at the same moment in another
    # process waits here, then folds into the signal this one leaves, not into the
    # one both read before. (SQLite's single writer already serialises them.)
    await conn.execute("UPDATE leads SET updated_at = ? WHERE id = ?", (to_db(now), lead.id))
    lead = await get_by_id(conn, lead.id) or lead
    await conn.execute(
        "INSERT INTO interactions (lead_id, kind, note, at, logged_by, logged_at, permalink, how)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (lead.id, kind, note, to_db(at), logged_by, to_db(now), permalink, how),
    )
    signal = record_touch(lead.signals.get(kind), kind, at)
    await conn.execute(
        "INSERT INTO lead_signals (lead_id, kind, strength, as_of, last_at, count)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lead_id, kind) DO UPDATE SET"
        " strength = excluded.strength, as_of = excluded.as_of,"
        " last_at = excluded.last_at, count = excluded.count",
        (lead.id, kind, signal.strength, to_db(signal.as_of), to_db(signal.last_at), signal.count),
    )
    signals = {**lead.signals, kind: signal}
    last_touch = max(lead.last_touch_at or at, at)
    score = temperature(lead.source, lead.created_at, signals, now).score
    until = cutoffs(lead.source, lead.created_at, signals)
    await conn.execute(
        "UPDATE leads SET last_touch_at = ?, score = ?, scored_at = ?, updated_at = ?,"
        " hot_until = ?, warm_until = ? WHERE id = ?",
        (to_db(last_touch), score, to_db(now), to_db(now), *_stored(until), lead.id),
    )
    return replace(
        lead,
        signals=signals,
        hot_until=until.hot_until,
        warm_until=until.warm_until,
        last_touch_at=last_touch,
        score=score,
        scored_at=now,
        updated_at=now,
        touch_count=lead.touch_count + 1,
    )


async def recent_touches(conn: Connection, lead_id: int, limit: int = 5) -> list[Touch]:
    rows = await conn.fetchall(
        "SELECT id, lead_id, kind, note, at, logged_by, logged_at, permalink FROM interactions"
        " WHERE lead_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        (lead_id, limit),
    )
    return [
        Touch(r[0], r[1], r[2], r[3], required_from_db(r[4]), r[5], required_from_db(r[6]), r[7])
        for r in rows
    ]


async def update(conn: Connection, lead: Lead, changes: dict[str, str], now: datetime) -> Lead:
    """Change contact fields (and the source, which re-scores the lead)."""
    updated = edited(lead, changes, now)
    score = updated.temperature(now).score
    until = updated.cutoffs()
    assignments = ", ".join(f"{column} = ?" for column in changes)
    await conn.execute(
        f"UPDATE leads SET {assignments}, updated_at = ?, score = ?, scored_at = ?,"
        " hot_until = ?, warm_until = ? WHERE id = ?",
        (*changes.values(), to_db(now), score, to_db(now), *_stored(until), lead.id),
    )
    return replace(
        updated,
        score=score,
        scored_at=now,
        hot_until=until.hot_until,
        warm_until=until.warm_until,
    )


async def set_status(
    conn: Connection, lead: Lead, status: Status, now: datetime, reason: str = ""
) -> Lead:
    await conn.execute(
        "UPDATE leads SET status = ?, lost_reason = ?, updated_at = ? WHERE id = ?",
        (status, reason, to_db(now), lead.id),
    )
    return replace(lead, status=status, lost_reason=reason, updated_at=now)


async def set_owner(conn: Connection, lead: Lead, owner: str, now: datetime) -> Lead:
    await conn.execute(
        "UPDATE leads SET owner = ?, updated_at = ? WHERE id = ?", (owner, to_db(now), lead.id)
    )
    return replace(lead, owner=owner, updated_at=now)


async def snooze(conn: Connection, lead: Lead, until: datetime | None, now: datetime) -> Lead:
    await conn.execute(
        "UPDATE leads SET snoozed_until = ?, updated_at = ? WHERE id = ?",
        (to_db(until) if until else None, to_db(now), lead.id),
    )
    return replace(lead, snoozed_until=until, updated_at=now)


async def stale_scores(
    conn: Connection,
    team_id: str,
    *,
    min_score: int,
    scored_before: datetime,
    after_id: int = 0,
    limit: int = 1000,
) -> list[Lead]:
    """Open leads scored at least ``min_score`` before ``scored_before``: a page, by id."""
    return await _leads(
        conn,
        "l.team_id = ? AND l.status = 'open' AND l.score >= ? AND l.scored_at < ? AND l.id > ?"
        " ORDER BY l.id LIMIT ?",
        (team_id, min_score, to_db(scored_before), after_id, limit),
    )


async def save_scores(conn: Connection, scored: Sequence[tuple[Lead, int]], now: datetime) -> int:
    """Store each lead's score as of ``now``, unless it was re-scored since it was read.

    Scores only fall while nothing is logged, so a fresh stored score is a tight
    upper bound, and ``storage.pipeline`` lists stop reading early on it.
    """
    return await conn.executemany(
        "UPDATE leads SET score = ?, scored_at = ? WHERE id = ? AND scored_at = ?",
        [(score, to_db(now), lead.id, to_db(lead.scored_at)) for lead, score in scored],
    )


async def by_ids(conn: Connection, lead_ids: Sequence[int]) -> list[Lead]:
    """The leads with these ids, in no particular order."""
    found: list[Lead] = []
    for chunk in chunks(lead_ids):
        found += await _leads(conn, f"l.id IN ({','.join('?' * len(chunk))})", chunk)
    return found


async def teams(conn: Connection) -> list[str]:
    return [
        row[0] for row in await conn.fetchall("SELECT DISTINCT team_id FROM leads ORDER BY team_id")
    ]


async def insert_imported(
    conn: Connection,
    team_id: str,
    rows: Iterable[ImportedLead],
    *,
    created_by: str,
    now: datetime,
) -> None:
    """Insert leads from a CSV file as they were, in one statement, without reading them back."""

    rows = list(rows)
    if not rows:
        return
    numbers = await next_numbers(conn, team_id, len(rows))

    def values(row: ImportedLead, number: int) -> tuple:
        created_at = row.created_at or now
        return (
            team_id,
            number,
            row.name,
            row.company,
            row.email,
            row.phone,
            row.source,
            row.owner,
            row.status,
            created_by,
            to_db(created_at),
            to_db(now),
            to_db(row.last_touch_at) if row.last_touch_at else None,
            to_db(row.snoozed_until) if row.snoozed_until else None,
            temperature(row.source, created_at, {}, now).score,
            to_db(now),
            *_stored(cutoffs(row.source, created_at, {})),
        )

    await conn.executemany(
        "INSERT INTO leads (team_id, number, name, company, email, phone, source, owner, status,"
        " created_by, created_at, updated_at, last_touch_at, snoozed_until, score, scored_at,"
        " hot_until, warm_until)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [values(row, number) for row, number in zip(rows, numbers, strict=True)],
    )


async def fill_cutoffs(db: Database, batch: int = 1000, progress: Progress = quiet) -> int:
    """Work out the cutoffs of leads stored before they were kept; returns how many.

    Runs in short transactions, so a crash part-way loses nothing: the next
    start carries on where it stopped.
    """
    missing = await db.reader.fetchone("SELECT count(*) FROM leads WHERE hot_until IS NULL")
    assert missing is not None
    if not missing[0]:
        return 0
    log.info("working out when each lead stops being hot and warm (once, after an upgrade)")
    filled = 0
    with progress("working out cutoffs", missing[0]) as advance:
        while rows := await db.reader.fetchall(
            "SELECT id, source, created_at FROM leads WHERE hot_until IS NULL LIMIT ?", (batch,)
        ):
            signals = await signals_for(db.reader, [row[0] for row in rows])
            values = [
                (*_stored(cutoffs(source, required_from_db(created_at), signals[lead_id])), lead_id)
                for lead_id, source, created_at in rows
            ]
            async with db.transaction() as conn:
                await conn.executemany(
                    "UPDATE leads SET hot_until = ?, warm_until = ? WHERE id = ?", values
                )
            filled += len(rows)
            advance(len(rows))
    log.info("worked out when %d leads stop being hot and warm", filled)
    return filled


async def count(conn: Connection, team_id: str) -> int:
    """Every lead of a workspace, whatever its status."""
    row = await conn.fetchone("SELECT count(*) FROM leads WHERE team_id = ?", (team_id,))
    assert row is not None
    return int(row[0])

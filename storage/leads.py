"""Leads and their touches: every read and write of the lead tables.

Each write function takes the connection of an open transaction
(``Database.transaction()``), so a caller can group several into one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain.lead import Lead, NewTouch, Touch, edited, lead_keys
from bot.domain.lead_csv import ImportedLead
from bot.domain.references import fold
from bot.domain.temperature import (
    Cutoffs,
    Signal,
    Temperature,
    cutoffs,
    signals_from,
    temperature,
    with_touch,
)
from bot.domain.vocabulary import Status
from storage import due
from storage.batches import chunks
from storage.engine import Connection, Row, Store
from storage.progress import Progress, quiet
from storage.times import from_db, required_from_db, to_db

log = logging.getLogger(__name__)


LEAD_COLUMNS = """
    l.id, l.team_id, l.number, l.name, l.company, l.email, l.phone, l.source, l.owner,
    l.status, l.lost_reason, l.created_by, l.created_at, l.updated_at, l.last_touch_at,
    l.snoozed_until, l.score, l.scored_at, l.hot_until, l.warm_until,
    (SELECT count(*) FROM interactions i WHERE i.lead_id = l.id AND i.deleted_at IS NULL)
        AS touch_count
"""


def lead_from_row(row: Row, signals: dict[str, Signal]) -> Lead:
    created_at = required_from_db(row["created_at"])
    if row["hot_until"] is None:  # not filled in yet: see rescore_pending
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
    """The signals of leads already read in one workspace (their ids came from a scoped read)."""
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


async def by_row_id(conn: Connection, team_id: str, lead_id: int) -> Lead | None:
    """A lead by the row id another of the workspace's rows points at (a relay, a step)."""
    return await _one(conn, "l.team_id = ? AND l.id = ?", (team_id, lead_id))


MAX_SEARCH_WORDS = 6


def _like(text: str) -> str:
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def search(conn: Connection, team_id: str, text: str, limit: int = 10) -> list[Lead]:
    """Leads whose name or company holds ``text``, or every word of it, ignoring case and accents.

    Open ones first; ``bot.domain.references`` decides which one was meant.
    """
    words = fold(text).split()[:MAX_SEARCH_WORDS] or [fold(text)]
    each_word = " AND ".join(
        ["(l.folded_name || ' ' || l.folded_company) LIKE ? ESCAPE '\\'"] * len(words)
    )
    return await _leads(
        conn,
        f"l.team_id = ? AND ({each_word})"
        " ORDER BY l.status != 'open', l.score DESC, l.number LIMIT ?",
        (team_id, *map(_like, words), limit),
    )


async def named_in(conn: Connection, team_id: str, text: str) -> Lead | None:
    """The open lead whose name (three letters or more) a message mentions; longest name first."""
    return await _one(
        conn,
        "l.team_id = ? AND l.status = 'open' AND length(l.folded_name) >= 3"
        " AND ? LIKE '%' || l.folded_name || '%'"
        " ORDER BY length(l.folded_name) DESC, l.number LIMIT 1",
        (team_id, fold(text)),
    )


MAX_NAMES = 50
"""Open leads whose names start with one word: enough for a team's Dans."""


async def names_starting(conn: Connection, team_id: str, word: str) -> list[str]:
    """Folded names of open leads that start with ``word`` and run on: ``dan`` -> ``dan murphy``.

    What the grammar needs to read an unquoted name of several words as one lead.
    """
    rows = await conn.fetchall(
        "SELECT folded_name FROM leads WHERE team_id = ? AND status = 'open'"
        " AND folded_name LIKE ? ESCAPE '\\' LIMIT ?",
        (team_id, _like(fold(word) + " ")[1:], MAX_NAMES),
    )
    return [row[0] for row in rows]


async def with_email(conn: Connection, team_id: str, email: str) -> Lead | None:
    return await _one(
        conn, "l.team_id = ? AND l.email != '' AND lower(l.email) = lower(?)", (team_id, email)
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
        " created_by, created_at, updated_at, score, scored_at, hot_until, warm_until,"
        " folded_name, folded_company)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
            fold(name),
            fold(company),
        ),
    )
    assert row is not None
    await due.known(conn, team_id, now)
    lead = await by_row_id(conn, team_id, row[0])
    assert lead is not None
    return lead


async def add_touch(conn: Connection, lead: Lead, touch: NewTouch, now: datetime) -> Lead:
    """Record a touch, fold it into the lead's signal for that kind, refresh the score."""
    touched, _ = await scored_touch(conn, lead, touch, now)
    return touched


async def scored_touch(
    conn: Connection, lead: Lead, touch: NewTouch, now: datetime
) -> tuple[Lead, Temperature]:
    """``add_touch``, with the temperature it scored at ``now``, so no caller scores it again."""
    # Take the lead's row first: a touch logged at the same moment in another
    # process waits here, then folds into the signal this one leaves, not into the
    # one both read before. (SQLite's single writer already serialises them.)
    await conn.execute(
        "UPDATE leads SET updated_at = ? WHERE team_id = ? AND id = ?",
        (to_db(now), lead.team_id, lead.id),
    )
    lead = await by_row_id(conn, lead.team_id, lead.id) or lead
    await conn.execute(
        "INSERT INTO interactions (lead_id, kind, note, at, logged_by, logged_at, permalink, how)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            lead.id,
            touch.kind,
            touch.note,
            to_db(touch.at),
            touch.logged_by,
            to_db(now),
            touch.permalink,
            touch.how,
        ),
    )
    kind, at = touch.kind, touch.at
    earlier = lead.signals.get(kind)
    if kind == "declined" or (earlier is not None and at < earlier.as_of):
        # A no drops what came before it; a backdated touch folds in its place in time.
        return await rescored(conn, lead, now)
    signals = with_touch(lead.signals, kind, at)
    await _save_signals(conn, lead.id, signals, replace_all=False)
    return await _store_score(conn, lead, signals, max(lead.last_touch_at or at, at), now)


async def rescored(conn: Connection, lead: Lead, now: datetime) -> tuple[Lead, Temperature]:
    """Signals, score and cutoffs from the lead's remaining touches, folded in time order.

    After an edit, a delete, a restore or an undo the lead is exactly as if the history
    had always been what it is now.
    """
    touches = await history(conn, lead)
    signals = signals_from(touches)
    await _save_signals(conn, lead.id, signals, replace_all=True)
    last_touch = max((at for _, at in touches), default=None)
    return await _store_score(conn, lead, signals, last_touch, now)


async def _store_score(
    conn: Connection,
    lead: Lead,
    signals: dict[str, Signal],
    last_touch: datetime | None,
    now: datetime,
) -> tuple[Lead, Temperature]:
    scored = temperature(lead.source, lead.created_at, signals, now)
    until = cutoffs(lead.source, lead.created_at, signals)
    await conn.execute(
        "UPDATE leads SET last_touch_at = ?, score = ?, scored_at = ?, updated_at = ?,"
        " hot_until = ?, warm_until = ? WHERE id = ?",
        (
            to_db(last_touch) if last_touch else None,
            scored.score,
            to_db(now),
            to_db(now),
            *_stored(until),
            lead.id,
        ),
    )
    row = await conn.fetchone(
        "SELECT count(*) FROM interactions WHERE lead_id = ? AND deleted_at IS NULL", (lead.id,)
    )
    return replace(
        lead,
        signals=signals,
        hot_until=until.hot_until,
        warm_until=until.warm_until,
        last_touch_at=last_touch,
        score=scored.score,
        scored_at=now,
        updated_at=now,
        touch_count=int(row[0]) if row else 0,
    ), scored


async def _save_signals(
    conn: Connection, lead_id: int, signals: dict[str, Signal], *, replace_all: bool
) -> None:
    if replace_all:
        await conn.execute("DELETE FROM lead_signals WHERE lead_id = ?", (lead_id,))
    await conn.executemany(
        "INSERT INTO lead_signals (lead_id, kind, strength, as_of, last_at, count)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lead_id, kind) DO UPDATE SET"
        " strength = excluded.strength, as_of = excluded.as_of,"
        " last_at = excluded.last_at, count = excluded.count",
        [
            (lead_id, kind, s.strength, to_db(s.as_of), to_db(s.last_at), s.count)
            for kind, s in signals.items()
        ],
    )


async def history(
    conn: Connection, lead: Lead, until: datetime | None = None
) -> list[tuple[str, datetime]]:
    """Every touch of a lead as (kind, when), oldest first; with ``until``, only up to then."""
    params: tuple[int | str, ...]
    where = "l.team_id = ? AND i.lead_id = ? AND i.deleted_at IS NULL"
    params = (lead.team_id, lead.id)
    if until is not None:
        where, params = where + " AND i.at <= ?", (*params, to_db(until))
    rows = await conn.fetchall(
        f"SELECT i.kind, i.at FROM interactions i JOIN leads l ON l.id = i.lead_id WHERE {where}"
        " ORDER BY i.at, i.id",
        params,
    )
    return [(kind, required_from_db(at)) for kind, at in rows]


async def histories(
    conn: Connection, team_id: str, lead_ids: Sequence[int]
) -> dict[int, list[tuple[str, datetime]]]:
    found: dict[int, list[tuple[str, datetime]]] = {lead_id: [] for lead_id in lead_ids}
    for chunk in chunks(lead_ids):
        rows = await conn.fetchall(
            "SELECT i.lead_id, i.kind, i.at FROM interactions i JOIN leads l ON l.id = i.lead_id"
            f" WHERE l.team_id = ? AND i.lead_id IN ({','.join('?' * len(chunk))})"
            " AND i.deleted_at IS NULL ORDER BY i.at, i.id",
            (team_id, *chunk),
        )
        for lead_id, kind, at in rows:
            found[lead_id].append((kind, required_from_db(at)))
    return found


TOUCH_COLUMNS = (
    "id, lead_id, kind, note, at, logged_by, logged_at, permalink, how, deleted_at, deleted_by"
)


def _touch(r: Row) -> Touch:
    return Touch(
        r[0],
        r[1],
        r[2],
        r[3],
        required_from_db(r[4]),
        r[5],
        required_from_db(r[6]),
        r[7],
        r[8],
        from_db(r[9]),
        r[10],
    )


_TOUCHES_OF = (
    f"SELECT {', '.join(f'i.{c.strip()}' for c in TOUCH_COLUMNS.split(','))}"
    " FROM interactions i JOIN leads l ON l.id = i.lead_id WHERE l.team_id = ? AND i.lead_id = ?"
)
"""A lead's touches, read through the lead's workspace."""


async def recent_touches(conn: Connection, lead: Lead, limit: int = 5) -> list[Touch]:
    """The latest touches that count, newest first."""
    rows = await conn.fetchall(
        f"{_TOUCHES_OF} AND i.deleted_at IS NULL ORDER BY i.at DESC, i.id DESC LIMIT ?",
        (lead.team_id, lead.id, limit),
    )
    return [_touch(r) for r in rows]


async def touch_page(
    conn: Connection, lead: Lead, *, limit: int, offset: int = 0
) -> tuple[list[Touch], int]:
    """One page of every touch, deleted ones too, newest first; and how many there are."""
    rows = await conn.fetchall(
        f"{_TOUCHES_OF} ORDER BY i.at DESC, i.id DESC LIMIT ? OFFSET ?",
        (lead.team_id, lead.id, limit, offset),
    )
    total = await conn.fetchone(
        "SELECT count(*) FROM interactions i JOIN leads l ON l.id = i.lead_id"
        " WHERE l.team_id = ? AND i.lead_id = ?",
        (lead.team_id, lead.id),
    )
    return [_touch(r) for r in rows], int(total[0]) if total else 0


async def get_touch(conn: Connection, lead: Lead, touch_id: int) -> Touch | None:
    """One of the lead's touches; ``None`` when the id is another lead's (or workspace's)."""
    row = await conn.fetchone(f"{_TOUCHES_OF} AND i.id = ?", (lead.team_id, lead.id, touch_id))
    return _touch(row) if row else None


async def last_touch_by(
    conn: Connection, team_id: str, user_id: str, since: datetime
) -> Touch | None:
    """The touch ``user_id`` logged most recently since ``since``, not deleted."""
    columns = ", ".join(f"i.{column.strip()}" for column in TOUCH_COLUMNS.split(","))
    row = await conn.fetchone(
        f"SELECT {columns} FROM interactions i JOIN leads l ON l.id = i.lead_id"
        " WHERE l.team_id = ? AND i.logged_by = ? AND i.logged_at >= ? AND i.deleted_at IS NULL"
        " ORDER BY i.logged_at DESC, i.id DESC LIMIT 1",
        (team_id, user_id, to_db(since)),
    )
    return _touch(row) if row else None


async def change_touch(
    conn: Connection,
    lead: Lead,
    touch_id: int,
    *,
    kind: str,
    at: datetime,
    note: str,
    now: datetime,
) -> Lead:
    await conn.execute(
        "UPDATE interactions SET kind = ?, at = ?, note = ? WHERE id = ? AND lead_id = ?",
        (kind, to_db(at), note, touch_id, lead.id),
    )
    return (await rescored(conn, lead, now))[0]


async def delete_touch(
    conn: Connection, lead: Lead, touch_id: int, *, by: str, now: datetime
) -> Lead:
    """Kept for the record (who, when), no longer counted."""
    await conn.execute(
        "UPDATE interactions SET deleted_at = ?, deleted_by = ?"
        " WHERE id = ? AND lead_id = ? AND deleted_at IS NULL",
        (to_db(now), by, touch_id, lead.id),
    )
    return (await rescored(conn, lead, now))[0]


async def restore_touch(conn: Connection, lead: Lead, touch_id: int, *, now: datetime) -> Lead:
    await conn.execute(
        "UPDATE interactions SET deleted_at = NULL, deleted_by = '' WHERE id = ? AND lead_id = ?",
        (touch_id, lead.id),
    )
    return (await rescored(conn, lead, now))[0]


async def update(conn: Connection, lead: Lead, changes: dict[str, str], now: datetime) -> Lead:
    """Change contact fields (and the source, which re-scores the lead)."""
    updated = edited(lead, changes, now)
    score = updated.temperature(now).score
    until = updated.cutoffs()
    assignments = ", ".join(f"{column} = ?" for column in changes)
    await conn.execute(
        f"UPDATE leads SET {assignments}, updated_at = ?, score = ?, scored_at = ?,"
        " hot_until = ?, warm_until = ?, folded_name = ?, folded_company = ? WHERE id = ?",
        (
            *changes.values(),
            to_db(now),
            score,
            to_db(now),
            *_stored(until),
            fold(updated.name),
            fold(updated.company),
            lead.id,
        ),
    )
    return replace(
        updated,
        score=score,
        scored_at=now,
        hot_until=until.hot_until,
        warm_until=until.warm_until,
    )


BEFORE_CLOSE = timedelta(days=14)
"""The report asks which band a lead had this long before it was won or lost."""


def _closing(lead: Lead, touches: list[tuple[str, datetime]], at: datetime) -> tuple[int, str, str]:
    """Score and band at ``at``, and the band ``BEFORE_CLOSE`` earlier, from the history."""
    now = temperature(lead.source, lead.created_at, signals_from(touches), at)
    earlier = at - BEFORE_CLOSE
    before = signals_from((kind, when) for kind, when in touches if when <= earlier)
    if earlier < lead.created_at:
        band_before = "none"
    else:
        band_before = temperature(lead.source, lead.created_at, before, earlier).band
    return now.score, now.band, band_before


async def set_status(
    conn: Connection, lead: Lead, status: Status, now: datetime, reason: str = ""
) -> Lead:
    """Win, lose or reopen a lead; a close keeps its score and bands then (see ``_closing``)."""
    if status == "open":
        closing: tuple[object, ...] = (None, None, None, None)
    else:
        closing = (to_db(now), *_closing(lead, await history(conn, lead), now))
    await conn.execute(
        "UPDATE leads SET status = ?, lost_reason = ?, updated_at = ?, closed_at = ?,"
        " closed_score = ?, closed_band = ?, band_before_close = ? WHERE id = ?",
        (status, reason, to_db(now), *closing, lead.id),
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
        "UPDATE leads SET score = ?, scored_at = ? WHERE team_id = ? AND id = ? AND scored_at = ?",
        [
            (score, to_db(now), lead.team_id, lead.id, to_db(lead.scored_at))
            for lead, score in scored
        ],
    )


async def by_ids(conn: Connection, team_id: str, lead_ids: Sequence[int]) -> list[Lead]:
    """The workspace's leads with these row ids, in no particular order; others' are left out."""
    found: list[Lead] = []
    for chunk in chunks(lead_ids):
        marks = ",".join("?" * len(chunk))
        found += await _leads(conn, f"l.team_id = ? AND l.id IN ({marks})", (team_id, *chunk))
    return found


async def by_numbers(conn: Connection, team_id: str, numbers: Sequence[int]) -> list[Lead]:
    """The workspace's leads with these numbers, in the order asked; missing ones left out."""
    found: dict[int, Lead] = {}
    for chunk in chunks(numbers):
        marks = ",".join("?" * len(chunk))
        for lead in await _leads(
            conn, f"l.team_id = ? AND l.number IN ({marks})", (team_id, *chunk)
        ):
            found[lead.number] = lead
    return [found[number] for number in numbers if number in found]


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
    """Insert leads from a CSV file as they were, in one statement, without reading them back.

    A row with a note gets it as a note touch (logged by ``created_by``, how: import).
    """

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
            fold(row.name),
            fold(row.company),
        )

    await conn.executemany(
        "INSERT INTO leads (team_id, number, name, company, email, phone, source, owner, status,"
        " created_by, created_at, updated_at, last_touch_at, snoozed_until, score, scored_at,"
        " hot_until, warm_until, folded_name, folded_company)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [values(row, number) for row, number in zip(rows, numbers, strict=True)],
    )
    await due.known(conn, team_id, now)
    for row, number in zip(rows, numbers, strict=True):
        if row.note:
            lead = await get(conn, team_id, number)
            assert lead is not None
            note = NewTouch("note", row.created_at or now, created_by, row.note, how="import")
            await add_touch(conn, lead, note, now)


async def rescore_pending(db: Store, batch: int = 500, progress: Progress = quiet) -> int:
    """Score again, from their touches, leads the current model has not scored; returns how many.

    A migration marks them (``hot_until`` cleared) when the model changes. Each
    lead's signals are folded again from its history, its score is taken as of
    its last activity (an upper bound for later, as every stored score is) and
    its cutoffs worked out; a closed lead also gets its score and bands at the
    close. Runs in short transactions, so a crash part-way loses nothing: the
    next start carries on where it stopped.
    """
    missing = await db.reader.fetchone("SELECT count(*) FROM leads WHERE hot_until IS NULL")
    assert missing is not None
    if not missing[0]:
        return 0
    log.info("scoring every lead again with the current model (once, after an upgrade)")
    done = 0
    with progress("scoring leads again", missing[0]) as advance:
        while rows := await _leads(db.reader, "l.hot_until IS NULL LIMIT ?", (batch,)):
            touches: dict[int, list[tuple[str, datetime]]] = {}
            for team_id in {lead.team_id for lead in rows}:
                team_rows = [lead.id for lead in rows if lead.team_id == team_id]
                touches |= await histories(db.reader, team_id, team_rows)
            signal_rows, lead_rows, closed_rows = [], [], []
            for lead in rows:
                signals = signals_from(touches[lead.id])
                signal_rows += [
                    (lead.id, k, s.strength, to_db(s.as_of), to_db(s.last_at), s.count)
                    for k, s in signals.items()
                ]
                at = lead.last_activity_at
                score = temperature(lead.source, lead.created_at, signals, at).score
                until = cutoffs(lead.source, lead.created_at, signals)
                lead_rows.append((score, to_db(at), *_stored(until), lead.id))
                if lead.status != "open":
                    closing = _closing(lead, touches[lead.id], lead.updated_at)
                    closed_rows.append((*closing, lead.id))
            async with db.transaction() as conn:
                await conn.executemany(
                    "DELETE FROM lead_signals WHERE lead_id = ?", [(lead.id,) for lead in rows]
                )
                await conn.executemany(
                    "INSERT INTO lead_signals (lead_id, kind, strength, as_of, last_at, count)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    signal_rows,
                )
                await conn.executemany(
                    "UPDATE leads SET score = ?, scored_at = ?, hot_until = ?, warm_until = ?"
                    " WHERE id = ?",
                    lead_rows,
                )
                await conn.executemany(
                    "UPDATE leads SET closed_score = ?, closed_band = ?, band_before_close = ?"
                    " WHERE id = ? AND closed_band IS NULL",
                    closed_rows,
                )
            done += len(rows)
            advance(len(rows))
    log.info("scored %d leads again with the current model", done)
    return done


async def fold_pending(db: Store, batch: int = 500) -> int:
    """Fold the names of leads stored before names were folded (migration 0017); how many.

    Like ``rescore_pending``: short transactions after the migrations, and once every
    lead has its folded name, one query that finds nothing.
    """
    done = 0
    while rows := await db.reader.fetchall(
        "SELECT id, name, company FROM leads WHERE folded_name = '' AND name != '' LIMIT ?",
        (batch,),
    ):
        async with db.transaction() as conn:
            await conn.executemany(
                "UPDATE leads SET folded_name = ?, folded_company = ? WHERE id = ?",
                [(fold(row[1]) or " ", fold(row[2]), row[0]) for row in rows],
            )
        done += len(rows)
    return done


async def count(conn: Connection, team_id: str) -> int:
    """Every lead of a workspace, whatever its status."""
    row = await conn.fetchone("SELECT count(*) FROM leads WHERE team_id = ?", (team_id,))
    assert row is not None
    return int(row[0])


async def claim(conn: Connection, lead_id: int, team_id: str, owner: str, now: datetime) -> bool:
    """Make ``owner`` the owner of a lead nobody owns; only the first of any claims wins."""
    changed = await conn.execute(
        "UPDATE leads SET owner = ?, updated_at = ? WHERE id = ? AND team_id = ? AND owner = ''",
        (owner, to_db(now), lead_id, team_id),
    )
    return changed == 1

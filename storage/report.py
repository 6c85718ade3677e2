"""What the report reads: leads won or lost in a window, and answers to buying signals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.report import Answered, Closed
from bot.domain.vocabulary import ANSWERS, BUYING
from storage.engine import Connection
from storage.times import from_db, required_from_db, to_db


def _teams(team_ids: Sequence[str]) -> str:
    return f"l.team_id IN ({','.join('?' * len(team_ids))})"


async def closed_since(conn: Connection, team_ids: Sequence[str], since: datetime) -> list[Closed]:
    rows = await conn.fetchall(
        "SELECT l.owner, l.source, l.status, l.band_before_close, l.closed_at,"
        " (SELECT min(i.at) FROM interactions i WHERE i.lead_id = l.id AND i.deleted_at IS NULL),"
        " l.name, l.lost_reason"
        f" FROM leads l WHERE {_teams(team_ids)} AND l.closed_at >= ? AND l.status != 'open'",
        (*team_ids, to_db(since)),
    )
    return [
        Closed(
            owner,
            source,
            status == "won",
            band or "none",
            from_db(first),
            required_from_db(at),
            name,
            note,
        )
        for owner, source, status, band, at, first, name, note in rows
    ]


async def answers_since(
    conn: Connection, team_ids: Sequence[str], since: datetime
) -> list[tuple[datetime, datetime | None]]:
    """Each buying signal since ``since`` and our first answer after it (a demo answers itself)."""
    buying, answers = sorted(BUYING), list(ANSWERS)
    rows = await conn.fetchall(
        "SELECT b.at, (SELECT min(a.at) FROM interactions a WHERE a.lead_id = b.lead_id"
        f" AND a.kind IN ({','.join('?' * len(answers))}) AND a.at >= b.at"
        " AND a.deleted_at IS NULL)"
        " FROM interactions b JOIN leads l ON l.id = b.lead_id"
        f" WHERE {_teams(team_ids)} AND b.kind IN ({','.join('?' * len(buying))}) AND b.at >= ?"
        " AND b.deleted_at IS NULL",
        (*answers, *team_ids, *buying, to_db(since)),
    )
    return [(required_from_db(at), from_db(answered)) for at, answered in rows]


async def answered_since(
    conn: Connection, team_ids: Sequence[str], since: datetime
) -> list[Answered]:
    """Each buying signal since ``since`` with its lead's owner and source, and our first answer."""
    buying, answers = sorted(BUYING), list(ANSWERS)
    rows = await conn.fetchall(
        "SELECT l.team_id, l.owner, l.source, b.at, (SELECT min(a.at) FROM interactions a"
        f" WHERE a.lead_id = b.lead_id AND a.kind IN ({','.join('?' * len(answers))})"
        " AND a.at >= b.at AND a.deleted_at IS NULL)"
        " FROM interactions b JOIN leads l ON l.id = b.lead_id"
        f" WHERE {_teams(team_ids)} AND b.kind IN ({','.join('?' * len(buying))}) AND b.at >= ?"
        " AND b.deleted_at IS NULL",
        (*answers, *team_ids, *buying, to_db(since)),
    )
    return [
        Answered(team, owner, source, required_from_db(at), from_db(answered))
        for team, owner, source, at, answered in rows
    ]


async def passed_on_since(
    conn: Connection, team_ids: Sequence[str], since: datetime
) -> dict[str, int]:
    """Per rep, how many of their leads the relay offered to someone else since ``since``."""
    rows = await conn.fetchall(
        "SELECT r.owner, count(*) FROM relays r"
        f" WHERE r.team_id IN ({','.join('?' * len(team_ids))}) AND r.started_at >= ?"
        " AND r.owner != '' AND EXISTS (SELECT 1 FROM relay_offers o WHERE o.relay_id = r.id)"
        " GROUP BY r.owner",
        (*team_ids, to_db(since)),
    )
    return {owner: int(count) for owner, count in rows}

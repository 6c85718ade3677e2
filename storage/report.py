"""What the report reads: leads won or lost in a window, and answers to buying signals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.report import Closed
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

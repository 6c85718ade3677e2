"""Each rep's notification choices: instant alerts on or off, away until a day."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.relay import Notifications
from storage.engine import Connection, Row
from storage.times import to_db


def _notifications(row: Row) -> Notifications:
    away = row["away_until"]
    return Notifications(
        row["user_id"], bool(row["instant"]), date.fromisoformat(away) if away else None
    )


async def get(conn: Connection, team_id: str, user_id: str) -> Notifications:
    """The rep's choices; the defaults (alerts on, here) when they never changed them."""
    row = await conn.fetchone(
        "SELECT user_id, instant, away_until FROM notifications WHERE team_id = ? AND user_id = ?",
        (team_id, user_id),
    )
    return _notifications(row) if row else Notifications(user_id)


async def of_team(conn: Connection, team_id: str) -> list[Notifications]:
    """Every rep of the workspace who changed a choice, by user id."""
    rows = await conn.fetchall(
        "SELECT user_id, instant, away_until FROM notifications WHERE team_id = ? ORDER BY user_id",
        (team_id,),
    )
    return [_notifications(row) for row in rows]


async def save(conn: Connection, team_id: str, choice: Notifications, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO notifications (team_id, user_id, instant, away_until, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id, user_id) DO UPDATE SET"
        " instant = excluded.instant, away_until = excluded.away_until,"
        " updated_at = excluded.updated_at",
        (
            team_id,
            choice.user_id,
            int(choice.instant),
            choice.away_until.isoformat() if choice.away_until else None,
            to_db(now),
        ),
    )

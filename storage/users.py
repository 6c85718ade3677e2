"""What we know of Slack users: their time zone and whether they administer the workspace."""

from __future__ import annotations

from bot.domain.slack_user import SlackUser
from storage import due
from storage.engine import Connection
from storage.times import required_from_db, to_db


async def get(conn: Connection, team_id: str, user_id: str) -> SlackUser | None:
    row = await conn.fetchone(
        "SELECT tz, is_admin, fetched_at FROM slack_users WHERE team_id = ? AND user_id = ?",
        (team_id, user_id),
    )
    if row is None:
        return None
    return SlackUser(team_id, user_id, row[0], bool(row[1]), required_from_db(row[2]))


async def save(conn: Connection, user: SlackUser) -> None:
    """Cache what Slack says of a user; one new, or in a new zone, may be owed a DM sooner."""
    before = await conn.fetchone(
        "SELECT tz FROM slack_users WHERE team_id = ? AND user_id = ?", (user.team_id, user.user_id)
    )
    await conn.execute(
        "INSERT INTO slack_users (team_id, user_id, tz, is_admin, fetched_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (team_id, user_id) DO UPDATE SET tz = excluded.tz,"
        " is_admin = excluded.is_admin, fetched_at = excluded.fetched_at",
        (user.team_id, user.user_id, user.tz, int(user.is_admin), to_db(user.fetched_at)),
    )
    if before is None or before[0] != user.tz:
        await due.sooner(conn, user.team_id, user.fetched_at)


async def zones(conn: Connection, team_id: str) -> set[str]:
    """Every zone the workspace's known users are in: where a rep's DM window may open."""
    rows = await conn.fetchall(
        "SELECT DISTINCT tz FROM slack_users WHERE team_id = ? AND tz IS NOT NULL", (team_id,)
    )
    return {row[0] for row in rows}

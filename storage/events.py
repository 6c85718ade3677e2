"""Which Events API deliveries have arrived, so a retry is recognised."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.times import to_db


async def first_arrival(
    conn: aiosqlite.Connection, team_id: str, event_id: str, now: datetime
) -> bool:
    """Record the event; True only the first time it arrives."""
    async with conn.execute(
        "INSERT INTO seen_events (team_id, event_id, received_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (team_id, event_id, to_db(now)),
    ) as cursor:
        return cursor.rowcount == 1


async def forget_before(conn: aiosqlite.Connection, before: datetime) -> int:
    """Drop events received before ``before``: Slack stops retrying within the hour."""
    async with conn.execute(
        "DELETE FROM seen_events WHERE received_at < ?", (to_db(before),)
    ) as cursor:
        return cursor.rowcount

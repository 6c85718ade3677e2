"""Which deliveries from Slack have arrived: events by event id, so a retry is recognised;
commands and interactions by trigger id, so a replay is."""

from __future__ import annotations

from datetime import datetime

from storage.engine import Connection
from storage.times import to_db


async def first_arrival(conn: Connection, team_id: str, event_id: str, now: datetime) -> bool:
    """Record the event; True only the first time it arrives."""
    stored = await conn.execute(
        "INSERT INTO seen_events (team_id, event_id, received_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (team_id, event_id, to_db(now)),
    )
    return stored == 1


async def forget_before(conn: Connection, before: datetime) -> int:
    """Drop events received before ``before``: Slack stops retrying within the hour."""
    return await conn.execute("DELETE FROM seen_events WHERE received_at < ?", (to_db(before),))


async def first_trigger(conn: Connection, trigger_id: str, now: datetime) -> bool:
    """Record a command's or an interaction's trigger id; True only the first time."""
    stored = await conn.execute(
        "INSERT INTO seen_triggers (trigger_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (trigger_id, to_db(now)),
    )
    return stored == 1


async def forget_triggers_before(conn: Connection, before: datetime) -> int:
    """Drop trigger ids seen before ``before``: Slack's signature refuses older replays."""
    return await conn.execute("DELETE FROM seen_triggers WHERE seen_at < ?", (to_db(before),))

"""storage.events: which Slack event ids were seen, and forgetting old ones."""

from datetime import timedelta

from conftest import STORED_NOW as NOW

from storage import events


async def test_old_event_ids_are_forgotten_recent_ones_kept(db):
    async with db.transaction() as conn:
        assert await events.first_arrival(conn, "T1", "Ev1", NOW - timedelta(days=2))
        assert await events.first_arrival(conn, "T1", "Ev2", NOW - timedelta(hours=1))
        assert await events.forget_before(conn, NOW - timedelta(days=1)) == 1
        assert not await events.first_arrival(conn, "T1", "Ev2", NOW)  # still a retry
        assert await events.first_arrival(conn, "T1", "Ev1", NOW)

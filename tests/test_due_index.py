"""The due index: a worker's minute takes only the workspaces that owe something now.

Storage on both engines (taking, leases, moments asked for during a turn), then the
minute end to end against the fake Slack: what is sent, and when the workspace is due
next, across settings changes, zone changes and the nights the clocks change.
"""

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import STORED_NOW, TEAM, add_lead

from bot.app import web_client
from bot.domain.schedule import WorkspaceSettings
from bot.domain.slack_user import SlackUser
from handlers.delivery import LEASE, send_what_is_due
from storage import deliveries, due, leads, next_steps, users
from storage.db import Database

NOW = STORED_NOW
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def take(db: Database, now: datetime, limit: int = 10) -> list[str]:
    async with db.transaction() as conn:
        return await due.take(conn, now, now + LEASE, limit)


async def test_an_idle_minute_takes_nothing_and_a_due_workspace_is_taken_once(db):
    async with db.transaction() as conn:
        await due.sooner(conn, "T1", NOW)
        await due.sooner(conn, "T2", NOW + timedelta(hours=1))
    assert await take(db, NOW - timedelta(minutes=1)) == []
    assert await take(db, NOW) == ["T1"]
    assert await take(db, NOW) == []  # T1 is its taker's until the lease ends


async def test_a_workspace_whose_taker_died_is_taken_again_when_the_lease_ends(db):
    async with db.transaction() as conn:
        await due.sooner(conn, "T1", NOW)
    assert await take(db, NOW) == ["T1"]  # ...and that worker is never heard of again
    assert await take(db, NOW + LEASE - timedelta(seconds=1)) == []
    assert await take(db, NOW + LEASE) == ["T1"]


async def test_a_moment_asked_for_during_a_turn_wins_over_the_takers_answer(db):
    async with db.transaction() as conn:
        await due.sooner(conn, "T1", NOW)
    assert await take(db, NOW) == ["T1"]
    async with db.transaction() as conn:  # a hook's signal arrives while the worker runs
        await due.sooner(conn, "T1", NOW + timedelta(minutes=5))
        await due.put_back(conn, "T1", NOW + timedelta(days=1))
        assert await due.due_at(conn, "T1") == NOW + timedelta(minutes=5)
    assert await take(db, NOW + timedelta(minutes=5)) == ["T1"]
    async with db.transaction() as conn:  # nothing asked for this time: the answer stands
        await due.put_back(conn, "T1", NOW + timedelta(days=1))
        assert await due.due_at(conn, "T1") == NOW + timedelta(days=1)


async def test_sooner_never_makes_a_workspace_later(db):
    async with db.transaction() as conn:
        await due.sooner(conn, "T1", NOW)
        await due.sooner(conn, "T1", NOW + timedelta(hours=2))
        assert await due.due_at(conn, "T1") == NOW


async def test_a_first_lead_puts_its_workspace_in_the_index_and_later_ones_change_nothing(db):
    await add_lead(db, team="TNEW", at=NOW)
    assert await due.due_at(db.reader, "TNEW") == NOW
    assert await take(db, NOW) == ["TNEW"]
    async with db.transaction() as conn:
        await due.put_back(conn, "TNEW", NOW + timedelta(days=1))
    await add_lead(db, team="TNEW", name="Second Lead", at=NOW + timedelta(hours=1))
    assert await due.due_at(db.reader, "TNEW") == NOW + timedelta(days=1)


async def turn(db: Database, team: str, next_at: datetime) -> None:
    """A worker's turn, when the workspace is due, that finds nothing to do until ``next_at``."""
    moment = await due.due_at(db.reader, team)
    assert moment is not None and await take(db, moment) == [team]
    async with db.transaction() as conn:
        await due.put_back(conn, team, next_at)


async def test_new_settings_make_the_workspace_due_at_once(db):
    async with db.transaction() as conn:
        await deliveries.save_settings(conn, WorkspaceSettings("T1"), "UADMIN", NOW)
    assert await due.due_at(db.reader, "T1") == NOW
    await turn(db, "T1", NOW + timedelta(days=1))
    async with db.transaction() as conn:
        await deliveries.save_settings(
            conn, WorkspaceSettings("T1", tz="Asia/Tokyo"), "UADMIN", NOW + timedelta(hours=1)
        )
    assert await due.due_at(db.reader, "T1") == NOW + timedelta(hours=1)


async def test_a_user_new_or_in_another_zone_makes_the_workspace_due_a_refresh_does_not(db):
    async def seen(tz: str, at: datetime) -> datetime | None:
        await turn(db, "T1", at + timedelta(days=1))
        async with db.transaction() as conn:
            await users.save(conn, SlackUser("T1", "U1", tz, False, at))
        return await due.due_at(db.reader, "T1")

    async with db.transaction() as conn:
        await due.sooner(conn, "T1", NOW)
    assert await seen("Europe/Berlin", NOW) == NOW  # new
    an_hour = NOW + timedelta(hours=1)
    assert await seen("Europe/Berlin", an_hour) == an_hour + timedelta(days=1)  # the same zone
    two_hours = NOW + timedelta(hours=2)
    assert await seen("Australia/Sydney", two_hours) == two_hours


async def test_two_workers_taking_at_once_never_share_a_workspace(db):
    teams = [f"T{n:03d}" for n in range(60)]
    async with db.transaction() as conn:
        for team in teams:
            await due.sooner(conn, team, NOW)
    other = await Database.open(db.address)
    try:

        async def worker(database: Database) -> list[str]:
            mine = []
            while taken := await take(database, NOW, limit=1):
                mine += taken
                await asyncio.sleep(0)
            return mine

        first, second = await asyncio.gather(worker(db), worker(other))
    finally:
        await other.close()
    assert sorted(first + second) == teams
    assert not set(first) & set(second)


# The minute, end to end ---------------------------------------------------------------


async def configure(hotleads, settings: WorkspaceSettings) -> None:
    async with hotleads.db.transaction() as conn:
        await deliveries.save_settings(conn, settings, "UADMIN", hotleads.clock.now())


async def minute(hotleads, at: datetime) -> list:
    hotleads.clock.moment = at
    return await send_what_is_due(hotleads.services, web_client(hotleads.services), at)


async def test_a_minute_sends_the_digest_at_its_hour_and_puts_the_workspace_back_for_the_next(
    hotleads,
):
    monday_0759 = datetime(2026, 11, 23, 7, 59, tzinfo=UTC)
    berlin_0900 = monday_0759 + timedelta(minutes=1)
    hotleads.clock.moment = monday_0759 - timedelta(hours=1)
    await configure(hotleads, WorkspaceSettings(TEAM, "CSALES", "09:00", "Europe/Berlin"))
    await hotleads.command("add Jane Doe company:Acme source:referral")
    assert await minute(hotleads, monday_0759) == []  # looked at (new settings), nothing due
    assert await due.due_at(hotleads.db.reader, TEAM) == berlin_0900
    assert await minute(hotleads, berlin_0900 - timedelta(seconds=1)) == []
    sent = await minute(hotleads, berlin_0900)
    assert [(o.kind, o.status) for o in sent if o.kind == "digest"] == [("digest", "sent")]
    assert await users.zones(hotleads.db.reader, TEAM) == set()  # no rep's zone known yet
    assert await due.due_at(hotleads.db.reader, TEAM) == berlin_0900 + timedelta(days=1)
    assert await minute(hotleads, berlin_0900 + timedelta(minutes=1)) == []  # nothing twice


async def test_a_workspace_whose_token_was_revoked_is_switched_off_and_looked_at_daily(hotleads):
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    hotleads.clock.moment = at - timedelta(hours=1)
    await configure(hotleads, WorkspaceSettings(TEAM, "CSALES", "09:00", "UTC"))
    await hotleads.command("add Jane Doe company:Acme source:referral")
    hotleads.slack.revoke(TEAM)
    hotleads.slack.revoked.add("xoxb-test-token")
    sent = await minute(hotleads, at)
    assert [(o.kind, o.error) for o in sent] == [("digest", "token_revoked")]
    assert await due.due_at(hotleads.db.reader, TEAM) == at + timedelta(days=1)


async def step_due(hotleads, owner: str, name: str, on: date) -> None:
    """A lead of ``owner`` with a next step due ``on``: their DM has it every day from then."""
    async with hotleads.db.transaction() as conn:
        lead = await leads.create(
            conn,
            team_id=TEAM,
            name=name,
            source="referral",
            owner=owner,
            created_by=owner,
            now=hotleads.clock.now(),
        )
        await next_steps.set_step(conn, lead, "call back", on, owner, hotleads.clock.now())


@pytest.mark.parametrize(
    ("first_night", "zones"),
    [
        # Sydney's clocks go back (03:00 -> 02:00) the night New York is already on summer time
        (date(2026, 4, 4), {"UAU": "Australia/Sydney", "UNY": "America/New_York"}),
        # New York's clocks go back (02:00 -> 01:00); Sydney went forward four weeks before
        (date(2026, 10, 31), {"UAU": "Australia/Sydney", "UNY": "America/New_York"}),
        (date(2026, 3, 7), {"UNY": "America/New_York"}),  # New York springs forward
    ],
)
async def test_each_reps_dm_goes_out_at_nine_in_their_zone_across_the_night_the_clocks_change(
    hotleads, first_night, zones
):
    # Before anyone's step is due in any zone: every DM seen is one the index woke up for.
    start = datetime.combine(first_night - timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    hotleads.clock.moment = start
    for user, tz in zones.items():
        hotleads.slack.users[user] = {"id": user, "tz": tz, "is_admin": False, "is_owner": False}
        async with hotleads.db.transaction() as conn:
            await users.save(conn, SlackUser(TEAM, user, tz, False, start))
        await step_due(hotleads, user, f"Lead of {user}", first_night - timedelta(days=1))
    await configure(hotleads, WorkspaceSettings(TEAM, None, "09:00", "UTC", digest_days=EVERY_DAY))
    sent_at: dict[str, list[datetime]] = {user: [] for user in zones}
    moment = start
    while moment < start + timedelta(days=5):
        for outcome in await minute(hotleads, moment):
            if outcome.kind == "reminder" and outcome.status == "sent":
                sent_at[outcome.recipient].append(moment)
        next_at = await due.due_at(hotleads.db.reader, TEAM)
        assert next_at is not None and next_at > moment
        moment = next_at
    for user, tz in zones.items():
        local = [at.astimezone(ZoneInfo(tz)) for at in sent_at[user]]
        assert [(t.hour, t.minute) for t in local] == [(9, 0)] * len(local), (user, local)
        days = [t.date() for t in local]
        assert days == sorted(set(days)) and len(days) >= 3, (user, local)

"""Pipeline reads on real SQLite: they must match scoring every lead by hand."""

import random
from datetime import UTC, datetime, timedelta

import aiosqlite
import pytest
import pytest_asyncio
from conftest import every_lead

from bot.domain.answers import waiting
from bot.domain.lead import NewTouch
from bot.domain.ranking import hottest_first
from bot.domain.reminders import due_reminders, is_quiet
from bot.domain.temperature import KINDS, SOURCES
from storage import deliveries, leads, pipeline
from storage.db import Database, migrations
from storage.times import to_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OWNERS = ("U1", "U2", "U3")
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def team(tmp_path_factory):
    """300 leads over 90 days, touched at random; some stored scores refreshed, some stale."""
    rng = random.Random(7)
    db = await Database.open(tmp_path_factory.mktemp("pipeline") / "hotleads.db")
    async with db.transaction() as conn:
        for n in range(300):
            created = NOW - timedelta(days=rng.uniform(0, 90))
            lead = await leads.create(
                conn,
                team_id="T1",
                name=f"Lead {n}",
                source=rng.choice(list(SOURCES)),
                owner=rng.choice(OWNERS),
                created_by="U1",
                now=created,
            )
            for _ in range(rng.randint(0, 6)):
                at = created + (NOW - created) * rng.random()
                lead = await leads.add_touch(
                    conn, lead, NewTouch(kind=rng.choice(list(KINDS)), at=at, logged_by="U1"), at
                )
            if rng.random() < 0.1:
                await leads.set_status(conn, lead, rng.choice(["won", "lost"]), NOW)
        # Another workspace's hot lead must never show.
        other = await leads.create(
            conn,
            team_id="T2",
            name="Other",
            source="referral",
            owner="U1",
            created_by="U1",
            now=NOW,
        )
        await leads.add_touch(conn, other, NewTouch(kind="quote", at=NOW, logged_by="U1"), NOW)
    half = [lead for lead in await every_lead(db, "T1") if lead.id % 2]
    async with db.transaction() as conn:
        await leads.save_scores(conn, [(x, x.temperature(NOW).score) for x in half], NOW)
    yield db
    await db.close()


def by_hand(everyone, now, band="all", owner=None):
    scored = [
        (lead, lead.temperature(now))
        for lead in everyone
        if lead.status == "open" and (owner is None or lead.owner == owner)
    ]
    return [(lead, t) for lead, t in scored if band == "all" or t.band == band]


@pytest.mark.parametrize("band", ["all", "hot", "warm", "cold"])
@pytest.mark.parametrize("owner", [None, "U2"])
@pytest.mark.parametrize("days_later", [0, 1, 3, 20])
async def test_ranked_is_exactly_the_hottest_by_hand(team, band, owner, days_later):
    now = NOW + timedelta(days=days_later)
    everyone = await every_lead(team, "T1")
    expected = sorted(by_hand(everyone, now, band, owner), key=lambda p: (-p[1].score, p[0].number))
    for limit in (1, 5, 25):
        found = await pipeline.ranked(team.reader, "T1", now, limit, band=band, owner=owner)
        assert [s.lead.number for s in found.shown] == [lead.number for lead, _ in expected[:limit]]
        assert found.total == len(expected)
        assert found.shown == sorted(found.shown, key=hottest_first)


@pytest.mark.parametrize("days_later", [0, 2, 10])
async def test_band_counts_match_scoring_every_lead(team, days_later):
    now = NOW + timedelta(days=days_later)
    everyone = await every_lead(team, "T1")
    for owner in (None, "U1"):
        counts = await pipeline.band_counts(team.reader, "T1", now, owner)
        expected = {b: len(by_hand(everyone, now, b, owner)) for b in ("hot", "warm", "cold")}
        assert dict(counts) == expected


async def test_cooling_lists_hot_leads_that_turn_warm_soonest_first(team):
    everyone = await every_lead(team, "T1")
    window = timedelta(days=5)
    expected = sorted(
        (x for x, t in by_hand(everyone, NOW, "hot") if x.hot_until <= NOW + window),
        key=lambda x: (x.hot_until, x.number),
    )
    found = await pipeline.cooling(team.reader, "T1", NOW, 3, within=window)
    assert [s.lead.id for s in found.shown] == [x.id for x in expected[:3]]
    assert found.total == len(expected) > 3


async def test_gone_quiet_holds_every_quiet_lead(team):
    everyone = await every_lead(team, "T1")
    for days in (3, 7):
        found = await pipeline.gone_quiet(team.reader, "T1", NOW, days)
        expected = {x.id for x in everyone if is_quiet(x, NOW, days)}
        assert expected and {x.id for x in found if is_quiet(x, NOW, days)} == expected


async def test_digest_compares_with_the_previous_hot_leads(team):
    hot = await pipeline.hot_ids(team.reader, "T1", NOW)
    first = await pipeline.digest(team.reader, "T1", NOW, None, hot_shown=5, changes_shown=3)
    assert first.hot_ids == hot and first.newly_hot.total == first.cooled.total == 0
    assert len(first.hot.shown) == 5 and first.hot.total == len(hot)
    later = NOW + timedelta(days=4)
    second = await pipeline.digest(team.reader, "T1", later, set(hot), hot_shown=5, changes_shown=3)
    still = set(second.hot_ids)
    assert second.cooled.total == len(set(hot) - still) > 0
    assert {s.lead.id for s in second.cooled.shown} <= set(hot) - still
    assert second.newly_hot.total == len(still - set(hot))


async def test_leads_from_before_cutoffs_get_them_on_open(tmp_path):
    """A database at schema 3 (no cutoffs) is brought up to date when opened."""
    path = tmp_path / "old.db"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        for version, script in enumerate(migrations()[:3], start=1):
            await conn.executescript(f"{script}\nPRAGMA user_version = {version};")
        stamp = to_db(NOW - timedelta(days=2))
        await conn.execute(
            "INSERT INTO leads (team_id, number, name, source, owner, created_by, created_at,"
            " updated_at, last_touch_at, score, scored_at)"
            " VALUES ('T1', 1, 'Old', 'cold', 'U1', 'U1', ?, ?, ?, 90, ?)",
            (stamp, stamp, stamp, stamp),
        )
        await conn.execute(
            "INSERT INTO lead_signals VALUES (1, 'quote', 1.0, ?, ?, 1)", (stamp, stamp)
        )
        await conn.execute(
            "INSERT INTO interactions (lead_id, kind, at, logged_by, logged_at)"
            " VALUES (1, 'quote', ?, 'U1', ?)",
            (stamp, stamp),
        )
    db = await Database.open(path)
    try:
        (lead,) = await every_lead(db, "T1")
        assert lead.hot_until == lead.cutoffs().hot_until > NOW
        row = await db.reader.fetchone("SELECT count(*) FROM leads WHERE hot_until IS NULL")
        assert row[0] == 0
        assert (await pipeline.band_counts(db.reader, "T1", NOW))["hot"] == 1
    finally:
        await db.close()


async def test_unreminded_holds_exactly_the_leads_due_a_reminder(tmp_path):
    db = await Database.open(tmp_path / "reminders.db")
    try:
        rng = random.Random(3)
        async with db.transaction() as conn:
            for n in range(120):
                created = NOW - timedelta(days=rng.uniform(8, 40))
                lead = await leads.create(
                    conn,
                    team_id="T1",
                    name=f"Lead {n}",
                    source=rng.choice(["referral", "client", "event"]),
                    owner="U1",
                    created_by="U1",
                    now=created,
                )
                if rng.random() < 0.3:
                    at = created + timedelta(days=rng.uniform(0, 3))
                    lead = await leads.add_touch(
                        conn, lead, NewTouch(kind="call", at=at, logged_by="U1"), at
                    )
                if rng.random() < 0.2:
                    until = NOW + timedelta(days=rng.uniform(-5, 5))
                    lead = await leads.snooze(conn, lead, until, NOW - timedelta(days=6))
                if rng.random() < 0.6:
                    when = NOW - timedelta(days=rng.uniform(0, 12))
                    await deliveries.mark_reminded(conn, "T1", [lead.id], when)
        everyone = await every_lead(db, "T1")
        reminded = await deliveries.last_reminded(db.reader, "T1", [x.id for x in everyone])
        expected = {x.id for x in due_reminders(everyone, NOW, 7, reminded)}
        found = await pipeline.gone_quiet(db.reader, "T1", NOW, 7, unreminded=True)
        assert expected and {x.id for x in found} == expected
    finally:
        await db.close()


async def test_the_leads_that_may_wait_include_every_lead_waiting_for_an_answer(team):
    """``maybe_waiting`` narrows in SQL what ``answers.waiting`` decides: never one too few."""
    seen = 0
    for hours_later in (0, 5, 30, 100):
        now = NOW + timedelta(hours=hours_later)
        hot = [lead for lead in await every_lead(team, "T1") if lead.temperature(now).band == "hot"]
        for respond_hours in (1, 4, 24):
            expected = [(lead.id, at) for lead, at in waiting(hot, now, respond_hours)]
            narrowed = await pipeline.maybe_waiting(team.reader, "T1", now, respond_hours)
            found = [(lead.id, at) for lead, at in waiting(narrowed, now, respond_hours)]
            assert found == expected, (hours_later, respond_hours)
            assert len(narrowed) < len(hot) or not hot
            seen += len(expected)
    assert seen, "no lead was waiting at any of these moments: the test would prove nothing"

"""Pipeline history: which days are due, what a day holds, kept once, caught up, forgotten.

The rules (``bot.domain.snapshots``) as tables of cases; what storage measures on real
databases (both engines); and the app's minute loop writing it, with runners racing.
"""

import asyncio
import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import TEAM
from test_cli import db_env
from test_cli import hotleads as run_cli

from bot.domain.lead import NewTouch
from bot.domain.schedule import WorkspaceSettings
from bot.domain.snapshots import (
    CATCH_UP_DAYS,
    CSV_COLUMNS,
    Signal,
    csv_row,
    day_start,
    due_days,
    minutes_to_answer,
    snapshot,
    taken_at,
)
from storage import deliveries, installations, leads, snapshots
from storage.db import Database

BERLIN = WorkspaceSettings("T1", "CSALES", "09:00", "Europe/Berlin")
UTC_TEAM = WorkspaceSettings("T1", "CSALES", "09:00", "UTC")
TOKYO = WorkspaceSettings("T1", "CSALES", "09:00", "Asia/Tokyo")
MONDAY = date(2026, 11, 23)
SUNDAY = MONDAY - timedelta(days=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


# ---------------------------------------------------------------- which days are due


@pytest.mark.parametrize(
    ("settings", "last", "now", "due"),
    [
        # The first run keeps only the day just ended: history starts when the feature runs.
        (UTC_TEAM, None, at(MONDAY, 10), [SUNDAY]),
        # Before the digest time the day just ended is not due yet.
        (UTC_TEAM, None, at(MONDAY, 8, 59), [SUNDAY - timedelta(days=1)]),
        (UTC_TEAM, SUNDAY, at(MONDAY, 10), []),
        (UTC_TEAM, SUNDAY - timedelta(days=1), at(MONDAY, 8), []),
        # Missed days are caught up, oldest first.
        (
            UTC_TEAM,
            MONDAY - timedelta(days=4),
            at(MONDAY, 10),
            [date(2026, 11, d) for d in (20, 21, 22)],
        ),
        # 09:00 in Tokyo is midnight UTC.
        (TOKYO, None, at(MONDAY, 0, 30), [SUNDAY]),
        (TOKYO, None, at(SUNDAY, 23, 30), [SUNDAY - timedelta(days=1)]),
    ],
)
def test_due_days(settings, last, now, due):
    assert due_days(settings, last, now) == due


def test_a_long_gap_is_caught_up_only_as_far_back_as_a_quarter():
    due = due_days(UTC_TEAM, date(2025, 1, 1), at(MONDAY, 10))
    assert len(due) == CATCH_UP_DAYS and due[-1] == SUNDAY
    assert due == [SUNDAY - timedelta(days=n) for n in reversed(range(CATCH_UP_DAYS))]


@pytest.mark.parametrize(
    ("day", "taken"),
    [
        (date(2026, 3, 28), datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),  # clocks go forward: CEST
        (date(2026, 3, 27), datetime(2026, 3, 28, 8, 0, tzinfo=UTC)),  # still CET
        (date(2026, 10, 25), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),  # back to CET
    ],
)
def test_a_day_is_taken_the_morning_after_at_the_digest_time_in_its_zone(day, taken):
    assert taken_at(day, BERLIN) == taken


def test_a_berlin_day_starts_at_its_own_midnight():
    assert day_start(date(2026, 7, 1), "Europe/Berlin") == datetime(2026, 6, 30, 22, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "minutes"),
    [
        (timedelta(0), 0),
        (timedelta(seconds=1), 1),  # whole minutes, rounded up: <= 60 means within the hour
        (timedelta(minutes=60), 60),
        (timedelta(minutes=60, seconds=1), 61),
        (None, None),
    ],
)
def test_minutes_to_answer(after, minutes):
    signal_at = at(SUNDAY, 10)
    answered = None if after is None else signal_at + after
    assert minutes_to_answer(Signal("U1", signal_at, answered)) == minutes


def test_a_row_groups_answers_by_owner_and_counts_same_day_answers_in_the_zone():
    day = date(2026, 11, 22)
    row = snapshot(
        "T1",
        day,
        at(MONDAY, 8),
        "Europe/Berlin",
        open_now={"hot": 3, "warm": 5, "cold": 9},
        new_leads={"referral": 2, "cold": 0},
        won=1,
        lost=2,
        signals=[
            Signal("U2", at(day, 9), at(day, 9, 30)),  # 30 min, same day
            Signal("U1", at(day, 22, 30), at(day, 23, 10)),  # 23:30 to 00:10 Berlin: next day
            Signal("U1", at(day, 12), None),
            Signal("", at(day, 13), at(day, 16)),  # nobody's lead still counts for the team
        ],
    )
    assert row.answers == {"": (180,), "U1": (None, 40), "U2": (30,)}
    assert (row.signals, row.answered_within_hour, row.answered_same_day) == (4, 2, 2)
    assert row.new_leads == {"referral": 2}
    written = csv_row(row)
    assert list(written) == list(CSV_COLUMNS)
    assert (written["open_hot"], written["new_referral"], written["new_cold"]) == ("3", "2", "0")
    assert written["median_answer_minutes"] == "110"  # 30, 40, 180, unanswered: (40 + 180) / 2


# ---------------------------------------------------------------- what storage measures


async def _lead(db: Database, name: str, source: str, owner: str, created: datetime):
    async with db.transaction() as conn:
        return await leads.create(
            conn,
            team_id="T1",
            name=name,
            source=source,
            owner=owner,
            created_by=owner,
            now=created,
        )


async def _touch(db: Database, lead, kind: str, when: datetime):
    async with db.transaction() as conn:
        return await leads.add_touch(
            conn, lead, NewTouch(kind=kind, at=when, logged_by=lead.owner), when
        )


async def test_a_day_holds_what_happened_in_it_and_no_more(db):
    day = date(2026, 11, 22)  # Sunday, UTC team: the row is taken Monday 09:00 UTC
    await _lead(db, "Before", "referral", "U1", at(day, 0) - timedelta(seconds=1))
    quick = await _lead(db, "Quick", "referral", "U1", at(day, 8))
    late = await _lead(db, "Late", "inbound", "U2", at(day, 9))
    never = await _lead(db, "Never", "cold", "U2", at(day, 10))
    await _lead(db, "Tomorrow", "cold", "U1", at(day + timedelta(days=1), 0))
    quick = await _touch(db, quick, "quote", at(day, 10))
    quick = await _touch(db, quick, "call", at(day, 10, 30))  # 30 min
    late = await _touch(db, late, "trial", at(day, 23, 30))
    late = await _touch(db, late, "email", at(day + timedelta(days=1), 0, 20))  # 50 min, next day
    never = await _touch(db, never, "download", at(day, 15))
    never = await _touch(db, never, "note", at(day, 15, 5))  # a note answers nothing
    never = await _touch(db, never, "call", at(day + timedelta(days=1), 9, 30))  # after the cut
    deleted = await _touch(db, quick, "inbound", at(day, 11))
    async with db.transaction() as conn:
        (touch,) = await leads.recent_touches(conn, deleted, limit=1)
        assert touch.kind == "inbound"
        await leads.delete_touch(conn, deleted, touch.id, by="U1", now=at(day, 12))
        won = await leads.set_status(conn, quick, "won", at(day, 18))
        lost = await leads.set_status(conn, never, "lost", at(day, 19))
        reopened = await leads.set_status(conn, late, "lost", at(day, 20))
        await leads.set_status(conn, reopened, "open", at(day, 21))
    assert (won.status, lost.status) == ("won", "lost")

    row = await snapshots.measure(db.reader, UTC_TEAM, day, at(MONDAY, 9, 30), count_open=False)
    assert row.open is None
    assert row.new_leads == {"referral": 1, "inbound": 1, "cold": 1}
    assert (row.won, row.lost) == (1, 1)  # the reopened one is open again
    assert row.answers == {"U1": (30,), "U2": (None, 50)}
    assert (row.signals, row.answered_within_hour, row.answered_same_day) == (3, 2, 1)


async def test_a_day_is_kept_once_and_reads_back_as_it_was_written(db):
    day = date(2026, 11, 22)
    await _lead(db, "Jane", "referral", "U1", at(day, 9))
    row = await snapshots.measure(db.reader, UTC_TEAM, day, at(MONDAY, 9), count_open=True)
    assert row.open == {"hot": 0, "warm": 1, "cold": 0}
    async with db.transaction() as conn:
        assert await snapshots.keep(conn, row)
    again = await snapshots.measure(db.reader, UTC_TEAM, day, at(MONDAY, 10), count_open=True)
    async with db.transaction() as conn:
        assert not await snapshots.keep(conn, again)
    assert await snapshots.between(db.reader, "T1", day, day) == [row]
    assert await snapshots.latest_day(db.reader, "T1") == day


async def test_two_runners_racing_keep_each_day_once(db):
    """Two processes' minute loops at once (two connections to one database)."""
    async with db.transaction() as conn:
        await deliveries.save_settings(conn, UTC_TEAM, "U1", at(MONDAY, 1))
    await _lead(db, "Jane", "referral", "U1", at(MONDAY - timedelta(days=9), 9))
    first = await snapshots.measure(
        db.reader, UTC_TEAM, MONDAY - timedelta(days=6), at(MONDAY, 1), count_open=True
    )
    async with db.transaction() as conn:
        await snapshots.keep(conn, first)  # kept last Tuesday; then the app was down
    other = await Database.open(db.address)
    try:
        kept = await asyncio.gather(
            *(snapshots.keep_due(runner, UTC_TEAM, at(MONDAY, 9, 1)) for runner in (db, other))
        )
    finally:
        await other.close()
    days = await snapshots.between(db.reader, "T1", MONDAY - timedelta(days=30), MONDAY)
    assert [row.day for row in days] == [MONDAY - timedelta(days=n) for n in range(6, 0, -1)]
    assert sum(kept) == 5  # Wednesday to Sunday, each by one runner
    assert [row.open is not None for row in days] == [True, False, False, False, False, True]


async def test_forgetting_a_workspace_deletes_its_history_and_only_its(db):
    """What ``app_uninstalled`` runs (test_oauth sends the event for every table)."""
    for team in ("T1", "T2"):
        settings = WorkspaceSettings(team, None, "09:00", "UTC")
        await snapshots.keep_due(db, settings, at(MONDAY, 10))
    async with db.transaction() as conn:
        await installations.forget_workspace(conn, "T1")
    assert await snapshots.latest_day(db.reader, "T1") is None
    assert await snapshots.latest_day(db.reader, "T2") == SUNDAY


# ---------------------------------------------------------------- the app keeps it


async def configure(hotleads, text="channel:<#CSALES|sales> time:09:00 tz:Europe/Berlin"):
    hotleads.slack.responses["cmd"].clear()
    await hotleads.command(f"settings {text}", user_id="UADMIN")
    await hotleads.slack.wait_for_responses("cmd")


async def test_the_minute_loop_keeps_the_day_just_ended_once_even_when_runs_race(hotleads):
    await configure(hotleads)
    hotleads.clock.moment -= timedelta(days=20)
    await hotleads.command("add Old Olga source:referral")  # weeks before the feature ran
    hotleads.clock.moment += timedelta(days=20)
    await asyncio.gather(hotleads.run_due(), hotleads.run_due())
    await hotleads.run_due()
    rows = await snapshots.between(hotleads.db.reader, TEAM, date(2026, 1, 1), MONDAY)
    assert [row.day for row in rows] == [SUNDAY]  # never invented for the weeks before
    assert rows[0].open == {"hot": 0, "warm": 1, "cold": 0}


async def test_days_missed_while_the_app_was_down_are_caught_up_on_the_next_run(hotleads):
    await configure(hotleads)
    await hotleads.run_due()  # Monday 10:00 UTC: Sunday kept
    hotleads.clock.moment += timedelta(days=1)  # Tuesday: nobody runs run-due
    await hotleads.command("add Tuesday Tom source:event")
    await hotleads.command("add Tuesday Tina source:event")
    hotleads.clock.moment += timedelta(days=2)  # Thursday 10:00 UTC, 11:00 in Berlin
    await hotleads.run_due()
    rows = await snapshots.between(hotleads.db.reader, TEAM, SUNDAY, MONDAY + timedelta(days=3))
    assert [row.day for row in rows] == [SUNDAY + timedelta(days=n) for n in range(4)]
    by_day = {row.day: row for row in rows}
    assert by_day[MONDAY + timedelta(days=1)].new_leads == {"event": 2}
    # Nobody counted open leads on the mornings the app was down: left unknown.
    assert [row.open is None for row in rows] == [False, True, True, False]
    assert rows[-1].open == {"hot": 0, "warm": 2, "cold": 0}


# ---------------------------------------------------------------- the CSV export


async def test_export_snapshots_writes_one_line_per_workspace_per_day(tmp_path):
    path = tmp_path / "h.db"
    db = await Database.open(path)
    try:
        for team in ("T1", "T2"):
            async with db.transaction() as conn:
                settings = WorkspaceSettings(team, None, "09:00", "UTC")
                await deliveries.save_settings(conn, settings, "U1", at(MONDAY, 1))
            await snapshots.keep_due(db, settings, at(MONDAY - timedelta(days=1), 10))
            await snapshots.keep_due(db, settings, at(MONDAY, 10))
    finally:
        await db.close()
    code, out, err = await run_cli("export", "--snapshots", env=db_env(path))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["team_id"], r["day"]) for r in rows] == [
        (team, day.isoformat()) for team in ("T1", "T2") for day in (SUNDAY - timedelta(1), SUNDAY)
    ]
    code, out, err = await run_cli(
        "export", "--snapshots", "--team", "T2", "--out", str(tmp_path / "t2.csv"), env=db_env(path)
    )
    assert code == 0, err
    assert "2 days" in err
    assert {
        r["team_id"] for r in csv.DictReader(io.StringIO((tmp_path / "t2.csv").read_text()))
    } == {"T2"}

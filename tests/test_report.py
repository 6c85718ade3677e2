"""Is the score right? The report on a seeded history: the CLI, and what a close keeps."""

from datetime import UTC, datetime, timedelta

import pytest
from test_cli import db_env, hotleads

from bot.domain.lead import NewTouch
from bot.domain.report import ENOUGH, Answered, Closed, report, speed_lines
from bot.domain.working_hours import WorkingHours
from storage import leads
from storage import report as report_rows
from storage.db import Database

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)


async def seed(path, team="T1"):
    """Hot leads (a quote 20 days before the close) mostly won; cold ones (only emails) lost."""
    db = await Database.open(path)
    async with db.transaction() as conn:
        for n in range(14):
            hot = n < 8
            start = NOW - 40 * DAY
            lead = await leads.create(
                conn,
                team_id=team,
                name=f"L{n}",
                source="cold",
                owner=f"U{n % 2}",
                created_by="U1",
                now=start,
            )
            asked = start + 6 * DAY
            lead = await leads.add_touch(
                conn,
                lead,
                NewTouch(kind="quote" if hot else "email", at=asked, logged_by="U1"),
                asked,
            )
            answer = asked + timedelta(minutes=35 if n % 2 else 120)
            lead = await leads.add_touch(
                conn,
                lead,
                NewTouch(kind="call" if hot else "voicemail", at=answer, logged_by="U1"),
                answer,
            )
            won = hot and n != 0
            await leads.set_status(conn, lead, "won" if won else "lost", start + 26 * DAY)
    await db.close()


async def test_a_close_keeps_the_band_14_days_before(tmp_path):
    path = tmp_path / "h.db"
    await seed(path)
    db = await Database.open(path)
    closed = await report_rows.closed_since(db.reader, ["T1"], NOW - 90 * DAY)
    answers = await report_rows.answers_since(db.reader, ["T1"], NOW - 90 * DAY)
    await db.close()
    assert sorted(c.band_before for c in closed) == ["cold"] * 6 + ["hot"] * 8
    assert sum(c.won for c in closed if c.band_before == "hot") == 7
    assert len(answers) == 8 and all(done is not None for _, done in answers)


async def test_the_cli_prints_rates_with_counts_bars_and_speed_to_lead(tmp_path):
    path = tmp_path / "h.db"
    await seed(path)
    code, out, err = await hotleads("report", "--days", "90", env=db_env(path))
    assert code == 0, err
    assert "hot: 7 of 8 won, 88% █████████·" in out
    assert "cold: 0 of 6 won, 0%" in out
    assert "Speed to lead: median " in out and "4 of 8 buying signals (50%)" in out
    assert "Median days from first touch to won: 20" in out
    assert "Speed to lead by rep (working time)" in out
    assert "U0: 4 buying signals (fewer than 5: not enough to say)" in out
    assert "Speed to lead by source (working time)\n  cold: median " in out
    code, out, _ = await hotleads("report", "--days", "5", env=db_env(path))
    assert code == 0 and "Not enough closed leads yet" in out
    code, _, err = await hotleads("report", "--days", "soon", env=db_env(path))
    assert code == 2 and "number of days" in err


def test_below_the_threshold_a_row_says_so_instead_of_a_rate():
    at = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [Closed("U1", "referral", True, "hot", at, at)] * ENOUGH + [
        Closed("U2", "cold", False, "cold", at, at)
    ]
    text = report(rows, [], 90)
    assert "referral: 5 of 5 won, 100%" in text
    assert "cold: 0 of 1 won (not enough closed leads yet)" in text


def test_the_words_a_lead_was_closed_with_are_quoted_latest_first():
    at = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        Closed("U1", "referral", True, "hot", at, at + n * DAY, f"Lead {n}", f"note {n}")
        for n in range(7)
    ] + [Closed("U2", "cold", False, "cold", at, at, "Quiet Quinn")]
    text = report(rows, [], 90)
    words = text[text.index("In their words") :].splitlines()
    assert words[1:3] == ["  won Lead 6: note 6", "  won Lead 5: note 5"]
    assert words[6] == "  …and 2 more" and "Quiet Quinn" not in text
    assert "In their words" not in report(rows[-1:], [], 90)


MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OFFICE = WorkingHours.of("09:00-18:00", ("mon", "tue", "wed", "thu", "fri"), "UTC")


def answered(owner: str, minutes: float | None, source: str = "inbound", at=MONDAY) -> Answered:
    done = None if minutes is None else at + timedelta(minutes=minutes)
    return Answered("T1", owner, source, at, done)


@pytest.mark.parametrize(
    ("rows", "passed_on", "line"),
    [
        (
            [answered("U1", m) for m in (2, 4, 30, 90, None)],
            {},
            "U1: median 17 min; within 5 min 40%, within an hour 60% of 5",
        ),
        (
            [answered("U2", 3)] * 4,
            {"U2": 2},
            "U2: 4 buying signals (fewer than 5: not enough to say); 2 passed on by the relay",
        ),
        (  # asked Friday 17:55, answered Monday 09:05: ten minutes of working time
            [
                answered(
                    "U3",
                    (2 * 24 + 15) * 60 + 10,
                    at=MONDAY + timedelta(days=4, hours=8, minutes=55),
                )
            ]
            * 5,
            {},
            "U3: median 10 min; within 5 min 0%, within an hour 100% of 5",
        ),
    ],
)
def test_speed_to_lead_per_rep_counts_working_time(rows, passed_on, line):
    lines = speed_lines(rows, passed_on, lambda _: OFFICE)
    assert f"  {line}" in lines


def test_speed_to_lead_per_source_and_nothing_without_signals():
    rows = [answered("U1", 10, "referral")] * 5 + [answered("U2", 30, "cold")]
    lines = speed_lines(rows, {}, lambda _: OFFICE)
    assert "  referral: median 10 min; within 5 min 0%, within an hour 100% of 5" in lines
    assert "  cold: 1 buying signals (fewer than 5: not enough to say)" in lines
    assert speed_lines([], {}, lambda _: OFFICE) == []

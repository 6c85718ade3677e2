"""The weekly summary: its numbers, its day, its one post, its picture and its failures.

The pure summary (``bot.domain.weekly``) as tables; then two weeks of a team's work
through the real app, the fake Slack and a moving clock, checking that the lines,
the alt text, the picture and ``/lead report`` all say the same numbers.
"""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import TEAM, reply_text
from PIL import Image

from bot.domain import weekly as summary
from bot.domain.report import by_band
from bot.domain.schedule import WorkspaceSettings
from bot.domain.snapshots import Snapshot, speed
from bot.domain.weekly import ALT_TEXT_LIMIT, short_duration, weekly
from handlers import pictures
from storage import deliveries, pipeline, snapshots
from storage import report as report_rows

SUNDAY = date(2026, 11, 22)


def row(day: date, hot=0, warm=0, cold=0, won=0, lost=0, answers=None, counted=True) -> Snapshot:
    return Snapshot(
        team_id="T1",
        day=day,
        taken_at=datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1, hours=9),
        open={"hot": hot, "warm": warm, "cold": cold} if counted else None,
        new_leads={},
        won=won,
        lost=lost,
        answers=answers or {},
        answered_same_day=0,
    )


# ---------------------------------------------------------------- the summary, pure


@pytest.mark.parametrize(
    ("minutes", "median", "unanswered"),
    [
        ([], None, False),
        ([10, 20], 15, False),
        ([10, 20, None], 20, False),  # not answered counts as slower than any answer
        ([10, None], None, True),  # the middle falls among the unanswered
        ([None, None, 5], None, True),
        ([38], 38, False),
    ],
)
def test_median_answer_counts_unanswered_signals_as_slowest(minutes, median, unanswered):
    found = speed(minutes)
    assert (found.median, found.unanswered, found.signals) == (median, unanswered, len(minutes))


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(0, "0 min"), (38, "38 min"), (89, "89 min"), (90, "2 h"), (180, "3 h"), (2880, "2 days")],
)
def test_short_duration(minutes, words):
    assert short_duration(minutes) == words


def test_weeks_end_on_the_last_day_and_take_the_last_morning_counted():
    rows = [
        row(SUNDAY - timedelta(days=13), hot=4, warm=5, cold=6, won=1),
        row(SUNDAY - timedelta(days=7), hot=9, warm=8, cold=7, lost=2),
        row(SUNDAY - timedelta(days=2), hot=11, warm=1, cold=1, won=2),
        row(SUNDAY - timedelta(days=1), won=1, counted=False),  # a day caught up later
    ]
    found = weekly(rows, SUNDAY)
    assert [(w.first, w.last, w.days) for w in found.weeks] == [
        (date(2026, 11, 9), date(2026, 11, 15), 2),
        (date(2026, 11, 16), date(2026, 11, 22), 2),
    ]
    assert found.weeks[0].open == {"hot": 9, "warm": 8, "cold": 7}
    assert found.weeks[1].open == {"hot": 11, "warm": 1, "cold": 1}
    assert [(w.won, w.lost) for w in found.weeks] == [(1, 2), (3, 0)]
    assert found.history_days == 4 and not found.enough
    assert [start for start, _ in found.slots()] == [
        date(2026, 9, 28) + timedelta(days=7 * n) for n in range(8)
    ]
    assert found.lines() == ["11 hot now, up from 9 a week ago", "3 won, 0 lost", found.lines()[2]]


@pytest.mark.parametrize(
    ("now_hot", "ago_hot", "line"),
    [
        (12, 9, "12 hot now, up from 9 a week ago"),
        (3, 9, "3 hot now, down from 9 a week ago"),
        (9, 9, "9 hot now, as many as a week ago"),
        (7, None, "7 hot now"),
    ],
)
def test_the_hot_line(now_hot, ago_hot, line):
    rows = [row(SUNDAY, hot=now_hot)]
    if ago_hot is not None:
        rows.append(row(SUNDAY - timedelta(days=7), hot=ago_hot))
    assert weekly(rows, SUNDAY).lines()[0] == line


@pytest.mark.parametrize(
    ("answers", "line"),
    [
        ({}, "no buying signals this week"),
        ({"U1": (38,)}, "median answer 38 min"),  # one rep: nobody to be slowest
        (
            {"U1": (20, 38), "U2": (180,)},
            "median answer 38 min, slowest rep: @U2 3 h",
        ),
        (
            {"U1": (5, 8), "U2": (None, None, 30)},
            "median answer 30 min, slowest rep: @U2 (2 of 3 not answered by next morning)",
        ),
        (
            {"U1": (None, None), "U2": (12,)},
            "most buying signals not answered by next morning (2 of 3), slowest rep: @U1 "
            "(2 of 2 not answered by next morning)",
        ),
        ({"": (4,), "U2": (60,)}, "median answer 32 min"),  # nobody's lead is nobody's speed
    ],
)
def test_the_speed_line_names_the_slowest_rep_when_there_are_two(answers, line):
    found = weekly([row(SUNDAY, answers=answers)], SUNDAY)
    assert found.lines(name_of=lambda owner: f"@{owner}")[2] == line


def test_no_closes_say_so():
    assert weekly([row(SUNDAY)], SUNDAY).lines()[1] == "none won or lost this week"


def test_short_history_is_said_and_two_weeks_are_enough():
    days = [row(SUNDAY - timedelta(days=n)) for n in range(14)]
    assert weekly(days[:3], SUNDAY).note().startswith("Only 3 days of history so far")
    assert weekly([], SUNDAY).note().startswith("No history yet")
    assert weekly(days, SUNDAY).enough and weekly(days, SUNDAY).note() == ""


def test_the_alt_text_states_every_number_the_picture_shows_within_slacks_limit():
    rows = [
        row(
            SUNDAY - timedelta(days=7 * n),
            hot=100 + n,
            warm=2000 + n,
            cold=30000 + n,
            won=10 + n,
            lost=20 + n,
            answers={"U1": (40 + n, 50 + n, 60 + n)},
        )
        for n in range(8)
    ]
    found = weekly(rows, SUNDAY)
    alt = found.alt_text()
    assert len(alt) <= ALT_TEXT_LIMIT
    for week in found.weeks:
        assert week.open is not None
        shown = f"{week.label()} {week.open['hot']}/{week.open['warm']}/{week.open['cold']}"
        assert shown in alt
        assert f"{week.label()} {week.won}/{week.lost}" in alt
        assert f"{week.label()} {short_duration(week.speed.median or 0)}" in alt


@pytest.mark.parametrize(
    ("weekly_day", "now", "due"),
    [
        ("mon", datetime(2026, 11, 23, 7, 59, tzinfo=UTC), None),  # 08:59 in Berlin
        ("mon", datetime(2026, 11, 23, 8, 0, tzinfo=UTC), date(2026, 11, 23)),
        ("mon", datetime(2026, 11, 23, 22, 59, tzinfo=UTC), date(2026, 11, 23)),
        ("mon", datetime(2026, 11, 23, 23, 0, tzinfo=UTC), None),  # Tuesday in Berlin
        ("thu", datetime(2026, 11, 26, 9, 0, tzinfo=UTC), date(2026, 11, 26)),
        ("thu", datetime(2026, 11, 23, 9, 0, tzinfo=UTC), None),
        ("off", datetime(2026, 11, 23, 9, 0, tzinfo=UTC), None),
    ],
)
def test_the_summary_is_due_on_its_day_from_the_digest_time(weekly_day, now, due):
    settings = WorkspaceSettings("T1", "CSALES", "09:00", "Europe/Berlin", weekly=weekly_day)
    assert summary.due(settings, now) == due


# ---------------------------------------------------------------- two weeks through the app

NOV = datetime(2026, 11, 1, tzinfo=UTC)


def on(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, UTC (Berlin is an hour ahead)."""
    return NOV.replace(day=day, hour=hour, minute=minute)


async def configure(hotleads, text="channel:<#CSALES|sales> time:09:00 tz:Europe/Berlin"):
    hotleads.slack.responses["cmd"].clear()
    await hotleads.command(f"settings {text}", user_id="UADMIN")
    (answer,) = await hotleads.slack.wait_for_responses("cmd")
    return reply_text(answer)


async def as_of(hotleads, moment: datetime, text: str, user: str = "U1") -> None:
    hotleads.clock.moment = moment
    await hotleads.command(text, user_id=user)


def weekly_posts(hotleads) -> list:
    return [
        c
        for c in hotleads.slack.calls_to("files.completeUploadExternal")
        if c.ok and c.params.get("channel_id") == "CSALES"
    ]


async def two_weeks(hotleads) -> dict[date, int]:
    """Two weeks of a team's work, run-due every morning; the hot count each Monday."""
    hotleads.slack.default_user = {"tz": "Europe/Berlin", "is_admin": False}
    hotleads.clock.moment = on(9, 7)
    await configure(hotleads)
    hot_on_mondays: dict[date, int] = {}
    script = {
        10: [
            ("add Ann Ames source:inbound", "U1"),  # 1
            ("add Bob Burr source:referral", "U1"),  # 2
            ("add Cid Cole source:cold", "U2"),  # 3
        ],
        12: [("lost #3 no budget", "U2")],
        17: [
            ("add Dan Dorn source:inbound", "U1"),  # 4
            ("add Eve Ek source:event", "U2"),  # 5
            ("add Fay Fox source:inbound", "U1"),  # 6
        ],
        19: [("won #1", "U1")],
        20: [("won #2", "U1")],
        21: [("lost #5 went elsewhere", "U2")],
    }
    signals = {  # day: (lead, signal, answer, minutes later, who)
        10: [("#1", "quote", "call", 50, "U1")],
        18: [
            ("#4", "trial", "call", 20, "U1"),
            ("#6", "quote", "email", 38, "U1"),
            ("#5", "download", "call", 180, "U2"),
        ],
    }
    for day in range(9, 23):
        hotleads.clock.moment = on(day, 8, 30)  # 09:30 in Berlin
        await hotleads.run_due()
        if on(day, 0).weekday() == 0:
            counts = await pipeline.band_counts(hotleads.db.reader, TEAM, on(day, 8, 30))
            hot_on_mondays[on(day, 0).date()] = counts["hot"]
        for text, user in script.get(day, []):
            await as_of(hotleads, on(day, 10), text, user)
        for lead, signal, answer, minutes, user in signals.get(day, []):
            await as_of(hotleads, on(day, 11), f"log {lead} {signal}", user)
            await as_of(
                hotleads, on(day, 11) + timedelta(minutes=minutes), f"log {lead} {answer}", user
            )
    hotleads.clock.moment = on(23, 8, 30)
    counts = await pipeline.band_counts(hotleads.db.reader, TEAM, on(23, 8, 30))
    hot_on_mondays[date(2026, 11, 23)] = counts["hot"]
    return hot_on_mondays


def png_size(content: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(content)) as image:
        image.verify()
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "PNG"
        return image.size


async def test_the_weekly_post_says_the_weeks_numbers_once_on_its_day(hotleads):
    hot = await two_weeks(hotleads)
    assert len(weekly_posts(hotleads)) == 2  # Mondays 9 and 16 November
    await hotleads.run_due()
    await hotleads.run_due()
    posts = weekly_posts(hotleads)
    assert len(posts) == 3  # and 23 November, once

    post = posts[-1]
    text = post.params["initial_comment"]
    ago, now = hot[date(2026, 11, 16)], hot[date(2026, 11, 23)]
    trend = "as many as" if now == ago else ("up from" if now > ago else "down from")
    expected_hot = (
        f"{now} hot now, {trend} a week ago"
        if trend == "as many as"
        else (f"{now} hot now, {trend} {ago} a week ago")
    )
    assert f":fire: {expected_hot}" in text
    assert ":trophy: 2 won, 1 lost" in text
    assert ":stopwatch: median answer 38 min, slowest rep: <@U2> 3 h" in text
    assert "history so far" not in text  # 15 days kept by now

    # The picture and its alt text say what the lines say: all from one Weekly.
    kept = await snapshots.weekly(hotleads.db.reader, TEAM, date(2026, 11, 23))
    assert kept.lines(name_of=lambda u: f"<@{u}>") == [
        expected_hot,
        "2 won, 1 lost",
        "median answer 38 min, slowest rep: <@U2> 3 h",
    ]
    (file_id,) = [f["id"] for f in post.params["files"]]
    shared = hotleads.slack.files[file_id]
    assert shared["channels"] == ["CSALES"] and shared["mimetype"] == "image/png"
    assert shared["alt_txt"] == kept.alt_text()
    latest = kept.weeks[-1]
    assert latest.open is not None and latest.open["hot"] == now
    assert f"16 Nov {now}/{latest.open['warm']}/{latest.open['cold']}" in shared["alt_txt"]
    assert "16 Nov 2/1" in shared["alt_txt"] and "16 Nov 38 min" in shared["alt_txt"]
    width, height = png_size(shared["content"])
    assert width >= 1200 and height >= 600

    # Tuesday: nothing more.
    hotleads.clock.moment = on(24, 8, 30)
    await hotleads.run_due()
    assert len(weekly_posts(hotleads)) == 3


async def test_the_first_weeks_say_how_little_history_there_is(hotleads):
    await configure(hotleads)
    hotleads.clock.moment = on(23, 8, 30)
    await hotleads.run_due()
    (post,) = weekly_posts(hotleads)
    assert "_Only 1 day of history so far" in post.params["initial_comment"]
    (shared,) = hotleads.slack.files.values()
    assert "Only 1 day of history so far" in shared["alt_txt"]


async def test_the_day_can_be_changed_or_the_summary_turned_off(hotleads):
    said = await configure(hotleads, "channel:<#CSALES|sales> time:09:00 weekly:thursday")
    assert "Thursdays at 09:00" in said
    assert (await deliveries.get_settings(hotleads.db.reader, TEAM)).weekly == "thu"
    hotleads.clock.moment = on(23, 9, 30)  # Monday
    await hotleads.run_due()
    assert weekly_posts(hotleads) == []
    hotleads.clock.moment = on(26, 9, 30)  # Thursday
    await hotleads.run_due()
    assert len(weekly_posts(hotleads)) == 1
    said = await configure(hotleads, "weekly:off")
    assert "off" in said
    hotleads.clock.moment = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # the next Thursday
    await hotleads.run_due()
    assert len(weekly_posts(hotleads)) == 1


async def test_a_mistyped_day_changes_nothing(hotleads):
    hotleads.clock.moment = on(23, 9, 30)
    reply = reply_text(await hotleads.command("settings weekly:someday", user_id="UADMIN"))
    assert "`weekly:` is the day the weekly summary is posted" in reply
    assert (await deliveries.get_settings(hotleads.db.reader, TEAM)).weekly == "mon"


async def test_without_files_write_the_lines_go_out_alone_and_settings_say_why(hotleads):
    await configure(hotleads)
    hotleads.slack.withheld_scopes = {"files:write"}
    hotleads.clock.moment = on(23, 8, 30)
    await hotleads.run_due()
    (refused,) = hotleads.slack.calls_to("files.getUploadURLExternal")
    assert refused.error == "missing_scope"
    lines = [
        c
        for c in hotleads.slack.calls_to("chat.postMessage")
        if c.ok and "Your pipeline this week" in c.params["text"]
    ]
    assert len(lines) == 1 and lines[0].params["channel"] == "CSALES"
    assert ":fire:" in lines[0].params["text"]
    assert "files:write" in reply_text({"blocks": lines[0].params["blocks"]})
    last = await deliveries.latest(hotleads.db.reader, TEAM, "weekly")
    assert last is not None and last.status == "sent"
    assert last.detail["picture_error"] == "missing_scope"
    shown = reply_text(await hotleads.command("settings"))
    assert "went out without its picture: the app lacks the files:write permission" in shown

    hotleads.clock.moment += timedelta(minutes=1)  # nothing is retried every minute
    await hotleads.run_due()
    assert len(hotleads.slack.calls_to("files.getUploadURLExternal")) == 1


async def test_a_channel_gone_is_recorded_and_not_retried(hotleads):
    await configure(hotleads)
    hotleads.slack.gone_channels = {"CSALES"}
    hotleads.clock.moment = on(23, 8, 30)
    await hotleads.run_due()
    (complete,) = hotleads.slack.calls_to("files.completeUploadExternal")
    assert complete.error == "invalid_channel"
    last = await deliveries.latest(hotleads.db.reader, TEAM, "weekly")
    assert last is not None and (last.status, last.error) == ("refused", "channel_not_found")
    shown = reply_text(await hotleads.command("settings"))
    assert "Last weekly summary (2026-11-23) was refused by Slack: the digest channel" in shown
    hotleads.clock.moment += timedelta(minutes=1)
    await hotleads.run_due()
    assert len(hotleads.slack.calls_to("files.getUploadURLExternal")) == 1


# ---------------------------------------------------------------- /lead report's pictures


async def closed_leads(hotleads) -> None:
    """Six leads closed today: some were hot 14 days before, some warm, some new."""
    hotleads.slack.default_user = {"tz": "Europe/Berlin", "is_admin": False}
    start = on(23, 10)
    for n, (name, source) in enumerate(
        [("A", "inbound"), ("B", "inbound"), ("C", "referral"), ("D", "cold"), ("E", "cold")], 1
    ):
        await as_of(hotleads, start - timedelta(days=40), f"add {name}{name} Lead source:{source}")
        if n <= 2:
            await as_of(hotleads, start - timedelta(days=15), f"log #{n} quote")
    await as_of(hotleads, start - timedelta(days=3), "add New Newton source:inbound")
    for text in ("won #1", "lost #2", "won #3", "lost #4", "lost #5", "won #6"):
        await as_of(hotleads, start, text)


async def test_report_sends_the_weekly_and_win_rate_pictures_to_the_callers_dm(hotleads):
    await configure(hotleads)
    await closed_leads(hotleads)
    hotleads.clock.moment = on(23, 10)
    await hotleads.run_due()
    ack = reply_text(await hotleads.command("report days:30"))
    assert "pictures are in your DM" in ack
    (upload,) = [
        c
        for c in await hotleads.slack.wait_for("files.completeUploadExternal", count=2)
        if c.params.get("channel_id") == "DU1"
    ]
    shared = [hotleads.slack.files[f["id"]] for f in upload.params["files"]]
    assert [f["name"] for f in shared] == [
        "hotleads-weekly-2026-11-23.png",
        "hotleads-win-rates-2026-11-23.png",
    ]
    for picture in shared:
        width, height = png_size(picture["content"])
        assert width >= 1200 and height >= 600

    # The win-rate picture's numbers are the report's: each band line, in its alt text.
    bands = ack.split("Win rate by band 14 days before the close")[1].split("By source")[0]
    rows = re.findall(r"^\s+(hot|warm|cold|none): (\d+) of (\d+) won", bands, re.MULTILINE)
    assert rows and sum(int(closed) for *_, closed in rows) == 6
    since = on(23, 10) - timedelta(days=30)
    rates = by_band(await report_rows.closed_since(hotleads.db.reader, [TEAM], since))
    assert [(r.band, r.won, r.closed) for r in rates] == [
        (band, int(won), int(closed)) for band, won, closed in rows
    ]
    alt = shared[1]["alt_txt"]
    for rate in rates:
        name = "new (added under 14 days before)" if rate.band == "none" else rate.band
        assert f"{name} {rate.won} of {rate.closed} won" in alt
    figure = pictures.win_rates_figure(rates, 30)
    bars = [p.get_height() for p in figure.axes[0].patches]
    assert bars == pytest.approx([100 * r.won / r.closed for r in rates])

    # The weekly picture is the one the channel got.
    kept = await snapshots.weekly(hotleads.db.reader, TEAM, date(2026, 11, 23))
    assert shared[0]["alt_txt"] == kept.alt_text()


async def test_report_without_files_write_still_answers_and_says_why_no_pictures(hotleads):
    hotleads.slack.withheld_scopes = {"files:write"}
    hotleads.slack.responses["cmd"].clear()
    ack = reply_text(await hotleads.command("report"))
    assert ack.startswith("Leads won or lost in the last 90 days: 0")
    (warning,) = await hotleads.slack.wait_for_responses("cmd")
    assert "couldn't send you the report's pictures" in warning["text"]
    assert "files:write" in warning["text"]

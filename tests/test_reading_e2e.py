"""Reading reps like a colleague would, end to end: whole dates, moments in notes, names,
safe suggestions, punctuation and quick phrases, through the real app and the fake Slack."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import TEAM, every_lead, reply_text

from storage import leads, next_steps

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
BERLIN_AFTERNOON = (2026, 12, 1, 15, 46)  # Tuesday 1 Dec, 15:46
NEW_YORK_MORNING = (2026, 12, 1, 8, 5)  # the same Tuesday, 8:05: this afternoon is ahead


async def in_zone(hotleads, tz: str, wall: tuple[int, ...], locale: str = "en-US") -> None:
    """U1 lives in ``tz`` with Slack set to ``locale``; the clock stands at ``wall`` there."""
    hotleads.slack.users["U1"] = {"id": "U1", "tz": tz, "is_admin": False, "locale": locale}
    await hotleads.command("add Zed Zero source:referral")
    await hotleads.user_cached()
    hotleads.clock.moment = datetime(*wall, tzinfo=ZoneInfo(tz)).astimezone(UTC)


async def last_touch(hotleads, number: int = 1):
    (lead,) = [lead for lead in await every_lead(hotleads.db, TEAM) if lead.number == number]
    return (await leads.recent_touches(hotleads.db.reader, lead))[0]


@pytest.mark.parametrize(
    ("tz", "wall", "text", "note", "local", "shown"),
    [
        (
            BERLIN,
            BERLIN_AFTERNOON,
            "log #1 inbound she called in asking about the API tier, 25 nov 11am",
            "she called in asking about the API tier",
            (2026, 11, 25, 11, 0),
            "On Wed 25 Nov, 11:00 — from “25 nov 11am”",
        ),
        (
            BERLIN,
            BERLIN_AFTERNOON,
            "log #1 call nov 25 9:15am",
            "",
            (2026, 11, 25, 9, 15),
            "Wed 25 Nov, 09:15",
        ),
        (
            BERLIN,
            BERLIN_AFTERNOON,
            "log #1 quote for 20 seats 11/25 4pm",
            "for 20 seats",
            (2026, 11, 25, 16, 0),
            "Wed 25 Nov, 16:00 — from “11/25 4pm”",
        ),
        (
            BERLIN,
            BERLIN_AFTERNOON,
            "log #1 call 25.11. 16:00",
            "",
            (2026, 11, 25, 16, 0),
            "Wed 25 Nov, 16:00",
        ),
        (
            BERLIN,
            BERLIN_AFTERNOON,
            "log #1 call 2025-11-25 14:00",
            "",
            (2025, 11, 25, 14, 0),
            "Tue 25 Nov 2025, 14:00",
        ),
        (
            BERLIN,
            BERLIN_AFTERNOON,
            "log #1 call last tue 10am",
            "",
            (2026, 11, 24, 10, 0),
            "Tue 24 Nov, 10:00",
        ),
        (
            NEW_YORK,
            NEW_YORK_MORNING,
            "log #1 call yesterday at 3",
            "",
            (2026, 11, 30, 15, 0),
            "Mon 30 Nov, 15:00",
        ),
        (
            BERLIN,
            BERLIN_AFTERNOON,
            "log #1 call on 25 nov",
            "",
            (2026, 11, 25, 12, 0),
            "On Wed 25 Nov, 12:00 — from “on 25 nov” (no time given: noon)",
        ),
        (
            NEW_YORK,
            NEW_YORK_MORNING,
            "log #1 call 1 dec",
            "",
            (2026, 12, 1, 8, 5),
            "from “1 dec” (today: the time now)",
        ),
        # 3pm today is still ahead in New York: the date stays whole in the note, and we say so.
        (
            NEW_YORK,
            NEW_YORK_MORNING,
            "log #1 call 1 dec 3pm",
            "1 dec 3pm",
            (2026, 12, 1, 8, 5),
            "Recorded now (Tue 1 Dec, 08:05); I left “1 dec 3pm” in the note",
        ),
        # A moment inside the note, the only one: used.
        (
            BERLIN,
            BERLIN_AFTERNOON,
            "log #1 call this morning, verbal yes pending PO",
            "verbal yes pending PO",
            (2026, 12, 1, 9, 0),
            "from “this morning”",
        ),
        (
            NEW_YORK,
            NEW_YORK_MORNING,
            "log #1 meeting with the CFO yesterday afternoon about seats",
            "with the CFO yesterday afternoon about seats",
            (2026, 11, 30, 14, 0),
            "Mon 30 Nov, 14:00 — from “yesterday afternoon”",
        ),
        # Two moments inside: neither is guessed at.
        (
            BERLIN,
            BERLIN_AFTERNOON,
            "log #1 call met yesterday afternoon and this morning again",
            "met yesterday afternoon and this morning again",
            (2026, 12, 1, 15, 46),
            "Recorded now (Tue 1 Dec, 15:46); I left “yesterday afternoon” and “this morning” in the note",
        ),
        # when: wins, and the moment in the note is named as left there.
        (
            BERLIN,
            BERLIN_AFTERNOON,
            'log #1 call this morning when:"yesterday 3pm"',
            "this morning",
            (2026, 11, 30, 15, 0),
            "from “yesterday 3pm”; I left “this morning” in the note",
        ),
    ],
)
async def test_the_moment_a_rep_writes_is_read_whole_and_the_reply_says_how(
    hotleads, tz, wall, text, note, local, shown
):
    await in_zone(hotleads, tz, wall)
    reply = reply_text(await hotleads.command(text))
    assert shown in reply
    touch = await last_touch(hotleads)
    moment = touch.at.astimezone(ZoneInfo(tz))
    assert (touch.note, moment.timetuple()[:5]) == (note, local)


@pytest.mark.parametrize(
    ("locale", "local", "shown"),
    [
        ("en-US", (2026, 3, 4, 10, 0), "On Wed 4 Mar, 10:00 — from “3/4 10am”"),
        ("en-GB", (2026, 4, 3, 10, 0), "On Fri 3 Apr, 10:00 — from “3/4 10am”"),
        ("de-DE", (2026, 4, 3, 10, 0), "On Fri 3 Apr, 10:00 — from “3/4 10am”"),
    ],
)
async def test_numeric_dates_follow_the_reps_slack_locale(hotleads, locale, local, shown):
    await in_zone(hotleads, BERLIN, BERLIN_AFTERNOON, locale)
    assert shown in reply_text(await hotleads.command("log #1 call 3/4 10am"))
    assert (await last_touch(hotleads)).at.astimezone(ZoneInfo(BERLIN)).timetuple()[:5] == local


@pytest.mark.parametrize(
    ("text", "kind", "note"),
    [
        ("log #1 call, he wants pricing", "call", "he wants pricing"),
        ("log #1, quote: 20 seats", "quote", "20 seats"),
        ("log zed, mtg with the CFO", "meeting", "with the CFO"),
        ("log #1 downloaded the pricing sheet", "download", "the pricing sheet"),
        ("log #1 dl", "download", ""),
        ("log #1 emailed the deck", "email", "the deck"),
        ("log #1 called", "call", ""),
        ("log #1 demoed", "demo", ""),
        ("log zed tried calling, no answer", "voicemail", "no answer"),
    ],
)
async def test_punctuation_and_quick_phrases_are_read(hotleads, text, kind, note):
    await hotleads.command("add Zed Zero source:referral")
    await hotleads.command(text)
    touch = await last_touch(hotleads)
    assert (touch.kind, touch.note) == (kind, note)


@pytest.mark.parametrize(
    ("text", "said", "not_said"),
    [
        ("lsit hot team", "I don't know `lsit`. Did you mean `list`?", "`lost`"),
        ("shwo zed", "Did you mean `show`?", "`won`"),
        ("log zed tried, no answer", "I don't know the kind `tried`.", "`trial`"),
        ("log zed qoute", "Did you mean `quote`?", "`note`"),
    ],
)
async def test_suggestions_never_do_more_than_what_was_typed(hotleads, text, said, not_said):
    await hotleads.command("add Zed Zero source:referral")
    before = await every_lead(hotleads.db, TEAM)
    reply = reply_text(await hotleads.command(text))
    assert said in reply and not_said not in reply
    assert await every_lead(hotleads.db, TEAM) == before


async def test_won_and_lost_keep_the_words_after_the_lead(hotleads):
    await hotleads.command("add Pete Sampras company:Crewco")
    await hotleads.command("add Lou Ferrigno")
    reply = reply_text(await hotleads.command("won pete signed! 3 crews 🎉"))
    assert "Pete Sampras" in reply and "is won (signed! 3 crews 🎉)" in reply
    assert "quote" not in reply
    assert "Won: signed! 3 crews 🎉" in reply_text(await hotleads.command("show pete"))
    await hotleads.command("lost lou, went with a competitor")
    assert "Lost: went with a competitor" in reply_text(await hotleads.command("show lou"))
    pete, lou = await every_lead(hotleads.db, TEAM)
    assert (pete.status, pete.lost_reason) == ("won", "signed! 3 crews 🎉")
    assert (lou.status, lou.lost_reason) == ("lost", "went with a competitor")
    report = reply_text(await hotleads.command("report"))
    words = report[report.index("In their words") :]
    assert "lost Lou Ferrigno: went with a competitor" in words
    assert "won Pete Sampras: signed! 3 crews 🎉" in words


async def test_plans_take_weekdays_however_spelled(hotleads):
    await in_zone(hotleads, BERLIN, BERLIN_AFTERNOON)
    reply = reply_text(await hotleads.command("next #1 send the proposal due:next wed"))
    assert "due Wed 2 Dec" in reply
    async with hotleads.db.transaction() as conn:
        (step,) = (await next_steps.open_steps(conn, TEAM, [1])).values()
    assert step.due_on.isoformat() == "2026-12-02"
    snoozed = reply_text(await hotleads.command("snooze #1 next thu"))
    assert "2026-12-02 23:00 UTC" in snoozed  # the start of Thursday 3 Dec in Berlin

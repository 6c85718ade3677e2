"""Logging by command end to end: typed values read as meant, typos answered, through the real app."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import TEAM, every_lead, reply_text

from storage import deliveries, leads

BERLIN = ZoneInfo("Europe/Berlin")


async def in_zone(hotleads, tz: str, *wall: int) -> None:
    """U1 lives in ``tz``; the clock stands at ``wall`` on their wall clock."""
    hotleads.slack.users["U1"] = {"id": "U1", "tz": tz, "is_admin": False}
    await hotleads.command("add Zed Zero source:referral")
    await hotleads.user_cached()
    hotleads.clock.moment = datetime(*wall, tzinfo=ZoneInfo(tz)).astimezone(UTC)


async def only_touch(hotleads, number: int):
    (lead,) = [lead for lead in await every_lead(hotleads.db, TEAM) if lead.number == number]
    touches = await leads.recent_touches(hotleads.db.reader, lead)
    return touches[0]


@pytest.mark.parametrize(
    ("tz", "wall", "text", "note", "local", "shown"),
    [
        # Tuesday 1 Dec 2026, 15:46 in Berlin.
        (
            "Europe/Berlin",
            (2026, 12, 1, 15, 46),
            "log #1 email intro email when:2 days ago",
            "intro email",
            (29, 15, 46),
            "Sun 29 Nov, 15:46 — from “2 days ago”",
        ),
        (
            "Europe/Berlin",
            (2026, 12, 1, 15, 46),
            "log #1 call when:yesterday 3pm",
            "",
            (30, 15, 0),
            "Mon 30 Nov, 15:00 — from “yesterday 3pm”",
        ),
        (
            "Europe/Berlin",
            (2026, 12, 1, 15, 46),
            "log #1 call yesterday",
            "",
            (30, 15, 46),
            "from “yesterday”",
        ),
        (
            "Europe/Berlin",
            (2026, 12, 1, 15, 46),
            "log #1 call went well yesterday 3pm",
            "went well",
            (30, 15, 0),
            "Mon 30 Nov, 15:00 — from “yesterday 3pm”",
        ),
        (
            "Europe/Berlin",
            (2026, 12, 1, 15, 46),
            "log #1 call when:3pm",
            "",
            (1, 15, 0),
            "Tue 1 Dec, 15:00",
        ),
        (
            "Europe/Berlin",
            (2026, 12, 1, 15, 46),
            "log #1 call when:4pm",
            "",
            (30, 16, 0),
            "Mon 30 Nov, 16:00",
        ),
        ("Europe/Berlin", (2026, 12, 1, 15, 46), "log #1 call when:noon", "", (1, 12, 0), "12:00"),
        ("Europe/Berlin", (2026, 12, 1, 15, 46), "log #1 call when:15:00", "", (1, 15, 0), "15:00"),
        (
            "Europe/Berlin",
            (2026, 12, 1, 15, 46),
            'log #1 call when:"yesterday at 3"',
            "",
            (30, 15, 0),
            "Mon 30 Nov, 15:00",
        ),
        (
            "Europe/Berlin",
            (2026, 12, 1, 15, 46),
            "log #1 demo this morning",
            "",
            (1, 9, 0),
            "from “this morning”",
        ),
        (
            "Europe/Berlin",
            (2026, 12, 1, 15, 46),
            "log #1 meeting monday 10am",
            "",
            (30, 10, 0),
            "Mon 30 Nov, 10:00",
        ),
        (
            "Europe/Berlin",
            (2026, 12, 1, 15, 46),
            "log #1 call back tomorrow",
            "back tomorrow",
            (1, 15, 46),
            "Just now (Tue 1 Dec, 15:46)",
        ),
        # 8:05 in New York: 3pm is yesterday's.
        (
            "America/New_York",
            (2026, 12, 1, 8, 5),
            "log #1 call 3pm",
            "",
            (30, 15, 0),
            "Mon 30 Nov, 15:00 — from “3pm”",
        ),
        (
            "Asia/Tokyo",
            (2026, 12, 1, 23, 30),
            "log #1 call 11pm",
            "",
            (1, 23, 0),
            "Tue 1 Dec, 23:00",
        ),
    ],
)
async def test_when_is_read_as_meant_and_the_reply_says_how(
    hotleads, tz, wall, text, note, local, shown
):
    await in_zone(hotleads, tz, *wall)
    reply = reply_text(await hotleads.command(text))
    assert shown in reply
    touch = await only_touch(hotleads, 1)
    moment = touch.at.astimezone(ZoneInfo(tz))
    assert (touch.note, (moment.day, moment.hour, moment.minute)) == (note, local)


async def test_option_values_run_to_the_next_option(hotleads):
    await hotleads.command("add carla gomez company:Initech LLC source:event")
    await hotleads.command("add Mona Patel company:Globex note:intro from Jane")
    carla, mona = await every_lead(hotleads.db, TEAM)
    assert (carla.name, carla.company, carla.source) == ("carla gomez", "Initech LLC", "event")
    assert (mona.name, mona.company) == ("Mona Patel", "Globex")
    touch = await only_touch(hotleads, 2)
    assert touch.note == "intro from Jane"
    await hotleads.command("log #2 note ratio 3:1 re: pricing")
    assert (await only_touch(hotleads, 2)).note == "ratio 3:1 re: pricing"


async def test_comma_fields_are_told_apart_and_the_reply_says_where_they_went(hotleads):
    reply = reply_text(
        await hotleads.command(
            "add Nate Wu, Tyrell, <mailto:nate@tyrell.io|nate@tyrell.io>, inbound"
        )
    )
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert (lead.name, lead.company, lead.email, lead.source) == (
        "Nate Wu",
        "Tyrell",
        "nate@tyrell.io",
        "inbound",
    )
    assert "name “Nate Wu”, company “Tyrell”, email “nate@tyrell.io”, source “inbound”" in reply


async def test_a_misspelt_source_is_accepted_and_the_spelling_noted(hotleads):
    reply = reply_text(await hotleads.command("add Ann source:referal"))
    assert "Read `referal` as `referral`" in reply
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.source == "referral"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("lgo jane call", "I don't know `lgo`. Did you mean `log`?"),
        ("shwo bob", "I don't know `shwo`. Did you mean `show`?"),
        ("log #1 qoute", "I don't know `qoute`. Did you mean `quote`?"),
        ("log #1 calls", "Did you mean `call`?"),
        ("add Bo source:web2", "Did you mean `inbound`?"),
        ("list hto", "Did you mean `hot`?"),
        ("settings tz:EST", "EST has no daylight saving; did you mean `America/New_York`?"),
        ("settings tz:new york", "Did you mean `America/New_York`?"),
    ],
)
async def test_typos_get_one_suggestion_and_change_nothing(hotleads, text, said):
    await hotleads.command("add Zed Zero source:referral")
    before = await every_lead(hotleads.db, TEAM)
    reply = reply_text(await hotleads.command(text))
    assert said in reply
    assert len(reply) < 400, "one suggestion, not a wall of help"
    assert await every_lead(hotleads.db, TEAM) == before


async def test_aliases_reps_type_are_kinds(hotleads):
    await hotleads.command("add Zed Zero source:referral")
    for word, kind in [
        ("phoned", "call"),
        ("rang", "call"),
        ("met", "meeting"),
        ("demo'd", "demo"),
    ]:
        await hotleads.command(f"log #1 {word}")
        assert (await only_touch(hotleads, 1)).kind == kind


async def test_a_leads_creation_is_not_a_touch(hotleads):
    await hotleads.command("add Zed Zero source:referral")
    hotleads.clock.moment += timedelta(days=3)
    assert "no touches yet (added 3 days ago)" in reply_text(await hotleads.command("list all"))
    await hotleads.command("log #1 call")
    assert "last touch just now" in reply_text(await hotleads.command("list all"))


async def test_export_reply_counts_in_words(hotleads):
    await hotleads.command("add Zed Zero source:referral")
    assert "Exporting 1 lead;" in reply_text(await hotleads.command("export"))
    await hotleads.command("add Ann Bee source:referral")
    assert "Exporting 2 leads;" in reply_text(await hotleads.command("export"))
    await hotleads.slack.wait_for("files.completeUploadExternal", count=2)


@pytest.mark.parametrize(
    ("typed", "stored"), [("9am", "09:00"), ("9:30", "09:30"), ("09:00", "09:00")]
)
async def test_settings_take_times_as_people_write_them(hotleads, typed, stored):
    await hotleads.change_settings(f"channel:<#CSALES|sales> time:{typed}")
    saved = await deliveries.get_settings(hotleads.db.reader, TEAM)
    assert saved.send_at.strftime("%H:%M") == stored

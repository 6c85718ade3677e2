"""Reading what reps type: option values, trailing moments, bare times, commas, typos.

Tables with a frozen ``now`` across zones and times of day, pure (no app).
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.dates import parse_past, past_at_end, spoken
from bot.domain.grammar import Add, GrammarError, Help, LeadRef, Log, Settings, parse


def at(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)


# Tuesday 1 Dec 2026, 15:46 on the rep's wall clock.
BERLIN = "Europe/Berlin"
NOW = at(BERLIN, 2026, 12, 1, 15, 46)


@pytest.mark.parametrize(
    ("text", "tz", "now", "expected"),
    [
        ("3pm", BERLIN, NOW, at(BERLIN, 2026, 12, 1, 15, 0)),
        ("4pm", BERLIN, NOW, at(BERLIN, 2026, 11, 30, 16, 0)),
        ("1pm", BERLIN, NOW, at(BERLIN, 2026, 12, 1, 13, 0)),
        ("noon", BERLIN, NOW, at(BERLIN, 2026, 12, 1, 12, 0)),
        ("15:00", BERLIN, NOW, at(BERLIN, 2026, 12, 1, 15, 0)),
        ("15:50", BERLIN, NOW, at(BERLIN, 2026, 11, 30, 15, 50)),
        ("yesterday at 3", BERLIN, NOW, at(BERLIN, 2026, 11, 30, 15, 0)),
        ("yesterday 3pm", BERLIN, NOW, at(BERLIN, 2026, 11, 30, 15, 0)),
        ("yesterday", BERLIN, NOW, at(BERLIN, 2026, 11, 30, 15, 46)),
        ("2 days ago", BERLIN, NOW, at(BERLIN, 2026, 11, 29, 15, 46)),
        ("this morning", BERLIN, NOW, at(BERLIN, 2026, 12, 1, 9, 0)),
        ("last tuesday", BERLIN, NOW, at(BERLIN, 2026, 11, 24, 15, 46)),
        ("monday 10am", BERLIN, NOW, at(BERLIN, 2026, 11, 30, 10, 0)),
        ("tuesday 10am", BERLIN, NOW, at(BERLIN, 2026, 12, 1, 10, 0)),
        ("tuesday 4pm", BERLIN, NOW, at(BERLIN, 2026, 11, 24, 16, 0)),
        # Early in the morning, 3pm is yesterday's.
        (
            "3pm",
            "America/New_York",
            at("America/New_York", 2026, 12, 1, 8, 5),
            at("America/New_York", 2026, 11, 30, 15, 0),
        ),
        (
            "at 3",
            "America/New_York",
            at("America/New_York", 2026, 12, 1, 8, 5),
            at("America/New_York", 2026, 12, 1, 3, 0),
        ),
        # Same UTC instant, another zone: 15:46 in Berlin is 23:46 in Tokyo.
        ("11pm", "Asia/Tokyo", NOW, at("Asia/Tokyo", 2026, 12, 1, 23, 0)),
        ("11:50pm", "Asia/Tokyo", NOW, at("Asia/Tokyo", 2026, 11, 30, 23, 50)),
    ],
)
def test_bare_times_are_the_latest_such_moment_not_in_the_future(text, tz, now, expected):
    assert parse_past(text, tz, now) == expected


@pytest.mark.parametrize(
    ("note", "left", "phrase"),
    [
        ("intro email 2 days ago", "intro email", "2 days ago"),
        ("spoke to them yesterday", "spoke to them", "yesterday"),
        ("yesterday", "", "yesterday"),
        ("went well yesterday 3pm", "went well", "yesterday 3pm"),
        ("quick chat this morning", "quick chat", "this morning"),
        ("follow-up last tuesday", "follow-up", "last tuesday"),
        ("demo monday 10am", "demo", "monday 10am"),
        ("left at 3pm", "left", "at 3pm"),
        # The future, and words that aren't moments, stay in the note.
        ("call back tomorrow", "call back tomorrow", None),
        ("call next monday", "call next monday", None),
        ("asked for 20 seats", "asked for 20 seats", None),
        ("ratio 3:1", "ratio 3:1", None),
        ("number 11", "number 11", None),
        ("wants 20", "wants 20", None),
        ("renewal 3 months ago", "renewal", "3 months ago"),
        ("in 2 days", "in 2 days", None),
        ("re: pricing", "re: pricing", None),
    ],
)
def test_a_trailing_past_moment_is_taken_as_when(note, left, phrase):
    read = past_at_end(note, BERLIN, NOW)
    assert (read.note, read.phrase) == (left, phrase)
    if phrase:
        assert read.at == parse_past(phrase, BERLIN, NOW)


def test_spoken_moments_read_on_the_reps_wall_clock():
    moment = at(BERLIN, 2026, 11, 30, 15, 0)
    assert spoken(moment, BERLIN, NOW) == "Mon 30 Nov, 15:00"
    assert spoken(moment, "America/New_York", NOW) == "Mon 30 Nov, 09:00"
    assert spoken(at(BERLIN, 2025, 3, 2, 8, 0), BERLIN, NOW) == "Sun 2 Mar 2025, 08:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add carla gomez company:Initech LLC", Add(name="carla gomez", company="Initech LLC")),
        (
            "add Mona Patel company:Globex note:intro from Jane",
            Add(name="Mona Patel", company="Globex", note="intro from Jane"),
        ),
        (
            "add Ann company:Initech LLC source:event",
            Add(name="Ann", company="Initech LLC", source="event"),
        ),
        (
            'add Ann note:"a company: b" source:event',
            Add(name="Ann", note="a company: b", source="event"),
        ),
        (
            "add Nate Wu, Tyrell, nate@tyrell.io, inbound",
            Add(
                name="Nate Wu",
                company="Tyrell",
                email="nate@tyrell.io",
                source="inbound",
                by_comma=True,
            ),
        ),
        (
            "add Nate Wu, +1 555 010 0100, web",
            Add(name="Nate Wu", phone="+1 555 010 0100", source="inbound", by_comma=True),
        ),
        ("add Ann source:referal", Add(name="Ann", source="referral", misspelled="referal")),
        ("add Ann source:trade show", Add(name="Ann", source="event")),
        ("add Ann source:conference", Add(name="Ann", source="event")),
        ("add Ann source:website", Add(name="Ann", source="inbound")),
        (
            "log #1 email intro email when:2 days ago",
            Log(ref=LeadRef(1, None), kind="email", note="intro email", when="2 days ago"),
        ),
        (
            "log bob call when:yesterday 3pm",
            Log(ref=LeadRef(None, "bob"), kind="call", when="yesterday 3pm"),
        ),
        (
            "log #1 note ratio 3:1 re: pricing",
            Log(ref=LeadRef(1, None), kind="note", note="ratio 3:1 re: pricing"),
        ),
        ("log #1 phoned", Log(ref=LeadRef(1, None), kind="call")),
        ("log #1 rang", Log(ref=LeadRef(1, None), kind="call")),
        ("log #1 met", Log(ref=LeadRef(1, None), kind="meeting")),
        ("log #1 demo'd", Log(ref=LeadRef(1, None), kind="demo")),
        ("settings time:9am", Settings(digest_time="09:00")),
        ("settings time:9:30", Settings(digest_time="09:30")),
        ("settings time:09:00", Settings(digest_time="09:00")),
        ("settings time:5pm", Settings(digest_time="17:00")),
        ("lgo jane call", Help(unknown="lgo", suggestion="log")),
        ("shwo bob", Help(unknown="shwo", suggestion="show")),
    ],
)
def test_what_reps_type_reads_as_meant(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("log acme qoute", "I don't know `qoute`. Did you mean `quote`?\n`/lead log"),
        ("log acme calls", "I don't know `calls`. Did you mean `call`?"),
        ("log acme phone", "Did you mean `call`?"),
        ("add Ann source:refferals", "Did you mean `referral`?"),
        ("add Ann source:webb", "Did you mean `inbound`?"),
        ("list hto", "I don't know `hto`. Did you mean `hot`?\n`/lead list"),
        ("export wram", "Did you mean `warm`?"),
        ("settings tmie:9am", "I don't know `tmie:`. Did you mean `time:`?\n`/lead settings"),
        ("settings tz:EST", "EST has no daylight saving; did you mean `America/New_York`?"),
        ("settings tz:PST", "did you mean `America/Los_Angeles`?"),
        ("settings tz:new york", "Did you mean `America/New_York`?"),
        ("settings time:13pm", "isn't a time"),
        ("add Ann, Acme, Globex", "which of “Acme” and “Globex” is the company"),
    ],
)
def test_typos_get_one_suggestion(text, message):
    with pytest.raises(GrammarError) as raised:
        parse(text)
    assert message in str(raised.value)
    assert str(raised.value).count("\n") <= 1

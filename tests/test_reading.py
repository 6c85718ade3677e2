"""Reading what reps type: option values, trailing moments, bare times, commas, typos.

Tables with a frozen ``now`` across zones and times of day, pure (no app).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain.dates import (
    DateError,
    Reader,
    day_first,
    parse_due,
    parse_future,
    parse_past,
    past_at_end,
    read_cell,
    spoken,
    when_in_note,
)
from bot.domain.grammar import (
    USAGE,
    Add,
    GrammarError,
    Help,
    LeadRef,
    Log,
    Lost,
    Settings,
    Show,
    Won,
    parse,
)
from bot.domain.grammar.fields import KIND_ALIASES, kind_strength, known_kind, suggest_kind
from bot.domain.grammar.usage import READ_ONLY
from bot.domain.vocabulary import KINDS


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


# Whole dates at the end of a note ------------------------------------------------------

NEW_YORK = "America/New_York"
NY_MORNING = at(NEW_YORK, 2026, 12, 1, 8, 5)  # Tuesday 1 Dec, 8:05 in New York


@pytest.mark.parametrize(
    ("note", "tz", "now", "day_first", "left", "phrase", "local", "assumed"),
    [
        (
            "she called in asking about the API tier, 25 nov 11am",
            BERLIN,
            NOW,
            False,
            "she called in asking about the API tier",
            "25 nov 11am",
            (2026, 11, 25, 11, 0),
            None,
        ),
        ("nov 25 9:15am", BERLIN, NOW, False, "", "nov 25 9:15am", (2026, 11, 25, 9, 15), None),
        (
            "sent it 11/25 4pm",
            BERLIN,
            NOW,
            True,
            "sent it",
            "11/25 4pm",
            (2026, 11, 25, 16, 0),
            None,
        ),
        (
            "sent it 11/25 4pm",
            NEW_YORK,
            NY_MORNING,
            False,
            "sent it",
            "11/25 4pm",
            (2026, 11, 25, 16, 0),
            None,
        ),
        (
            "signed 25.11. 16:00",
            BERLIN,
            NOW,
            True,
            "signed",
            "25.11. 16:00",
            (2026, 11, 25, 16, 0),
            None,
        ),
        (
            "pdf 2025-11-25 14:00",
            BERLIN,
            NOW,
            False,
            "pdf",
            "2025-11-25 14:00",
            (2025, 11, 25, 14, 0),
            None,
        ),
        (
            "ping last tue 10am",
            BERLIN,
            NOW,
            False,
            "ping",
            "last tue 10am",
            (2026, 11, 24, 10, 0),
            None,
        ),
        (
            "ping yesterday at 3",
            NEW_YORK,
            NY_MORNING,
            False,
            "ping",
            "yesterday at 3",
            (2026, 11, 30, 15, 0),
            None,
        ),
        (
            "nice chat on 25 nov",
            BERLIN,
            NOW,
            False,
            "nice chat",
            "on 25 nov",
            (2026, 11, 25, 12, 0),
            "noon",
        ),
        ("nice chat 1 dec", BERLIN, NOW, False, "nice chat", "1 dec", (2026, 12, 1, 15, 46), "now"),
        (
            "nice chat 1 dec",
            NEW_YORK,
            NY_MORNING,
            False,
            "nice chat",
            "1 dec",
            (2026, 12, 1, 8, 5),
            "now",
        ),
        # No year: the latest such day not in the future, so 2 Dec is last year's.
        (
            "kickoff dec 2 10am",
            BERLIN,
            NOW,
            False,
            "kickoff",
            "dec 2 10am",
            (2025, 12, 2, 10, 0),
            None,
        ),
        # The order of an ambiguous numeric date follows the rep's locale.
        ("met 3/4 10am", BERLIN, NOW, False, "met", "3/4 10am", (2026, 3, 4, 10, 0), None),
        ("met 3/4 10am", BERLIN, NOW, True, "met", "3/4 10am", (2026, 4, 3, 10, 0), None),
        ("met 12/1 7am", NEW_YORK, NY_MORNING, False, "met", "12/1 7am", (2026, 12, 1, 7, 0), None),
        ("met 12/1 8am", NEW_YORK, NY_MORNING, False, "met", "12/1 8am", (2026, 12, 1, 8, 0), None),
        ("met 12/1 8am", NEW_YORK, NY_MORNING, True, "met", "12/1 8am", (2026, 1, 12, 8, 0), None),
        # Early in New York, 3pm today is still ahead: the whole date stays in the note,
        # never read as yesterday's 3pm.
        (
            "call 1 dec 3pm",
            NEW_YORK,
            NY_MORNING,
            False,
            "call 1 dec 3pm",
            None,
            None,
            None,
        ),
        (
            "call 30 nov 3pm",
            NEW_YORK,
            NY_MORNING,
            False,
            "call",
            "30 nov 3pm",
            (2026, 11, 30, 15, 0),
            None,
        ),
        # Bare numbers that may not be dates stay in the note.
        (
            "seats for 3/4 of the team",
            BERLIN,
            NOW,
            False,
            "seats for 3/4 of the team",
            None,
            None,
            None,
        ),
        ("ratio 3/4", BERLIN, NOW, False, "ratio 3/4", None, None, None),
        ("version 2.5", BERLIN, NOW, False, "version 2.5", None, None, None),
        (
            "wants it by 25 nov 11am",
            BERLIN,
            NOW,
            False,
            "wants it by 25 nov 11am",
            None,
            None,
            None,
        ),
    ],
)
def test_a_date_at_the_end_of_a_note_is_read_whole(
    note, tz, now, day_first, left, phrase, local, assumed
):
    read = past_at_end(note, tz, now, day_first=day_first)
    assert (read.note, read.phrase, read.assumed) == (left, phrase, assumed)
    if local:
        assert read.at == at(tz, *local)
        assert parse_past(phrase, tz, now, day_first=day_first) == read.at


@pytest.mark.parametrize(
    ("note", "when_given", "left", "phrase", "local", "unused"),
    [
        (
            "this morning, verbal yes pending PO",
            False,
            "verbal yes pending PO",
            "this morning",
            (12, 1, 9, 0),
            (),
        ),
        (
            "spoke to him yesterday afternoon about pricing",
            False,
            "spoke to him yesterday afternoon about pricing",
            "yesterday afternoon",
            (11, 30, 14, 0),
            (),
        ),
        (
            "earlier today they asked for seats",
            False,
            "they asked for seats",
            "earlier today",
            (12, 1, 15, 46),
            (),
        ),
        (
            "demo on monday went well",
            False,
            "demo on monday went well",
            "on monday",
            (11, 30, 15, 46),
            (),
        ),
        ("2 days ago they said yes", False, "they said yes", "2 days ago", (11, 29, 15, 46), ()),
        # Two moments: none is guessed at, both are reported.
        (
            "met yesterday afternoon and this morning again",
            False,
            "met yesterday afternoon and this morning again",
            None,
            None,
            ("yesterday afternoon", "this morning"),
        ),
        # A moment at the end wins; the one inside is reported.
        (
            "demo this morning went well, 25 nov 11am",
            False,
            "demo this morning went well",
            "25 nov 11am",
            (11, 25, 11, 0),
            ("this morning",),
        ),
        # when: given: moments in the note are left there, and said so.
        ("call this morning", True, "call this morning", None, None, ("this morning",)),
        # A date still ahead is not cut short to its time: it stays, and the reply says so.
        ("call 1 dec 4pm", False, "call 1 dec 4pm", None, None, ("1 dec 4pm",)),
        # The future and deadlines are not moments of the touch.
        ("will decide by monday", False, "will decide by monday", None, None, ()),
        ("call back next monday", False, "call back next monday", None, None, ()),
        ("she's this morning's lead", False, "she's this morning's lead", None, None, ()),
    ],
)
def test_a_moment_inside_a_note_is_used_when_it_is_the_only_one(
    note, when_given, left, phrase, local, unused
):
    read = when_in_note(note, BERLIN, NOW, when_given=when_given)
    assert (read.note, read.phrase, read.left) == (left, phrase, unused)
    assert read.at == (at(BERLIN, 2026, *local) if local else None)


@pytest.mark.parametrize(
    ("text", "plan"),
    [
        ("next wed", (2026, 12, 2)),
        ("next wednesday", (2026, 12, 2)),
        ("thu", (2026, 12, 3)),
        ("next tues", (2026, 12, 8)),
        ("fri", (2026, 12, 4)),
    ],
)
def test_weekdays_however_spelled_are_read_for_plans(text, plan):
    assert parse_due(text, BERLIN, NOW) == date(*plan)
    assert parse_future(text, BERLIN, NOW).astimezone(ZoneInfo(BERLIN)).date() == date(*plan)


def test_the_locale_says_which_way_numeric_dates_run():
    assert [day_first(locale) for locale in ("en-US", "en-GB", "de-DE", "ja-JP", None, "")] == [
        False,
        True,
        True,
        False,
        False,
        False,
    ]


# Names as people type them ---------------------------------------------------------------

NAMES = ("dan murphy", "dan murphy", "dana white", "renee o'brien", "ines costa")


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        (
            "log dan murphy email sent the fleet quote",
            ("dan murphy",),
            Log(ref=LeadRef(None, "dan murphy"), kind="email", note="sent the fleet quote"),
        ),
        # Two leads share the name: one reference, which the lookup shows as a tie.
        (
            "log dan murphy email x",
            NAMES,
            Log(ref=LeadRef(None, "dan murphy"), kind="email", note="x"),
        ),
        ("log dan murph call", NAMES, Log(ref=LeadRef(None, "dan murph"), kind="call")),
        (
            "log Renée O\u2019Brien call",
            NAMES,
            Log(ref=LeadRef(None, "Renée O\u2019Brien"), kind="call"),
        ),
        ("show dan murphy", NAMES, Show(ref=LeadRef(None, "dan murphy"))),
        ("won dan murphy signed!", NAMES, Won(ref=LeadRef(None, "dan murphy"), note="signed!")),
        # Read as a name, the rest makes no sense: the first word alone is the lead.
        ("log dan call", ("dan callahan",), Log(ref=LeadRef(None, "dan"), kind="call")),
        # "dan" alone starts several names: no run, as before.
        ("log dan call", NAMES, Log(ref=LeadRef(None, "dan"), kind="call")),
        # Quotes and numbers keep working.
        ('log "dan" murphy', NAMES, None),
        ("log #3 call", NAMES, Log(ref=LeadRef(3, None), kind="call")),
    ],
)
def test_an_unquoted_name_of_several_words_is_one_lead(text, names, expected):
    if expected is None:
        with pytest.raises(GrammarError):
            parse(text, names)
    else:
        assert parse(text, names) == expected


def test_without_the_name_several_words_are_still_refused_with_the_quote_hint():
    with pytest.raises(GrammarError) as raised:
        parse("log dan murphy email sent", ())
    assert "quote it" in str(raised.value)


# Punctuation and quick phrases ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("log pete call, he wants pricing", Log(LeadRef(None, "pete"), "call", "he wants pricing")),
        ("log #12, quote: 20 seats", Log(LeadRef(12, None), "quote", "20 seats")),
        ("log #12: mtg.", Log(LeadRef(12, None), "meeting")),
        ("log pete, mtg with the CFO", Log(LeadRef(None, "pete"), "meeting", "with the CFO")),
        ("log #1 downloaded the ebook", Log(LeadRef(1, None), "download", "the ebook")),
        ("log #1 dl", Log(LeadRef(1, None), "download")),
        ("log #1 called", Log(LeadRef(1, None), "call")),
        ("log #1 emailed the deck", Log(LeadRef(1, None), "email", "the deck")),
        ("log #1 demoed", Log(LeadRef(1, None), "demo")),
        ("log bob tried calling, no answer", Log(LeadRef(None, "bob"), "voicemail", "no answer")),
        ("log bob tried to call", Log(LeadRef(None, "bob"), "voicemail")),
        ("log bob called, no answer", Log(LeadRef(None, "bob"), "voicemail")),
        ('log "acme, inc." call', Log(LeadRef(None, "acme, inc."), "call")),
        ("won pete signed! 3 crews 🎉", Won(LeadRef(None, "pete"), "signed! 3 crews 🎉")),
        ("won #12", Won(LeadRef(12, None))),
        ("lost #12, went with a competitor", Lost(LeadRef(12, None), "went with a competitor")),
    ],
)
def test_punctuation_and_quick_phrases(text, expected):
    assert parse(text) == expected


# Suggestions that can't hurt -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("lsit", "list"),
        ("shwo", "show"),
        ("lgo", "log"),
        ("hsitory", "history"),
        ("lsot", "lost"),
        ("wno", "won"),
        ("rpeort", "report"),
        ("xyzzy", None),
    ],
)
def test_subcommand_typos_read_as_the_nearest_safe_one(typed, meant):
    assert parse(f"{typed} hot team") == Help(unknown=typed, suggestion=meant)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("tried", None),  # never trial: our effort is not their buying signal
        ("qoute", "quote"),
        ("trail", "trial"),
        ("calls", "call"),
        ("calling", "call"),
        ("emial", "email"),
        ("voicemial", "voicemail"),
        ("meetign", "meeting"),
        ("mtgs", "meeting"),
        ("uote", "note"),  # as near to note as to quote: the weaker one
    ],
)
def test_kind_typos_never_read_hotter(typed, meant):
    assert suggest_kind(typed) == meant


_READ_ONLY = sorted(READ_ONLY)
_WEAKER_WORDS = sorted(
    word
    for word, kind in [*((k, k) for k in KINDS), *KIND_ALIASES.items()]
    if kind_strength(kind) < kind_strength("quote")
)


def _one_edit(word: str, data) -> str:
    at = data.draw(st.integers(0, len(word)))
    letter = data.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
    how = data.draw(st.sampled_from(("drop", "add", "change", "swap")))
    if how == "drop" and len(word) > 1:
        return word[:at] + word[at + 1 :]
    if how == "swap" and 0 < at < len(word):
        return word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    if how == "change" and at < len(word):
        return word[:at] + letter + word[at + 1 :]
    return word[:at] + letter + word[at:]


@given(data=st.data())
def test_no_typo_of_a_read_only_subcommand_suggests_one_that_changes_a_lead(data):
    typed = _one_edit(data.draw(st.sampled_from(_READ_ONLY)), data)
    assume(typed not in USAGE)
    suggestion = parse(typed).suggestion
    assert suggestion is None or suggestion in READ_ONLY


@given(data=st.data(), suffix=st.sampled_from(("s", "ed", "ing", "d")))
def test_no_suggestion_raises_the_group_of_what_was_typed(data, suffix):
    """An effort or engagement word, inflected or with one typo, never reads hotter."""
    word = data.draw(st.sampled_from(_WEAKER_WORDS))
    typed = _one_edit(word, data) if data.draw(st.booleans()) else word + suffix
    assume(known_kind(typed) is None)
    meant = KIND_ALIASES.get(word, word)
    guess = suggest_kind(typed)
    assert guess is None or kind_strength(guess) <= kind_strength(meant), (typed, guess)


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("call 2026-11-27 09:00", (11, 27, 9, 0)),  # ISO dates run a 24-hour clock
        ("call 2026-11-27 9:00", (11, 27, 9, 0)),
        ("call 25.11. 9:30", (11, 25, 9, 30)),  # and so do dotted ones
        ("call 25 nov 09:15", (11, 25, 9, 15)),  # a leading zero is a 24-hour clock
        ("call nov 25 9:15", (11, 25, 21, 15)),  # else the latest such moment, as for `3pm`
        ("call at 09:00", (12, 1, 9, 0)),
    ],
)
def test_times_written_on_a_24_hour_clock_keep_their_hour(text, local):
    assert when_in_note(text, BERLIN, NOW).at == at(BERLIN, 2026, *local)


@pytest.mark.parametrize(
    ("locale", "text", "due", "hour"),
    [
        ("en-US", "3/4", (2027, 3, 4), 0),
        ("en-GB", "3/4", (2027, 4, 3), 0),
        ("de-DE", "3/4 3", (2027, 4, 3), 15),  # a bare hour in a plan is in working hours
        ("en-US", "3/4 3am", (2027, 3, 4), 3),
        ("en-US", "1 dec 5pm", (2026, 12, 1, 17), None),  # today, still ahead
        ("en-US", "25 nov", (2027, 11, 25), 0),  # no year: the next such day
        ("en-US", "13/4", (2027, 4, 13), 0),  # only one way to read it
    ],
)
def test_plans_read_whole_dates_in_the_persons_order(locale, text, due, hour):
    reader = Reader.of(BERLIN, locale)
    until = reader.future(text, NOW).astimezone(ZoneInfo(BERLIN))
    assert reader.due(text, NOW) == date(*due[:3])
    assert until.hour == (due[3] if hour is None else hour)


@pytest.mark.parametrize(
    ("cell", "days_first", "read"),
    [
        ("2025-11-25T14:00:00Z", False, datetime(2025, 11, 25, 14, tzinfo=UTC)),
        ("2025-11-25", False, datetime(2025, 11, 25, 12, tzinfo=UTC)),
        ("Nov 25, 2025 2pm", False, datetime(2025, 11, 25, 14, tzinfo=UTC)),
        ("25.11.2025 09:30", False, datetime(2025, 11, 25, 9, 30, tzinfo=UTC)),
        ("3/4/2025", False, datetime(2025, 3, 4, 12, tzinfo=UTC)),
        ("3/4/2025", True, datetime(2025, 4, 3, 12, tzinfo=UTC)),
        ("13/4/2025", False, None),  # a month-first file's 13/4 is a mistake, not 13 April
        ("4/13/2025", True, None),
        ("soon", False, None),
    ],
)
def test_a_file_has_one_numeric_order_and_no_cell_is_turned_around(cell, days_first, read):
    now = datetime(2026, 12, 1, tzinfo=UTC)
    if read is None:
        with pytest.raises(DateError, match="couldn't read"):
            read_cell(cell, now, day_first=days_first)
    else:
        assert read_cell(cell, now, day_first=days_first) == read


@given(
    back=st.integers(min_value=1, max_value=360),
    hour=st.integers(min_value=0, max_value=23),
    minute=st.sampled_from([0, 5, 30, 45]),
    locale=st.sampled_from(["en-US", "en-GB", "de-DE", "fr-FR", "ja-JP"]),
    form=st.sampled_from(["numeric", "dotted", "iso", "named"]),
)
def test_a_past_moment_written_as_the_person_writes_it_reads_back(back, hour, minute, locale, form):
    reader = Reader.of(BERLIN, locale)
    local_now = NOW.astimezone(ZoneInfo(BERLIN))
    day = (local_now - timedelta(days=back)).date()
    numeric = f"{day.day}/{day.month}" if reader.day_first else f"{day.month}/{day.day}"
    half = f"{hour % 12 or 12}:{minute:02d}{'am' if hour < 12 else 'pm'}"
    written = {
        "numeric": f"{numeric} {half}",
        "dotted": f"{day.day}.{day.month}. {hour}:{minute:02d}",
        "iso": f"{day:%Y-%m-%d} {hour:02d}:{minute:02d}",
        "named": f"{day.day} {day:%b} {half}".lower(),
    }[form]
    meant = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(BERLIN))
    assume(meant.astimezone(UTC).astimezone(ZoneInfo(BERLIN)).hour == hour)  # not a DST gap
    assert reader.past(written, NOW).at == meant
    assert reader.in_note(f"call, {written}", NOW).at == meant
    planned = {
        "numeric": numeric,
        "dotted": f"{day.day}.{day.month}.",
        "iso": f"{day:%Y-%m-%d}",
        "named": f"{day.day} {day:%b}",
    }[form]
    assert reader.due(planned, NOW - timedelta(days=back + 1)) == day  # a day ahead, as planned

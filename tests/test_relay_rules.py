"""The relay's pure core: working time, whose turn it is, when a step is due, how it ends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import grammar
from bot.domain.grammar import parse
from bot.domain.lead import Lead
from bot.domain.relay import (
    Availability,
    Notifications,
    Offer,
    Policy,
    Relay,
    Touched,
    availability,
    ending,
    escalation_due,
    next_rep,
    offer_due,
)
from bot.domain.schedule import WorkspaceSettings
from bot.domain.temperature import temperature
from bot.domain.vocabulary import WEEKDAYS
from bot.domain.working_hours import WorkingHours, read_hours

BERLIN = WorkingHours(time(9), time(18), WEEKDAYS[:5], "Europe/Berlin")
UTC_DAYS = WorkingHours(time(9), time(18), WEEKDAYS[:5], "UTC")


def at(text: str) -> datetime:
    """``2026-11-23 10:00`` in UTC (a Monday)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        ("2026-11-23 10:00", 15, "2026-11-23 10:15"),  # inside the hours
        ("2026-11-23 17:50", 15, "2026-11-24 09:05"),  # across the evening
        ("2026-11-23 22:00", 15, "2026-11-24 09:15"),  # a form at 22:00: counts from 09:00
        ("2026-11-24 06:00", 15, "2026-11-24 09:15"),  # before opening
        ("2026-11-27 17:55", 15, "2026-11-30 09:10"),  # Friday evening to Monday
        ("2026-11-28 12:00", 15, "2026-11-30 09:15"),  # on a Saturday
        ("2026-11-23 10:00", 0, "2026-11-23 10:00"),  # zero: now, inside
        ("2026-11-23 19:00", 0, "2026-11-24 09:00"),  # zero: the next opening
        ("2026-11-23 10:00", 4 * 60, "2026-11-23 14:00"),
        ("2026-11-23 16:00", 4 * 60, "2026-11-24 11:00"),  # 2 h today, 2 h tomorrow
        ("2026-11-23 10:00", 9 * 60 * 2, "2026-11-25 10:00"),  # two whole days of work
    ],
)
def test_working_time_after_a_moment(start, minutes, due):
    assert UTC_DAYS.after(at(start), timedelta(minutes=minutes)) == at(due)


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        ("2026-11-23 10:00", "2026-11-23 10:04", 4),
        ("2026-11-23 17:50", "2026-11-24 09:05", 15),
        ("2026-11-23 22:00", "2026-11-24 08:00", 0),  # all night: no working time
        ("2026-11-27 17:00", "2026-11-30 10:00", 120),  # the weekend doesn't count
        ("2026-11-23 12:00", "2026-11-23 11:00", 0),  # the end first
    ],
)
def test_working_time_between_two_moments(start, end, minutes):
    assert UTC_DAYS.between(at(start), at(end)) == timedelta(minutes=minutes)


def test_hours_are_the_workspace_zone_s_and_daylight_saving_counts_real_hours():
    # 09:00 in Berlin is 08:00 UTC in winter, 07:00 UTC in summer.
    assert BERLIN.after(at("2026-11-23 05:00"), timedelta()) == at("2026-11-23 08:00")
    assert BERLIN.after(at("2026-06-22 05:00"), timedelta()) == at("2026-06-22 07:00")
    # The night clocks go forward (Sunday 29 March 2026) is no working time on any count.
    every_day = replace(BERLIN, days=WEEKDAYS, opens=time(0), closes=time.max)
    span = every_day.between(at("2026-03-28 23:00"), at("2026-03-29 23:00"))
    assert span == timedelta(hours=24)


@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(0, 5000),
)
def test_adding_working_time_then_measuring_it_gives_it_back(start, minutes):
    due = BERLIN.after(start, timedelta(minutes=minutes))
    assert due >= start
    assert BERLIN.between(start, due) == timedelta(minutes=minutes)
    if minutes:  # the last moment counted was working time: due is never in the night
        tick = timedelta(microseconds=1)
        assert BERLIN.between(due - tick, due) == tick


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("09:00-18:00", (time(9), time(18))),
        ("00:00-24:00", (time(0), time.max)),
        ("18:00-09:00", None),  # overnight shifts are not working hours here
        ("09:00-09:00", None),
        ("9-18", None),  # the grammar writes it out first
        ("25:00-26:00", None),
    ],
)
def test_reading_stored_hours(text, read):
    assert read_hours(text) == read


# ------------------------------------------------------------------ the relay

START = at("2026-11-23 10:00")
REPS = ("UANA", "UBEN", "UCAT", "UDAN")


def lead(owner: str = "", number: int = 1, **changes) -> Lead:
    made = Lead(
        id=number,
        team_id="T1",
        number=number,
        name="Jane Doe",
        company="Acme",
        email="",
        phone="",
        source="inbound",
        owner=owner,
        status="open",
        lost_reason="",
        created_by="U1",
        created_at=START,
        updated_at=START,
        last_touch_at=None,
        snoozed_until=None,
        score=temperature("inbound", START, {}, START).score,
        scored_at=START,
        hot_until=START,
        warm_until=START,
    )
    return replace(made, **changes)


def relay(owner: str = "", *offered: str) -> Relay:
    offers = tuple(Offer(n, rep, START) for n, rep in enumerate(offered, 1))
    return Relay(1, "T1", 1, 7, START, START, owner, offers=offers)


POLICY = Policy(15, timedelta(hours=4), UTC_DAYS, REPS)
NOBODY = Availability()


@pytest.mark.parametrize(
    ("owner", "offered", "skip", "number", "expected"),
    [
        ("UANA", (), (), 1, "UBEN"),  # the rep after the owner
        ("UANA", ("UBEN",), (), 1, "UCAT"),  # after the last one offered
        ("UDAN", (), (), 1, "UANA"),  # round the end of the list
        ("UANA", (), ("UBEN",), 1, "UCAT"),  # away or alerts off: skipped
        ("UANA", ("UBEN", "UCAT", "UDAN"), (), 1, None),  # everyone had it
        ("", (), (), 2, "UCAT"),  # nobody owns it: from the lead number's place
        ("UZED", (), (), 1, "UBEN"),  # an owner outside reps: from the lead number's place
    ],
)
def test_whose_turn_it_is(owner, offered, skip, number, expected):
    chosen = next_rep(relay(owner, *offered), lead(owner, number), REPS, frozenset(skip))
    assert chosen == expected


def test_offers_are_due_every_relay_minutes_of_working_time_at_most_once_per_rep():
    running, owned = relay("UANA"), lead("UANA")
    assert offer_due(POLICY, running, owned, NOBODY, at("2026-11-23 10:14")) is None
    assert offer_due(POLICY, running, owned, NOBODY, at("2026-11-23 10:15")) == "UBEN"
    second = relay("UANA", "UBEN")
    assert offer_due(POLICY, second, owned, NOBODY, at("2026-11-23 10:29")) is None
    assert offer_due(POLICY, second, owned, NOBODY, at("2026-11-23 10:30")) == "UCAT"
    everyone = relay("UANA", "UBEN", "UCAT", "UDAN")  # len(reps) offers: no more
    assert offer_due(POLICY, everyone, owned, NOBODY, at("2026-11-24 10:00")) is None
    off = replace(POLICY, minutes=0)
    assert offer_due(off, running, owned, NOBODY, at("2026-11-24 10:00")) is None


def test_escalation_is_due_after_respond_working_hours():
    late = relay("UANA")
    late = replace(late, started_at=at("2026-11-23 16:00"))
    assert not escalation_due(POLICY, late, at("2026-11-23 20:00"))
    assert not escalation_due(POLICY, late, at("2026-11-24 10:59"))
    assert escalation_due(POLICY, late, at("2026-11-24 11:00"))


NOW = at("2026-11-23 10:30")


@pytest.mark.parametrize(
    ("started_by", "changes", "touched", "how", "by"),
    [
        ("UANA", {}, None, None, None),
        ("UANA", {}, Touched("call", "UANA", NOW - timedelta(minutes=9)), "answered", "UANA"),
        ("UANA", {}, Touched("declined", "UBEN", NOW), "declined", "UBEN"),
        ("UANA", {"status": "won"}, None, "closed", ""),
        ("UANA", {"snoozed_until": NOW + timedelta(days=2)}, None, "snoozed", ""),
        ("", {"owner": "UBEN"}, None, "claimed", "UBEN"),
        ("UANA", {"owner": "UCAT"}, None, "reassigned", "UCAT"),
    ],
)
def test_how_a_relay_ends(started_by, changes, touched, how, by):
    found = ending(relay(started_by), lead(**{"owner": started_by, **changes}), touched, NOW)
    later = ending(relay(started_by), lead(owner=started_by), None, START + timedelta(days=30))
    assert later is not None and later.how == "expired"  # a month on, the signal is stale
    if how is None:
        assert found is None
    else:
        assert (found.how, found.by) == (how, by)
        assert found.at == (touched.at if touched else NOW)  # when it was answered, not seen


def test_a_snooze_from_before_the_signal_does_not_end_it():
    snoozed = NOW + timedelta(days=2)
    started = replace(relay("UANA"), snoozed_until=snoozed)
    assert ending(started, lead("UANA", snoozed_until=snoozed), None, NOW) is None


def test_who_is_skipped_today():
    reps = [
        Notifications("UANA", away_until=date(2026, 11, 27)),
        Notifications("UBEN", instant=False),
        Notifications("UCAT", away_until=date(2026, 11, 23)),  # back today
        Notifications("UDAN"),
    ]
    found = availability(reps, date(2026, 11, 23))
    assert (found.away, found.muted, found.skip) == ({"UANA"}, {"UBEN"}, {"UANA", "UBEN"})


def test_an_away_owner_s_lead_is_offered_at_once_and_alerts_off_never_delays_it():
    owned = lead("UANA")
    away = Availability(away=frozenset({"UANA", "UBEN"}))
    assert offer_due(POLICY, relay("UANA"), owned, away, START) == "UCAT"
    second = relay("UANA", "UCAT")
    assert offer_due(POLICY, second, owned, away, at("2026-11-23 10:14")) is None
    assert offer_due(POLICY, second, owned, away, at("2026-11-23 10:15")) == "UDAN"
    muted = Availability(muted=frozenset({"UANA"}))  # her own leads still wait for her
    assert offer_due(POLICY, relay("UANA"), owned, muted, START) is None


def test_the_policy_reads_the_workspace_settings():
    settings = WorkspaceSettings("T1", tz="Europe/Berlin", relay_minutes=5, hours="08:00-17:00")
    policy = Policy.of(settings)
    assert policy.on and policy.minutes == 5 and policy.respond == timedelta(hours=4)
    assert policy.hours == WorkingHours(time(8), time(17), WEEKDAYS[:5], "Europe/Berlin")
    assert not Policy.of(replace(settings, relay_minutes=0)).on


def test_answers_counted_in_working_time():
    night = at("2026-11-23 22:00")
    pairs = [(night, at("2026-11-24 09:05")), (night, None), (START, at("2026-11-23 10:30"))]
    assert UTC_DAYS.counted(pairs) == [
        (night, night + timedelta(minutes=5)),
        (night, None),
        (START, at("2026-11-23 10:30")),
    ]


# ------------------------------------------------------------------ the settings, typed


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("relay:15", {"relay_minutes": 15}),
        ("relay:5min", {"relay_minutes": 5}),
        ("relay:off", {"relay_minutes": 0}),
        ("hours:09:00-18:00", {"hours": "09:00-18:00"}),
        ("hours:8am-5pm", {"hours": "08:00-17:00"}),
        ("hours:8-17", {"hours": "08:00-17:00"}),
        ("manager:<@UBOSS|boss>", {"manager": "UBOSS"}),
        ("manager:none", {"manager": ""}),
        ("relay:20 hours:7:30-16:00", {"relay_minutes": 20, "hours": "07:30-16:00"}),
    ],
)
def test_relay_settings_are_read(typed, read):
    assert parse(f"settings {typed}") == grammar.Settings(**read)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("relay:0", "a whole number from 1 to 480"),
        ("relay:soon", "`relay:15`"),
        ("hours:18:00-09:00", "opening before closing"),
        ("hours:9", "`hours:09:00-18:00`"),
        ("manager:maria", "isn't a person"),
        ("relais:15", "relay:"),
    ],
)
def test_wrong_relay_settings_say_what_to_type(typed, said):
    with pytest.raises(grammar.GrammarError) as refused:
        parse(f"settings {typed}")
    assert said in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "when"),
    [("away until friday", "friday"), ("away 2026-12-24", "2026-12-24"), ("away off", "off")],
)
def test_away_reads_the_day_the_rep_is_back(typed, when):
    assert parse(typed) == grammar.Away(when)


def test_away_needs_a_day():
    with pytest.raises(grammar.GrammarError, match="Until when"):
        parse("away")

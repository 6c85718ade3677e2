"""The four groups of touches and the properties that make the contract of "hot"."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.temperature import (
    FRESH,
    KINDS,
    SOURCES,
    cutoffs,
    signals_from,
    temperature,
    with_touch,
)
from bot.domain.vocabulary import KIND_GROUPS

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BUYING = KIND_GROUPS["buying"]
ENGAGEMENT = KIND_GROUPS["engagement"]
EFFORT = (*KIND_GROUPS["effort"], "note")
RANK = {"cold": 0, "warm": 1, "hot": 2}


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def temp(source, touches, created_days_ago=0.0, now=NOW):
    created = ago(max([created_days_ago, *[d for _, d in touches]]))
    return temperature(source, created, signals_from((k, ago(d)) for k, d in touches), now)


def test_every_kind_is_in_one_group_except_note():
    grouped = [kind for kinds in KIND_GROUPS.values() for kind in kinds]
    assert sorted(grouped) == sorted(k for k in KINDS if k != "note")
    assert len(grouped) == len(set(grouped))


@pytest.mark.parametrize("kind", BUYING)
@pytest.mark.parametrize("source", list(SOURCES))
def test_a_fresh_buying_signal_makes_any_lead_hot(source, kind):
    assert temp(source, [(kind, 29)], created_days_ago=200).band == "hot"
    assert temp(source, [(kind, 30)], created_days_ago=200).band != "hot"


@pytest.mark.parametrize("kind", ENGAGEMENT)
@pytest.mark.parametrize("source", list(SOURCES))
def test_engagement_alone_never_makes_a_lead_hot(source, kind):
    assert temp(source, [(kind, 0)] * 20).band != "hot"


@pytest.mark.parametrize("kind", EFFORT)
@pytest.mark.parametrize(("source", "band"), [("cold", "cold"), ("referral", "warm")])
def test_effort_leaves_the_band_as_it_was(source, band, kind):
    assert temp(source, [(kind, 0)] * 10).band == band


@pytest.mark.parametrize(
    ("touches", "band"),
    [
        ([("quote", 3), ("declined", 1)], "cold"),
        ([("declined", 3), ("quote", 1)], "hot"),
        ([("declined", 3), ("call", 1), ("meeting", 1)], "warm"),
        ([("quote", 2), ("meeting", 1), ("declined", 1)], "cold"),
    ],
)
def test_declined_makes_the_lead_cold_until_it_shows_interest_again(touches, band):
    assert temp("referral", touches).band == band


def test_the_stories_of_the_issue():
    assert temp("cold", [("voicemail", 0)]).band == "cold"  # "left voicemail" made it hot
    assert temp("inbound", [("call", 0)]).band == "warm"  # "Came to us +35, Call +30"
    assert temp("cold", [("reply", 0)]).band == "warm"  # "said call back next quarter"
    bob = temp("client", [("quote", 13)])
    assert bob.band == "hot" and bob.interest.factor == "quote"
    assert bob.fit == "Existing customer"


def test_the_top_does_not_flatten():
    strong = temp("referral", [("quote", 0), ("trial", 0), ("demo", 0), ("meeting", 0)])
    stronger = temp("referral", [("quote", 0), ("trial", 0), ("demo", 0), ("meeting", 0)] * 2)
    assert strong.score < stronger.score < 100
    assert sum(r.points for r in stronger.reasons) == stronger.score


touch_lists = st.lists(
    st.tuples(st.sampled_from(list(KINDS)), st.floats(min_value=0, max_value=120)), max_size=10
)
sources = st.sampled_from(list(SOURCES))


@settings(max_examples=150, deadline=None)
@given(
    source=sources,
    touches=touch_lists,
    effort=st.lists(
        st.tuples(st.sampled_from(EFFORT), st.floats(min_value=0, max_value=120)), max_size=8
    ),
)
def test_effort_never_moves_a_lead_up_a_band(source, touches, effort):
    before = temp(source, touches, created_days_ago=120)
    after = temp(source, touches + effort, created_days_ago=120)
    assert RANK[after.band] <= RANK[before.band]


@settings(max_examples=150, deadline=None)
@given(source=sources, touches=touch_lists)
def test_hot_only_while_a_buying_signal_is_fresh_and_not_declined_after(source, touches):
    result = temp(source, touches, created_days_ago=120)
    said_no = max((ago(d) for k, d in touches if k == "declined"), default=None)
    fresh = [ago(d) for k, d in touches if k in BUYING and NOW - ago(d) < FRESH]
    fresh = [at for at in fresh if said_no is None or at > said_no]
    assert (result.band == "hot") == bool(fresh)
    if result.band == "hot":
        assert result.interest is not None and result.interest.factor in BUYING


@settings(max_examples=150, deadline=None)
@given(source=sources, touches=touch_lists, later=st.floats(min_value=0, max_value=60))
def test_reasons_add_up_to_the_score(source, touches, later):
    result = temp(source, touches, created_days_ago=120, now=NOW + timedelta(days=later))
    assert sum(r.points for r in result.reasons) == result.score
    assert 0 <= result.score < 100


@settings(max_examples=150, deadline=None)
@given(
    source=sources,
    touches=touch_lists,
    kind=st.sampled_from(list(KINDS)),
    age=st.floats(min_value=0, max_value=120),
)
def test_a_touch_never_lowers_the_score_except_declined(source, touches, kind, age):
    created = ago(120)
    signals = signals_from((k, ago(d)) for k, d in touches)
    before = temperature(source, created, signals, NOW)
    if kind == "declined":
        history = [*((k, ago(d)) for k, d in touches), (kind, ago(age))]
        if age <= min([d for _, d in touches], default=age):  # the latest thing that happened
            assert temperature(source, created, signals_from(history), NOW).band == "cold"
        return
    after = temperature(source, created, with_touch(signals, kind, ago(age)), NOW)
    assert after.score >= before.score


def test_declined_now_is_cold_at_once_and_its_cutoffs_say_so():
    signals = signals_from([("quote", ago(2)), ("meeting", ago(1)), ("declined", NOW)])
    assert temperature("referral", ago(10), signals, NOW).band == "cold"
    until = cutoffs("referral", ago(10), signals)
    assert until.hot_until <= NOW and until.warm_until <= NOW

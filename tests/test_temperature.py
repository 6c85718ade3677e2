from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.temperature import (
    FRESH,
    HOT_AT,
    KINDS,
    SOURCES,
    WARM_AT,
    cutoffs,
    record_touch,
    score,
    signals_from,
    temperature,
    with_touch,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def band_of(source: str, touches: list[tuple[str, float]], created_days_ago: float = 0) -> str:
    created = days_ago(max([created_days_ago, *[d for _, d in touches]]))
    signals = signals_from((kind, days_ago(d)) for kind, d in touches)
    return temperature(source, created, signals, NOW).band


@pytest.mark.parametrize(
    ("source", "touches", "band"),
    [
        # A recent strong signal makes any lead hot.
        ("cold", [("quote", 1)], "hot"),
        ("cold", [("trial", 2)], "hot"),
        ("cold", [("demo", 3)], "hot"),
        ("cold", [("inbound", 0)], "hot"),
        ("cold", [("download", 0)], "hot"),
        ("remarketing", [("quote", 7)], "hot"),
        # Well-introduced leads start warm; the source alone is never hot.
        ("referral", [], "warm"),
        ("client", [], "warm"),
        ("event", [], "warm"),
        ("remarketing", [], "warm"),
        ("inbound", [], "warm"),
        # Cold outreach nobody answered stays cold, however many emails.
        ("cold", [], "cold"),
        ("cold", [("email", 1), ("email", 2), ("email", 3), ("email", 5), ("email", 8)], "cold"),
        ("cold", [("note", 0)], "cold"),
        # An answer warms it.
        ("cold", [("reply", 1)], "warm"),
        ("cold", [("call", 2)], "warm"),
        # Interest fades: 60+ days of silence after a hot signal is not hot.
        ("cold", [("quote", 60)], "cold"),
        ("referral", [("quote", 60)], "warm"),
        ("inbound", [("trial", 75)], "cold"),
        # Hot only while a buying signal is fresh (30 days), then not.
        ("cold", [("download", 20)], "hot"),
        ("cold", [("download", 31)], "cold"),
        # Warm sources cool off when nobody touches them.
        ("referral", [], "warm"),
        ("remarketing", [("webinar", 40)], "cold"),
    ],
)
def test_band(source, touches, band):
    assert band_of(source, touches) == band


def test_sources_rank_referral_then_client_then_remarketing():
    scores = {s: temperature(s, NOW, {}, NOW).score for s in SOURCES}
    assert scores["referral"] > scores["client"] > scores["remarketing"] > scores["cold"]


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_any_single_signal_sixty_days_old_is_not_hot(source, kind):
    created = days_ago(60)
    signals = signals_from([(kind, created)])
    assert temperature(source, created, signals, NOW).band != "hot"


def test_old_referral_with_nothing_goes_cold():
    assert temperature("referral", days_ago(120), {}, NOW).band == "cold"


def test_reasons_explain_the_score_strongest_first():
    created = days_ago(10)
    signals = signals_from([("call", days_ago(5)), ("quote", days_ago(2))])
    result = temperature("referral", created, signals, NOW)
    assert [r.factor for r in result.reasons] == ["quote", "source:referral", "call"]
    assert result.strongest.label == "Asked for a quote"
    assert sum(r.points for r in result.reasons) == result.score


def test_repeats_count_but_are_capped():
    one = temperature("cold", days_ago(1), signals_from([("call", days_ago(1))]), NOW).score
    three = temperature("cold", days_ago(1), signals_from([("call", days_ago(1))] * 3), NOW).score
    ten = temperature("cold", days_ago(1), signals_from([("call", days_ago(1))] * 10), NOW).score
    assert one < three == ten


def test_backdated_touch_counts_less_than_a_fresh_one():
    fresh = record_touch(None, "demo", NOW)
    old = record_touch(None, "demo", days_ago(14))
    assert (
        temperature("cold", days_ago(20), {"demo": fresh}, NOW).score
        > temperature("cold", days_ago(20), {"demo": old}, NOW).score
    )


def test_folding_order_does_not_matter():
    touches = [("quote", days_ago(3)), ("quote", days_ago(9)), ("quote", days_ago(1))]
    a = temperature("cold", days_ago(10), signals_from(touches), NOW)
    b = temperature("cold", days_ago(10), signals_from(reversed(touches)), NOW)
    assert a == b


def test_a_fresh_quote_stays_hot_for_days_then_warm_then_cold():
    signals = signals_from([("quote", NOW)])
    until = cutoffs("cold", NOW, signals)
    assert until.hot_until - NOW == FRESH
    assert until.hot_until < until.warm_until
    assert temperature("cold", NOW, signals, until.hot_until - timedelta(seconds=1)).band == "hot"
    assert temperature("cold", NOW, signals, until.hot_until).band == "warm"
    assert temperature("cold", NOW, signals, until.warm_until - timedelta(seconds=1)).band == "warm"
    assert temperature("cold", NOW, signals, until.warm_until).band == "cold"


def test_a_lead_never_hot_has_its_hot_cutoff_at_creation():
    created = days_ago(3)
    assert cutoffs("cold", created, {}).hot_until == created
    assert cutoffs("cold", created, {}).warm_until == created
    assert cutoffs("referral", created, {}).hot_until == created
    assert cutoffs("referral", created, {}).warm_until > NOW


def test_the_strongest_possible_lead_still_goes_cold():
    touches = [(kind, NOW) for kind in KINDS for _ in range(30)]
    until = cutoffs("referral", NOW, signals_from(touches))
    assert temperature("referral", NOW, signals_from(touches), until.warm_until).band == "cold"
    assert until.warm_until - NOW < timedelta(days=365)


touch_lists = st.lists(
    st.tuples(st.sampled_from(list(KINDS)), st.floats(min_value=0, max_value=400)),
    max_size=12,
)


@given(
    source=st.sampled_from(list(SOURCES)),
    touches=touch_lists,
    later=st.floats(min_value=0, max_value=400),
)
def test_score_never_rises_without_a_new_touch(source, touches, later):
    created = days_ago(max([0, *[d for _, d in touches]]))
    signals = signals_from((k, days_ago(d)) for k, d in touches)
    now_score = temperature(source, created, signals, NOW).score
    assert score(source, created, signals, NOW) == now_score
    later_score = temperature(source, created, signals, NOW + timedelta(days=later)).score
    assert later_score <= now_score


@given(
    source=st.sampled_from(list(SOURCES)),
    touches=touch_lists,
    kind=st.sampled_from([k for k in KINDS if k != "declined"]),
    age=st.floats(min_value=0, max_value=400),
)
def test_logging_a_touch_never_lowers_the_score(source, touches, kind, age):
    created = days_ago(max([0, age, *[d for _, d in touches]]))
    signals = signals_from((k, days_ago(d)) for k, d in touches)
    before = temperature(source, created, signals, NOW)
    after_signals = with_touch(signals, kind, days_ago(age))
    after = temperature(source, created, after_signals, NOW)
    assert after.score >= before.score
    assert 0 <= after.score <= 100


@given(
    source=st.sampled_from(list(SOURCES)),
    touches=touch_lists,
    created=st.floats(min_value=0, max_value=400),
    later=st.floats(min_value=0, max_value=400),
)
def test_cutoffs_agree_with_the_score_at_any_later_time(source, touches, created, later):
    created_at = days_ago(max([created, *[d for _, d in touches]]))
    signals = signals_from((kind, days_ago(d)) for kind, d in touches)
    until = cutoffs(source, created_at, signals)
    at = created_at + timedelta(days=later)
    score = temperature(source, created_at, signals, at).score
    if at <= until.hot_until - timedelta(seconds=1):
        assert score >= HOT_AT
    if at >= until.hot_until:
        assert score < HOT_AT
    if at <= until.warm_until - timedelta(seconds=1):
        assert score >= WARM_AT
    if at >= until.warm_until:
        assert score < WARM_AT

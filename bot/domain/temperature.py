"""Lead temperature: how close a lead is to buying, and why.

A lead's score is the sum of fading signals. Where the lead came from gives a
starting signal; every touch logged adds one. Each signal fades with its own
half-life, so interest shown last week counts for more than interest shown last
quarter. Repeats of one kind count, but only up to ``REPEAT_CAP`` times its
weight, so ten unanswered emails never add up to a hot lead.

Everything here is pure: ``now`` is always passed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.vocabulary import KIND_WORDS, SOURCE_WORDS, Band, Kind, Source

HOT_AT = 50
"""A score at or above this is hot: ready to buy."""
WARM_AT = 25
"""A score at or above this (and below HOT_AT) is warm: interested or well introduced."""
REPEAT_CAP = 2.0
"""Repeats of one kind add up to at most this many times its weight."""
_FADED_BY = timedelta(days=5 * 365)
"""Long enough for the strongest possible lead to fade below warm (tested)."""


@dataclass(frozen=True)
class Rule:
    """How much a signal is worth when fresh, and how fast it fades."""

    label: str
    weight: int
    half_life_days: float


_SOURCE_WEIGHTS: dict[Source, tuple[int, float]] = {
    "referral": (45, 60),
    "client": (40, 60),
    "event": (35, 45),
    "inbound": (35, 45),
    "remarketing": (30, 45),
    "cold": (10, 30),
}
"""Weight and half-life in days of where a lead came from."""

_KIND_WEIGHTS: dict[Kind, tuple[int, float]] = {
    "quote": (80, 14),
    "trial": (80, 14),
    "demo": (70, 14),
    "inbound": (60, 10),
    "download": (55, 7),
    "meeting": (45, 21),
    "referral": (35, 30),
    "call": (30, 14),
    "reply": (30, 14),
    "webinar": (30, 14),
    "event": (30, 21),
    "email": (5, 7),
    "note": (0, 7),
}
"""Weight and half-life in days of each kind of touch."""

SOURCES: dict[str, Rule] = {
    source: Rule(SOURCE_WORDS[source].label, *weight) for source, weight in _SOURCE_WEIGHTS.items()
}
KINDS: dict[str, Rule] = {
    kind: Rule(KIND_WORDS[kind].label, *weight) for kind, weight in _KIND_WEIGHTS.items()
}


@dataclass(frozen=True)
class Signal:
    """The faded sum of every touch of one kind, as of ``as_of``.

    Keeping this per lead and kind lets a score be read without going back over
    every interaction: the strength only needs rescaling to ``now``.
    """

    strength: float
    as_of: datetime
    last_at: datetime
    count: int


@dataclass(frozen=True)
class Reason:
    """One factor behind a score and the points it adds right now."""

    factor: str
    label: str
    points: int
    last_at: datetime | None = None
    count: int = 1


@dataclass(frozen=True)
class Temperature:
    score: int
    band: Band
    reasons: tuple[Reason, ...]

    @property
    def strongest(self) -> Reason | None:
        return self.reasons[0] if self.reasons else None


def band_for(score: float) -> Band:
    if score >= HOT_AT:
        return "hot"
    if score >= WARM_AT:
        return "warm"
    return "cold"


def _fade(days: float, half_life_days: float) -> float:
    return float(0.5 ** (days / half_life_days))


def _days(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 86400


def record_touch(signal: Signal | None, kind: str, at: datetime) -> Signal:
    """Add one touch of ``kind`` at ``at`` to the running signal for that kind."""
    half_life = KINDS[kind].half_life_days
    if signal is None:
        return Signal(1.0, at, at, 1)
    if at >= signal.as_of:
        strength = signal.strength * _fade(_days(at, signal.as_of), half_life) + 1.0
        as_of = at
    else:
        strength = signal.strength + _fade(_days(signal.as_of, at), half_life)
        as_of = signal.as_of
    return Signal(strength, as_of, max(signal.last_at, at), signal.count + 1)


def signals_from(touches: Iterable[tuple[str, datetime]]) -> dict[str, Signal]:
    """Fold a history of (kind, when) touches into one signal per kind."""
    signals: dict[str, Signal] = {}
    for kind, at in touches:
        signals[kind] = record_touch(signals.get(kind), kind, at)
    return signals


def _source_points(source: str, created_at: datetime, now: datetime) -> float:
    rule = SOURCES[source]
    return rule.weight * _fade(max(0.0, _days(now, created_at)), rule.half_life_days)


def _signal_points(kind: str, signal: Signal, now: datetime) -> float:
    rule = KINDS[kind]
    strength = signal.strength * _fade(max(0.0, _days(now, signal.as_of)), rule.half_life_days)
    return rule.weight * min(strength, REPEAT_CAP)


def score(source: str, created_at: datetime, signals: Mapping[str, Signal], now: datetime) -> int:
    """The score alone, as ``temperature`` gives it: for reading thousands at once (exports)."""
    total = _source_points(source, created_at, now)
    for kind, signal in signals.items():
        total += _signal_points(kind, signal, now)
    return min(100, round(total))


def temperature(
    source: str, created_at: datetime, signals: Mapping[str, Signal], now: datetime
) -> Temperature:
    """Score (0-100), band and the reasons behind them, strongest first."""
    total = _source_points(source, created_at, now)
    reasons = [Reason(f"source:{source}", SOURCES[source].label, round(total), created_at)]
    for kind, signal in signals.items():
        exact = _signal_points(kind, signal, now)
        total += exact
        points = round(exact)
        if points > 0:
            reasons.append(Reason(kind, KINDS[kind].label, points, signal.last_at, signal.count))
    reasons.sort(key=lambda r: -r.points)
    score = min(100, round(total))
    return Temperature(score, band_for(score), tuple(r for r in reasons if r.points > 0))


@dataclass(frozen=True)
class Cutoffs:
    """When a lead stops being hot and stops being warm if nobody touches it again.

    A score only falls while nothing new is logged, so these two moments hold
    until the next touch: a lead is hot exactly while ``now < hot_until``. Kept
    with the lead, they turn "which leads are hot" into an indexed range query.
    A lead that never reached a band has that cutoff at its creation.
    """

    hot_until: datetime
    warm_until: datetime


def cutoffs(source: str, created_at: datetime, signals: Mapping[str, Signal]) -> Cutoffs:
    """The first whole seconds at which the score is below ``HOT_AT`` and ``WARM_AT``.

    Searched from the lead's creation, since the score never rises without a
    touch. Every signal fades away well within ``_FADED_BY``.
    """
    start = created_at.timestamp()
    latest = max([start, *(s.as_of.timestamp() for s in signals.values())])
    rate = math.log(2) / 86400  # per second, over a half-life in days
    # (fade per second, as of, strength, cap) times the weight, for each signal
    terms: list[tuple[float, float, float, float]] = [
        (rate / SOURCES[source].half_life_days, start, SOURCES[source].weight, math.inf)
    ]
    terms += [
        (
            rate / KINDS[k].half_life_days,
            s.as_of.timestamp(),
            KINDS[k].weight * s.strength,
            KINDS[k].weight * REPEAT_CAP,
        )
        for k, s in signals.items()
    ]
    exp = math.exp

    def total(at: float) -> float:
        points = 0.0
        for fade, as_of, strength, cap in terms:
            points += min(strength * exp(fade * (as_of - at)) if at > as_of else strength, cap)
        return points

    def falls_below(threshold: int, low: float) -> datetime:
        """Regula falsi (the Illinois variant) on a bracket that always holds the moment."""
        if round(total(low)) < threshold:
            return datetime.fromtimestamp(low, created_at.tzinfo)
        target = threshold - 0.5
        high = latest + _FADED_BY.total_seconds()
        if len(terms) == 1:  # the source alone is one exponential: solve it, then check
            fade, as_of, weight, _ = terms[0]
            moment = as_of + math.log(weight / target) / fade
            if low < moment - 1 and round(total(moment - 1)) >= threshold > round(
                total(moment + 1)
            ):
                low, high = moment - 1, moment + 1
        above, below, kept = total(low) - target, total(high) - target, 0
        while high - low > 1:
            guess = high - below * (high - low) / (below - above)
            guess = min(max(guess, low + 0.5), high - 0.5)
            score = total(guess)
            if round(score) >= threshold:
                low, above = guess, score - target
                below, kept = (below / 2, kept) if kept == 1 else (below, 1)
            else:
                high, below = guess, score - target
                above, kept = (above / 2, kept) if kept == -1 else (above, -1)
        first = math.ceil(low)  # the first whole second below: this one or the next
        below_at = first if round(total(first)) < threshold else first + 1
        return datetime.fromtimestamp(below_at, created_at.tzinfo)

    hot_until = falls_below(HOT_AT, start)
    return Cutoffs(hot_until, falls_below(WARM_AT, max(start, hot_until.timestamp() - 1)))

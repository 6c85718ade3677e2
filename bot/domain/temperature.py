"""Lead temperature: how close a lead is to buying, and why.

Two sides, kept apart as a rep reads them. *Fit* is where the lead came from
(a referral fits better than a cold list). *Interest* is what they did: every
touch adds a fading signal, by the group of its kind (``vocabulary.KIND_GROUPS``):

- a **buying signal** (quote, trial, demo, inbound, download) makes a lead hot
  for ``FRESH`` (30 days), and only a buying signal does;
- **engagement** (a call, a meeting, a reply ...) warms a lead, never makes it hot;
- **effort** (an email, a voicemail) is ours, not theirs: it adds nothing;
- **declined** wipes everything before it, fit included: the lead is cold at once.

The band follows those rules; the score orders leads within them on a
saturating scale, so it never flattens at the top: a hot lead scores 50-99,
growing ever slower with more points, and any other lead 0-49. The raw points
of each signal fade with their own half-life; repeats of one kind count up to
``REPEAT_CAP`` times its weight. The reasons shown are each signal's share of
the score, rounded so they add up to it exactly.

Everything here is pure: ``now`` is always passed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.vocabulary import BUYING, KIND_WORDS, SOURCE_WORDS, Band

HOT_AT = 50
"""Hot leads score from here up, and only they do."""
WARM_AT = 20
"""A lead that is not hot is warm from here up: interested or well introduced."""
FRESH = timedelta(days=30)
"""How long a buying signal keeps a lead hot."""
REPEAT_CAP = 2.0
"""Repeats of one kind add up to at most this many times its weight."""
HOT_SCALE = 150.0
"""Raw points at which a hot lead is 63% of the way from 50 to 99 (the saturating scale)."""
WARM_SCALE = 60.0
"""Raw points at which any other lead is 63% of the way from 0 to 49."""
_FADED_BY = timedelta(days=5 * 365)
"""Long enough for the strongest possible lead to fade below warm (tested)."""


@dataclass(frozen=True)
class Rule:
    """How much a signal is worth when fresh, and how fast it fades."""

    label: str
    weight: int
    half_life_days: float


WEIGHTS: dict[str, tuple[int, float]] = {
    # fit: where the lead came from
    "source:referral": (50, 60),
    "source:client": (45, 60),
    "source:event": (40, 45),
    "source:inbound": (40, 45),
    "source:remarketing": (35, 45),
    "source:cold": (10, 30),
    # buying signals: hot while fresh, then interest that fades
    "quote": (80, 21),
    "trial": (80, 21),
    "demo": (70, 21),
    "inbound": (60, 10),
    "download": (40, 7),
    # engagement: a real two-way contact
    "meeting": (45, 21),
    "call": (35, 14),
    "referral": (35, 30),
    "event": (30, 21),
    "reply": (25, 14),
    "webinar": (25, 14),
    # effort, outcome and notes: no points (declined works by wiping, see above)
    "email": (0, 7),
    "voicemail": (0, 7),
    "declined": (0, 7),
    "note": (0, 7),
}
"""The one table of weights: raw points when fresh, and half-life in days."""

SOURCES: dict[str, Rule] = {
    source: Rule(word.label, *WEIGHTS[f"source:{source}"]) for source, word in SOURCE_WORDS.items()
}
KINDS: dict[str, Rule] = {
    kind: Rule(word.label, *WEIGHTS[kind]) for kind, word in KIND_WORDS.items()
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
    fit: str = ""
    """Where the lead came from, as a card says it ("Referred by someone who knows them")."""
    interest: Reason | None = None
    """What they did that counts most: the fresh buying signal if hot, else the strongest touch."""

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


def declined_at(signals: Mapping[str, Signal]) -> datetime | None:
    """When the lead last said no, if it ever did."""
    declined = signals.get("declined")
    return declined.last_at if declined else None


def with_touch(signals: Mapping[str, Signal], kind: str, at: datetime) -> dict[str, Signal]:
    """The signals after one more touch, for any kind but ``declined``.

    A touch from before the lead said no changes nothing. ``declined`` itself
    needs the history (``signals_from``): what came before it is dropped.
    """
    said_no = declined_at(signals)
    if said_no is not None and at <= said_no:
        return dict(signals)
    return {**signals, kind: record_touch(signals.get(kind), kind, at)}


def signals_from(touches: Iterable[tuple[str, datetime]]) -> dict[str, Signal]:
    """Fold a history of (kind, when) touches into one signal per kind.

    Only the last ``declined`` and what came after it count.
    """
    history = list(touches)
    said_no = max((at for kind, at in history if kind == "declined"), default=None)
    signals: dict[str, Signal] = {}
    for kind, at in history:
        if said_no is None or at > said_no or (kind == "declined" and at == said_no):
            signals[kind] = record_touch(signals.get(kind), kind, at)
    return signals


def latest_buying_signal(signals: Mapping[str, Signal]) -> tuple[str, datetime] | None:
    """The kind and time of the latest buying signal since the lead last said no."""
    said_no = declined_at(signals)
    found = [(s.last_at, k) for k, s in signals.items() if k in BUYING]
    found = [(at, k) for at, k in found if said_no is None or at > said_no]
    if not found:
        return None
    at, kind = max(found)
    return kind, at


def _hot_until(signals: Mapping[str, Signal]) -> datetime | None:
    """The first whole second the latest buying signal is no longer fresh."""
    latest = latest_buying_signal(signals)
    if latest is None:
        return None
    end = latest[1] + FRESH
    return datetime.fromtimestamp(math.ceil(end.timestamp()), end.tzinfo)


def _points(
    source: str, created_at: datetime, signals: Mapping[str, Signal], now: datetime
) -> list[tuple[str, float]]:
    """Raw (unscaled) points of the fit and each signal that counts."""
    said_no = declined_at(signals)
    points: list[tuple[str, float]] = []
    if said_no is None:
        rule = SOURCES[source]
        age = max(0.0, _days(now, created_at))
        points.append((f"source:{source}", rule.weight * _fade(age, rule.half_life_days)))
    for kind, signal in signals.items():
        if said_no is not None and signal.last_at <= said_no:
            continue
        rule = KINDS[kind]
        fade = _fade(max(0.0, _days(now, signal.as_of)), rule.half_life_days)
        points.append((kind, rule.weight * min(signal.strength * fade, REPEAT_CAP)))
    return points


def _scaled(raw: float, hot: bool) -> int:
    if hot:
        return HOT_AT + round((99 - HOT_AT) * (1 - math.exp(-raw / HOT_SCALE)))
    return round((HOT_AT - 1) * (1 - math.exp(-raw / WARM_SCALE)))


def _is_hot(hot_until: datetime | None, now: datetime) -> bool:
    return hot_until is not None and now < hot_until


def score(source: str, created_at: datetime, signals: Mapping[str, Signal], now: datetime) -> int:
    """The score alone, as ``temperature`` gives it: for reading thousands at once (exports)."""
    raw = sum(p for _, p in _points(source, created_at, signals, now))
    return _scaled(raw, _is_hot(_hot_until(signals), now))


def _shares(points: list[tuple[str, float]], total: int) -> list[tuple[str, int]]:
    """Split ``total`` by each factor's raw points, largest remainders first: the sum is exact."""
    raw = sum(p for _, p in points)
    if raw <= 0:
        return []
    exact = [(factor, total * p / raw) for factor, p in points]
    whole = {factor: math.floor(x) for factor, x in exact}
    left = total - sum(whole.values())
    for factor, _ in sorted(exact, key=lambda fx: -(fx[1] - math.floor(fx[1])))[:left]:
        whole[factor] += 1
    return [(factor, whole[factor]) for factor, _ in points]


def temperature(
    source: str, created_at: datetime, signals: Mapping[str, Signal], now: datetime
) -> Temperature:
    """Score (0-99), band, the reasons behind them (strongest first), fit and interest."""
    points = _points(source, created_at, signals, now)
    hot = _is_hot(_hot_until(signals), now)
    total = _scaled(sum(p for _, p in points), hot)
    reasons = []
    for factor, share in _shares(points, total):
        if share <= 0:
            continue
        if factor.startswith("source:"):
            reasons.append(Reason(factor, SOURCES[source].label, share, created_at))
        else:
            signal = signals[factor]
            reasons.append(Reason(factor, KINDS[factor].label, share, signal.last_at, signal.count))
    reasons.sort(key=lambda r: -r.points)
    interest = next((r for r in reasons if not r.factor.startswith("source:")), None)
    latest = latest_buying_signal(signals)
    if hot and latest is not None:
        kind = latest[0]
        interest = next((r for r in reasons if r.factor == kind), None) or Reason(
            kind, KINDS[kind].label, 0, latest[1], signals[kind].count
        )
    return Temperature(total, band_for(total), tuple(reasons), SOURCES[source].label, interest)


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
    """The first whole seconds at which the lead is no longer hot, and no longer warm.

    Hot ends when the latest buying signal stops being fresh. Warm is searched
    by bisection over whole seconds from there, with the very score function
    ``temperature`` uses, since the score never rises without a touch.
    """
    tz = created_at.tzinfo
    start = math.ceil(created_at.timestamp())
    fresh_end = _hot_until(signals)
    hot_until = max(fresh_end, created_at) if fresh_end else created_at

    def warm(second: int) -> bool:
        return score(source, created_at, signals, datetime.fromtimestamp(second, tz)) >= WARM_AT

    low = max(start, math.ceil(hot_until.timestamp()))
    if not warm(low):
        return Cutoffs(hot_until, datetime.fromtimestamp(low, tz) if low > start else created_at)
    latest = max([start, *(math.ceil(s.as_of.timestamp()) for s in signals.values())])
    high = latest + int(_FADED_BY.total_seconds())
    while high - low > 1:  # warm at low, not warm at high
        middle = (low + high) // 2
        if warm(middle):
            low = middle
        else:
            high = middle
    return Cutoffs(hot_until, datetime.fromtimestamp(high, tz))

"""Is the score right? Win rates of closed leads by band before the close, source and rep.

Pure: closed leads and speed-to-lead pairs in, plain text out. Storage keeps
each lead's band 14 days before it closed, so the report stays true when the
model is tuned later.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.text import duration
from bot.domain.vocabulary import BANDS, SOURCES
from bot.domain.working_hours import WorkingHours

ENOUGH = 5
"""Below this many closed leads in a row of the report, a rate is noise."""
BAR = 10
"""Characters of a full bar."""


@dataclass(frozen=True)
class Closed:
    """A lead won or lost in the window, as the report needs it."""

    owner: str
    source: str
    won: bool
    band_before: str
    """Its band 14 days before it closed (``none``: it did not exist yet)."""
    first_touch_at: datetime | None
    closed_at: datetime
    name: str = ""
    note: str = ""
    """The words the rep closed it with: the win note or the loss reason."""


def _rate(name: str, won: int, closed: int) -> str:
    if closed < ENOUGH:
        return f"{name}: {won} of {closed} won (not enough closed leads yet)"
    share = won / closed
    bar = "█" * round(share * BAR) + "·" * (BAR - round(share * BAR))
    return f"{name}: {won} of {closed} won, {share:.0%} {bar}"


@dataclass(frozen=True)
class BandRate:
    """Closed leads that were in ``band`` 14 days before the close, and how many were won."""

    band: str
    won: int
    closed: int

    @property
    def enough(self) -> bool:
        return self.closed >= ENOUGH


WORDS_SHOWN = 5
"""Closes quoted in the rep's own words, latest first."""

BANDS_BEFORE = (*BANDS, "none")
"""The report's rows by band; ``none``: the lead did not exist 14 days before its close."""


def by_band(closed: Sequence[Closed]) -> list[BandRate]:
    """Win rate by band 14 days before the close: what the report says and its picture draws."""
    return [
        BandRate(band, sum(r.won for r in rows), len(rows))
        for band in BANDS_BEFORE
        if (rows := [r for r in closed if r.band_before == band])
    ]


def win_rates_words(rates: Sequence[BandRate], days: int) -> str:
    """The win-rate picture's numbers in words, for its alt text."""
    closed = sum(rate.closed for rate in rates)
    if not closed:
        return f"Win rate by band 14 days before the close: no leads won or lost in the last {days} days."
    parts = [
        f"{'new (added under 14 days before)' if r.band == 'none' else r.band} {r.won} of "
        f"{r.closed} won" + (f" ({r.won / r.closed:.0%})" if r.enough else " (too few yet)")
        for r in rates
    ]
    return (
        f"Win rate by band 14 days before the close, {closed} leads won or lost in the last "
        f"{days} days: " + "; ".join(parts) + "."
    )


def _median(spans: Sequence[timedelta]) -> timedelta:
    ordered = sorted(spans)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _tally(rows: Sequence[Closed]) -> tuple[int, int]:
    return sum(r.won for r in rows), len(rows)


def _section(
    title: str, keys: Iterable[str], rows: Sequence[Closed], key: Callable[[Closed], str]
) -> list[str]:
    groups = {k: [r for r in rows if key(r) == k] for k in keys}
    return [title, *(f"  {_rate(k, *_tally(g))}" for k, g in groups.items() if g)]


@dataclass(frozen=True)
class Answered:
    """A buying signal in the window, whose lead it was, and our first answer after it."""

    team_id: str
    owner: str
    source: str
    asked: datetime
    answered: datetime | None


@dataclass(frozen=True)
class Speed:
    """How one rep (or source) answered, in working time."""

    signals: int
    median: timedelta | None
    within_5_min: int
    within_hour: int


def speed_of(rows: Sequence[Answered], hours: Callable[[str], WorkingHours]) -> Speed:
    """Working time from each signal to its answer (unanswered ones count as not within)."""
    spans = [hours(r.team_id).between(r.asked, r.answered) for r in rows if r.answered is not None]
    return Speed(
        len(rows),
        _median(spans) if spans else None,
        sum(1 for span in spans if span <= timedelta(minutes=5)),
        sum(1 for span in spans if span <= timedelta(hours=1)),
    )


def speed_lines(
    rows: Sequence[Answered],
    passed_on: dict[str, int],
    hours: Callable[[str], WorkingHours],
    name_of: Callable[[str], str] = lambda owner: owner,
) -> list[str]:
    """Speed to lead per rep and per source, in working time; rows under ``ENOUGH`` say so.

    ``passed_on``: per rep, how many of their leads the relay offered to someone else.
    """
    if not rows:
        return []
    lines = ["Speed to lead by rep (working time)"]
    for owner in sorted({r.owner for r in rows}):
        mine = [r for r in rows if r.owner == owner]
        away = passed_on.get(owner, 0)
        lines.append(
            f"  {name_of(owner) if owner else 'nobody'}: {_speed(speed_of(mine, hours), away)}"
        )
    lines.append("Speed to lead by source (working time)")
    for source in SOURCES:
        theirs = [r for r in rows if r.source == source]
        if theirs:
            lines.append(f"  {source}: {_speed(speed_of(theirs, hours), None)}")
    return lines


def _speed(speed: Speed, passed_on: int | None) -> str:
    away = f"; {passed_on} passed on by the relay" if passed_on else ""
    if speed.signals < ENOUGH:
        return f"{speed.signals} buying signals (fewer than {ENOUGH}: not enough to say){away}"
    median = duration(speed.median) if speed.median is not None else "none answered"
    return (
        f"median {median}; within 5 min {speed.within_5_min / speed.signals:.0%}, "
        f"within an hour {speed.within_hour / speed.signals:.0%} of {speed.signals}{away}"
    )


def report(
    closed: Sequence[Closed],
    answers: Sequence[tuple[datetime, datetime | None]],
    days: int,
    name_of: Callable[[str], str] = lambda owner: owner,
    speeds: Sequence[str] = (),
) -> str:
    """The report as plain text (the command puts it in a code block-free message)."""
    lines = [f"Leads won or lost in the last {days} days: {len(closed)}"]
    if len(closed) < ENOUGH:
        lines.append("Not enough closed leads yet to say whether the score is right.")
    else:
        lines.append("Win rate by band 14 days before the close")
        lines += [f"  {_rate(r.band, r.won, r.closed)}" for r in by_band(closed)]
        lines += _section("By source", SOURCES, closed, lambda r: r.source)
        owners = sorted({r.owner for r in closed})
        lines += [
            "By rep",
            *(
                f"  {_rate(name_of(o), *_tally([r for r in closed if r.owner == o]))}"
                for o in owners
            ),
        ]
        to_won = [
            (r.closed_at - r.first_touch_at).total_seconds() / 86400
            for r in closed
            if r.won and r.first_touch_at is not None
        ]
        if to_won:
            lines.append(f"Median days from first touch to won: {statistics.median(to_won):.0f}")
    lines += in_their_words(closed)
    answered = [done - asked for asked, done in answers if done is not None]
    if answers:
        within = sum(1 for delta in answered if delta <= timedelta(hours=1))
        median = duration(_median(answered)) if answered else "none answered"
        lines.append(
            f"Speed to lead: median {median}; answered within an hour: "
            f"{within} of {len(answers)} buying signals ({within / len(answers):.0%})"
        )
    else:
        lines.append("Speed to lead: no buying signals in the window yet.")
    return "\n".join([*lines, *speeds])


def in_their_words(closed: Sequence[Closed]) -> list[str]:
    """The latest closes that came with words (``won … signed! 3 crews``), as reps wrote them."""
    said = sorted((r for r in closed if r.note), key=lambda r: r.closed_at, reverse=True)
    if not said:
        return []
    shown = said[:WORDS_SHOWN]
    lines = ["In their words, latest first"]
    lines += [f"  {'won' if r.won else 'lost'} {r.name}: {' '.join(r.note.split())}" for r in shown]
    if len(said) > len(shown):
        lines.append(f"  …and {len(said) - len(shown)} more")
    return lines

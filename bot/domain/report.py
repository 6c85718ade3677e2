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


def report(
    closed: Sequence[Closed],
    answers: Sequence[tuple[datetime, datetime | None]],
    days: int,
    name_of: Callable[[str], str] = lambda owner: owner,
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
    return "\n".join(lines)


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

"""Pipeline history: one row per workspace per local day, for the weekly picture.

Pure: settings, the last day kept and ``now`` in; which days are due, and each day's
row built from what storage measured. A day's row is taken the morning after, at
the digest time: by then the day is over and an evening signal has had the night
to be answered. What happened on a day (new leads, wins, losses, buying signals and
their answers) is read from stored times, so a day missed while the app was down is
caught up exactly; how many leads were open is counted only on the morning itself,
so a caught-up day leaves it unknown rather than guessed. Nothing is written for a
day before a workspace's first row: its history starts when the feature first ran.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.dates import zone
from bot.domain.schedule import WorkspaceSettings
from bot.domain.vocabulary import BANDS, SOURCES, Band

CATCH_UP_DAYS = 92
"""How far back a missed stretch is caught up: a quarter; a longer gap stays a gap."""
HOUR = 60


@dataclass(frozen=True)
class Signal:
    """A buying signal received on the day, and our first answer before the row was taken."""

    owner: str
    """The lead's owner (``""``: nobody owns it)."""
    at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class Snapshot:
    """What one local day did to a workspace's pipeline.

    ``answers`` holds, per owner, the whole minutes from each buying signal of the day
    to our first answer, ``None`` when it was not answered by the time the row was
    taken: a few numbers a day, enough for any week's median and slowest rep.
    """

    team_id: str
    day: date
    taken_at: datetime
    open: Mapping[Band, int] | None
    """Open leads by band on the morning after; ``None``: nobody counted (a day caught up)."""
    new_leads: Mapping[str, int]
    """Leads added that day, by source."""
    won: int
    lost: int
    answers: Mapping[str, tuple[int | None, ...]]
    answered_same_day: int
    """Signals answered before that local day ended."""

    @property
    def signals(self) -> int:
        return sum(len(minutes) for minutes in self.answers.values())

    @property
    def answered_within_hour(self) -> int:
        return sum(within_hour(minutes) for minutes in self.answers.values())


@dataclass(frozen=True)
class Speed:
    """Median minutes from a buying signal to our first answer, over some signals.

    Signals not answered by the morning after count as slower than any answer, so a
    rep who lets leads wait is never the fast one. ``median`` is ``None`` when there
    were no signals, or when most of them were not answered by then (``unanswered``).
    """

    signals: int
    answered: int
    within_hour: int
    median: float | None

    @property
    def unanswered(self) -> bool:
        return self.signals > 0 and self.median is None


def speed(minutes: Iterable[int | None]) -> Speed:
    values = list(minutes)
    answered = sorted(m for m in values if m is not None)
    n = len(values)
    median: float | None = None
    if n:
        # Unanswered sort last; a middle that falls among them has no number.
        middle = [(n - 1) // 2, n // 2]
        if middle[1] < len(answered):
            median = (answered[middle[0]] + answered[middle[1]]) / 2
    return Speed(n, len(answered), within_hour(values), median)


def within_hour(minutes: Sequence[int | None]) -> int:
    return sum(1 for m in minutes if m is not None and m <= HOUR)


def day_start(day: date, tz: str) -> datetime:
    """Midnight starting ``day`` in the zone, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(UTC)


def taken_at(day: date, settings: WorkspaceSettings) -> datetime:
    """When ``day``'s row is due: the digest time the morning after, in UTC."""
    after = day + timedelta(days=1)
    return datetime.combine(after, settings.send_at, tzinfo=zone(settings.tz)).astimezone(UTC)


def due_days(settings: WorkspaceSettings, last: date | None, now: datetime) -> list[date]:
    """The days whose rows are due at ``now`` and not yet kept, oldest first.

    ``last`` is the newest day kept. Without one, only the day just ended is due:
    a workspace's history starts the first morning the feature runs.
    """
    local = now.astimezone(zone(settings.tz))
    newest = local.date() - timedelta(days=1)
    if local.time().replace(tzinfo=None) < settings.send_at:
        newest -= timedelta(days=1)
    if last is None:
        return [newest]
    first = max(last + timedelta(days=1), newest - timedelta(days=CATCH_UP_DAYS - 1))
    return [first + timedelta(days=n) for n in range((newest - first).days + 1)]


def minutes_to_answer(signal: Signal) -> int | None:
    """Whole minutes, rounded up: ``<= 60`` means answered within the hour."""
    if signal.answered_at is None:
        return None
    return max(0, math.ceil((signal.answered_at - signal.at).total_seconds() / 60))


def snapshot(
    team_id: str,
    day: date,
    now: datetime,
    tz: str,
    *,
    open_now: Mapping[Band, int] | None,
    new_leads: Mapping[str, int],
    won: int,
    lost: int,
    signals: Sequence[Signal],
) -> Snapshot:
    """The day's row from what storage measured; signals sorted so equal days store equally."""
    answers: dict[str, list[int | None]] = {}
    same_day = 0
    local = zone(tz)
    for signal in sorted(signals, key=lambda s: (s.owner, s.at)):
        answers.setdefault(signal.owner, []).append(minutes_to_answer(signal))
        if signal.answered_at is not None and (
            signal.answered_at.astimezone(local).date() == signal.at.astimezone(local).date()
        ):
            same_day += 1
    return Snapshot(
        team_id=team_id,
        day=day,
        taken_at=now,
        open=dict(open_now) if open_now is not None else None,
        new_leads={source: n for source, n in sorted(new_leads.items()) if n},
        won=won,
        lost=lost,
        answers={owner: tuple(minutes) for owner, minutes in sorted(answers.items())},
        answered_same_day=same_day,
    )


CSV_COLUMNS = (
    "team_id",
    "day",
    "taken_at",
    "open_hot",
    "open_warm",
    "open_cold",
    "new_leads",
    *(f"new_{source}" for source in SOURCES),
    "won",
    "lost",
    "signals",
    "answered_within_hour",
    "answered_same_day",
    "median_answer_minutes",
    "answer_minutes",
)
"""``python -m bot export --snapshots``: one line per workspace per day."""


def csv_row(day: Snapshot) -> dict[str, str]:
    """The row as the CSV export writes it; empty cells where nobody counted or nothing was."""
    opened = day.open
    median = speed(m for minutes in day.answers.values() for m in minutes).median
    return {
        "team_id": day.team_id,
        "day": day.day.isoformat(),
        "taken_at": day.taken_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **{f"open_{band}": "" if opened is None else str(opened.get(band, 0)) for band in BANDS},
        "new_leads": str(sum(day.new_leads.values())),
        **{f"new_{source}": str(day.new_leads.get(source, 0)) for source in SOURCES},
        "won": str(day.won),
        "lost": str(day.lost),
        "signals": str(day.signals),
        "answered_within_hour": str(day.answered_within_hour),
        "answered_same_day": str(day.answered_same_day),
        "median_answer_minutes": "" if median is None else f"{median:g}",
        "answer_minutes": json.dumps(
            {owner: list(minutes) for owner, minutes in day.answers.items()}, sort_keys=True
        ),
    }

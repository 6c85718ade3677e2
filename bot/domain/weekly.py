"""The weekly summary: the last eight weeks of pipeline history, as numbers and words.

Pure: the workspace's daily rows (``bot.domain.snapshots``) in, a ``Weekly`` out.
The picture is drawn from a ``Weekly`` and nothing else, and the three lines and the
alt text are written from the same object, so what the manager reads, what a screen
reader says and what the bars show are the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.dates import zone
from bot.domain.schedule import WorkspaceSettings
from bot.domain.snapshots import Snapshot, Speed, speed
from bot.domain.text import plural
from bot.domain.vocabulary import BANDS, WEEKDAYS, Band

WEEKS = 8
ENOUGH_DAYS = 14
"""Below two weeks of history the picture says it is still filling in."""
DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
ALT_TEXT_LIMIT = 1000
"""Slack refuses a longer ``alt_txt`` (``alt_txt_too_large``)."""


def short_duration(minutes: float) -> str:
    """ "38 min", "3 h", "2 days": short enough for a line on a phone."""
    whole = round(minutes)
    if whole < 90:
        return f"{whole} min"
    if whole < 48 * 60:
        return f"{round(whole / 60)} h"
    return f"{round(whole / 1440)} days"


@dataclass(frozen=True)
class Week:
    """Seven local days; the open leads are those counted on the last morning in it."""

    first: date
    last: date
    days: int
    """Days of history in the week (fewer at the start, or after the app was down)."""
    open: Mapping[Band, int] | None
    won: int
    lost: int
    new_leads: int
    answers: Mapping[str, tuple[int | None, ...]]

    @property
    def speed(self) -> Speed:
        return speed(m for minutes in self.answers.values() for m in minutes)

    def speed_of(self, owner: str) -> Speed:
        return speed(self.answers.get(owner, ()))

    def label(self) -> str:
        """The week as an axis reads it: the day it starts, "16 Nov"."""
        return f"{self.first.day} {self.first:%b}"


def _week(first: date, rows: Sequence[Snapshot]) -> Week:
    counted = [row for row in rows if row.open is not None]
    answers: dict[str, list[int | None]] = {}
    for row in rows:
        for owner, minutes in row.answers.items():
            answers.setdefault(owner, []).extend(minutes)
    return Week(
        first=first,
        last=first + timedelta(days=6),
        days=len(rows),
        open=counted[-1].open if counted else None,
        won=sum(row.won for row in rows),
        lost=sum(row.lost for row in rows),
        new_leads=sum(sum(row.new_leads.values()) for row in rows),
        answers={owner: tuple(minutes) for owner, minutes in answers.items()},
    )


@dataclass(frozen=True)
class Weekly:
    """Up to eight weeks ending ``last_day``, oldest first; weeks with no history left out."""

    last_day: date
    weeks: tuple[Week, ...]
    history_days: int

    @property
    def enough(self) -> bool:
        return self.history_days >= ENOUGH_DAYS

    @property
    def latest(self) -> Week | None:
        """The week that ended ``last_day``, if there is any history in it."""
        if self.weeks and self.weeks[-1].last == self.last_day:
            return self.weeks[-1]
        return None

    @property
    def week_before(self) -> Week | None:
        ago = self.last_day - timedelta(days=7)
        return next((week for week in self.weeks if week.last == ago), None)

    def slots(self) -> list[tuple[date, Week | None]]:
        """All eight weeks ending ``last_day``, oldest first, each with its history if any."""
        first_day = self.last_day - timedelta(days=7 * WEEKS - 1)
        found = {week.first: week for week in self.weeks}
        starts = [first_day + timedelta(days=7 * n) for n in range(WEEKS)]
        return [(start, found.get(start)) for start in starts]

    def slowest(self) -> tuple[str, Speed] | None:
        """The rep whose answers were slowest last week, when at least two reps had signals."""
        week = self.latest
        if week is None:
            return None
        reps = [(owner, week.speed_of(owner)) for owner in week.answers if owner]
        if len(reps) < 2:
            return None
        return max(reps, key=lambda rep: _slowness(rep[1]))

    def note(self) -> str:
        """What the picture says when history is short; empty when there are two weeks."""
        if self.enough:
            return ""
        if not self.history_days:
            return "No history yet: the first day is kept tomorrow morning."
        return (
            f"Only {plural(self.history_days, 'day')} of history so far: "
            "the weeks fill in as they pass."
        )

    def lines(self, name_of: Callable[[str], str] = lambda owner: owner) -> list[str]:
        """The three lines under the picture: hot now, won and lost, speed to lead."""
        week, before = self.latest, self.week_before
        return [
            _hot_line(week, before),
            _closed_line(week),
            _speed_line(week, self.slowest(), name_of),
        ]

    def alt_text(self) -> str:
        """The picture's numbers in words, for screen readers and notification previews."""
        if not self.weeks:
            return f"Pipeline history, no weeks yet. {self.note()}".strip()
        weeks = self.weeks
        span = f"{weeks[0].label()} to {weeks[-1].label()}"
        parts = [
            f"Pipeline, {plural(len(weeks), 'week')} starting {span}.",
            "Open leads hot/warm/cold: "
            + "; ".join(f"{w.label()} {_open_words(w)}" for w in weeks)
            + ".",
            "Won/lost: " + "; ".join(f"{w.label()} {w.won}/{w.lost}" for w in weeks) + ".",
            "Median answer: " + "; ".join(f"{w.label()} {_speed_short(w.speed)}" for w in weeks),
        ]
        text = " ".join(parts) + "."
        if self.note():
            text += " " + self.note()
        return text if len(text) <= ALT_TEXT_LIMIT else text[: ALT_TEXT_LIMIT - 1] + "…"


def _slowness(rep: Speed) -> tuple[int, float, int]:
    if rep.median is None:
        return (1, rep.signals - rep.answered, rep.signals)
    return (0, rep.median, rep.signals)


def _rep_words(rep: Speed) -> str:
    if rep.median is None:
        return f"({rep.signals - rep.answered} of {rep.signals} not answered by next morning)"
    return short_duration(rep.median)


def _open_words(week: Week) -> str:
    if week.open is None:
        return "not counted"
    return "/".join(str(week.open.get(band, 0)) for band in BANDS)


def _speed_short(speed: Speed) -> str:
    if speed.signals == 0:
        return "no signals"
    if speed.median is None:
        return "mostly unanswered"
    return short_duration(speed.median)


def _hot_line(week: Week | None, before: Week | None) -> str:
    if week is None or week.open is None:
        return "No count of open leads this week yet"
    hot = week.open.get("hot", 0)
    line = f"{hot} hot now"
    if before is None or before.open is None:
        return line
    ago = before.open.get("hot", 0)
    if ago == hot:
        return f"{line}, as many as a week ago"
    return f"{line}, {'up' if hot > ago else 'down'} from {ago} a week ago"


def _closed_line(week: Week | None) -> str:
    if week is None or not (week.won or week.lost):
        return "none won or lost this week"
    return f"{week.won} won, {week.lost} lost"


def _speed_line(
    week: Week | None, slowest: tuple[str, Speed] | None, name_of: Callable[[str], str]
) -> str:
    team = week.speed if week else speed(())
    if team.signals == 0:
        return "no buying signals this week"
    if team.median is None:
        line = (
            f"most buying signals not answered by next morning "
            f"({team.signals - team.answered} of {team.signals})"
        )
    else:
        line = f"median answer {short_duration(team.median)}"
    if slowest is not None:
        owner, rep = slowest
        line += f", slowest rep: {name_of(owner)} {_rep_words(rep)}"
    return line


def weekly(rows: Iterable[Snapshot], last_day: date) -> Weekly:
    """The eight weeks ending ``last_day`` from the workspace's daily rows (any order)."""
    first_day = last_day - timedelta(days=7 * WEEKS - 1)
    kept = sorted((row for row in rows if first_day <= row.day <= last_day), key=lambda r: r.day)
    weeks = []
    for n in range(WEEKS):
        first = first_day + timedelta(days=7 * n)
        in_week = [row for row in kept if first <= row.day <= first + timedelta(days=6)]
        if in_week:
            weeks.append(_week(first, in_week))
    return Weekly(last_day, tuple(weeks), len(kept))


def due(settings: WorkspaceSettings, now: datetime) -> date | None:
    """The local day whose weekly summary is due at ``now``: the weekly day, from the
    digest time until midnight (a run that was down at 09:00 still sends it that day)."""
    if settings.weekly == "off":
        return None
    local = now.astimezone(zone(settings.tz))
    if WEEKDAYS[local.weekday()] != settings.weekly:
        return None
    if local.time().replace(tzinfo=None) < settings.send_at:
        return None
    return local.date()


def today(settings: WorkspaceSettings, now: datetime) -> date:
    """The workspace's local day at ``now``: a summary made today covers the weeks to yesterday."""
    return now.astimezone(zone(settings.tz)).date()


def first_day(today: date) -> date:
    """The oldest day a summary made on ``today`` reads."""
    return today - timedelta(days=7 * WEEKS)

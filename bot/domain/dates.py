"""Natural-language dates ("yesterday 3pm", "in 30 days") in the rep's own time zone.

Only dates a sales team can mean get through: nothing before 1990 (``0225``
is a typo for ``2025``), no plan more than ten years ahead. Inside those
bounds no time zone shift or date arithmetic can leave Python's calendar
(year 1 to 9999), so nothing downstream overflows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser

CLOCK_SKEW = timedelta(minutes=5)
"""A touch this little in the future is taken as now: clocks and typing disagree."""
EARLIEST_YEAR = 1990
"""Nothing a sales team logs or plans is dated, on its own wall clock, before this year."""
YEARS_AHEAD = 10
"""How far ahead a plan (a snooze) may reach."""


class DateError(ValueError):
    """Text that is not a usable date; the message is shown to the user."""


def zone(name: str | None) -> ZoneInfo:
    """The named IANA zone, or UTC when the name is empty or unknown."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def latest_plan(now: datetime) -> datetime:
    """``YEARS_AHEAD`` years after ``now`` (28 Feb for 29 Feb), never past year 9999."""
    year = now.year + YEARS_AHEAD
    if year > datetime.max.year:
        return datetime.max.replace(tzinfo=UTC)
    try:
        return now.replace(year=year)
    except ValueError:
        return now.replace(year=year, day=28)


def check_plausible(moment: datetime, now: datetime, shown: str, *, plan: bool = False) -> None:
    """Refuse a moment no sales team means: before 1990, or for a ``plan`` past ten years ahead.

    ``shown`` is what the user wrote, quoted back in the message.
    """
    if moment.year < EARLIEST_YEAR:
        guess = _this_century(moment)
        fits = guess is not None and (now < guess <= latest_plan(now) if plan else guess <= now)
        hint = f"; did you mean {guess.year}?" if fits and guess else "."
        raise DateError(f"I read “{shown}” as {_day(moment)} — that's before {EARLIEST_YEAR}{hint}")
    if plan and moment > latest_plan(now):
        raise DateError(
            f"I read “{shown}” as {_day(moment)} — that's more than {YEARS_AHEAD} years ahead."
        )


def parse_past(text: str, tz: str | None, now: datetime) -> datetime:
    """When a touch happened: must not be in the future, nor before 1990."""
    parsed = _parse(text, tz, now, "past")
    if parsed is None:
        raise DateError(
            f"I couldn't read “{text}” as a date. Try `yesterday 3pm`, `last friday` "
            "or `10 days ago`."
        )
    if parsed > now + CLOCK_SKEW:
        raise DateError(
            f"“{text}” is in the future. Log touches that happened; "
            "to be reminded later, use `/lead snooze`."
        )
    check_plausible(parsed, now, text)
    return min(parsed.astimezone(UTC), now)


def parse_future(text: str, tz: str | None, now: datetime) -> datetime:
    """Until when something waits (a snooze): in the future, at most ten years ahead."""
    parsed = _parse(text, tz, now, "future")
    if parsed is None:
        raise DateError(
            f"I couldn't read “{text}” as a date. Try `in 30 days`, `next monday` or `2026-01-15`."
        )
    check_plausible(parsed, now, text, plan=True)
    if parsed <= now:
        raise DateError(f"“{text}” is already past. Pick a date ahead, like `in 2 weeks`.")
    return parsed.astimezone(UTC)


def parse_due(text: str, tz: str | None, now: datetime) -> date:
    """The day a next step is due, on the rep's calendar: today or later, at most ten years ahead."""
    parsed = _parse(text, tz, now, "future")
    if parsed is None:
        raise DateError(
            f"I couldn't read “{text}” as a date. Try `friday`, `in 2 weeks` or `2026-01-15`."
        )
    check_plausible(parsed, now, text, plan=True)
    today = now.astimezone(zone(tz)).date()
    if parsed.date() < today:
        raise DateError(f"“{text}” is already past. Pick a day ahead, like `due:friday`.")
    return parsed.date()


def _parse(text: str, tz: str | None, now: datetime, prefer: str) -> datetime | None:
    """The moment as read on the rep's wall clock, time zone aware, not yet checked."""
    try:
        return _dateparser(text, now.astimezone(zone(tz)), prefer)
    except OverflowError:
        # The reading is within a day of year 1 or 9999, where the zone's offset
        # leaves the calendar: read it as UTC only to say how it was read.
        try:
            return _dateparser(text, now.astimezone(zone(None)), prefer)
        except OverflowError:
            return None


def _dateparser(text: str, local_now: datetime, prefer: str) -> datetime | None:
    read: datetime | None = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "TIMEZONE": local_now.tzinfo.key,  # type: ignore[union-attr]
            "RETURN_AS_TIMEZONE_AWARE": True,
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "PREFER_DATES_FROM": prefer,
        },
    )
    return read


def _day(moment: datetime) -> str:
    """``14 Mar 0225``: four-digit years, whatever strftime does with small ones."""
    return f"{moment.day} {moment:%b} {moment.year:04d}"


def _this_century(moment: datetime) -> datetime | None:
    """The same day in 20YY, for years typed with a digit lost or swapped (0225, 1925)."""
    try:
        return moment.replace(year=2000 + moment.year % 100)
    except ValueError:
        return None

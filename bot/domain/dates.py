"""Natural-language dates ("yesterday 3pm", "in 30 days") in the rep's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser

CLOCK_SKEW = timedelta(minutes=5)
"""A touch this little in the future is taken as now: clocks and typing disagree."""


class DateError(ValueError):
    """Text that is not a usable date; the message is shown to the user."""


def zone(name: str | None) -> ZoneInfo:
    """The named IANA zone, or UTC when the name is empty or unknown."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _parse(text: str, tz: str | None, now: datetime, prefer: str) -> datetime | None:
    local_now = now.astimezone(zone(tz))
    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "TIMEZONE": local_now.tzinfo.key,  # type: ignore[union-attr]
            "RETURN_AS_TIMEZONE_AWARE": True,
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "PREFER_DATES_FROM": prefer,
        },
    )
    return parsed.astimezone(UTC) if parsed else None


def parse_past(text: str, tz: str | None, now: datetime) -> datetime:
    """When a touch happened: must not be in the future."""
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
    return min(parsed, now)


def parse_future(text: str, tz: str | None, now: datetime) -> datetime:
    """Until when something waits (a snooze): must be in the future."""
    parsed = _parse(text, tz, now, "future")
    if parsed is None:
        raise DateError(
            f"I couldn't read “{text}” as a date. Try `in 30 days`, `next monday` or `2026-01-15`."
        )
    if parsed <= now:
        raise DateError(f"“{text}” is already past. Pick a date ahead, like `in 2 weeks`.")
    return parsed

"""When the morning digest and the quiet-lead reminders are due.

Pure: a workspace's settings and ``now`` in, the local day that is due out.
Exactly-once delivery is storage's job (a claim per day); this only says which
day a send would be for, so a run at 09:00 and a catch-up run at 15:00 agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from bot.domain.dates import zone
from bot.domain.vocabulary import WEEKDAYS, Weekday


@dataclass(frozen=True)
class WorkspaceSettings:
    team_id: str
    channel_id: str | None = None
    digest_time: str = "09:00"
    tz: str = "UTC"
    quiet_days: int = 7
    digest_days: tuple[Weekday, ...] = WEEKDAYS[:5]
    """Monday first; storage keeps them as ``mon,tue``."""
    respond_hours: int = 4
    """How long a buying signal may wait for our answer before the lead is waiting."""
    reps: tuple[str, ...] = ()
    """Slack user ids who take turns owning leads that arrive with no owner."""
    weekly: Weekday | Literal["off"] = "mon"
    """The day the weekly summary goes to the digest channel, at the digest time."""
    relay_minutes: int = 15
    """Minutes of working time a hot lead waits before it is offered on; 0: ``relay:off``."""
    hours: str = "09:00-18:00"
    """Working hours on the digest days, in ``tz``: the relay's clock runs only then."""
    manager: str = ""
    """Who hears of a lead still unanswered after ``respond:`` hours (``''``: the channel)."""

    @property
    def send_at(self) -> time:
        hours, minutes = self.digest_time.split(":")
        return time(int(hours), int(minutes))


def due_day(settings: WorkspaceSettings, tz: str | None, now: datetime) -> date | None:
    """The local day whose send is due at ``now`` in zone ``tz``, if any.

    Due from the settings time until midnight on digest days: a run that was
    down at 09:00 still sends that day's, but never yesterday's.
    """
    local = now.astimezone(zone(tz or settings.tz))
    if WEEKDAYS[local.weekday()] not in settings.digest_days:
        return None
    if local.time().replace(tzinfo=None) < settings.send_at:
        return None
    return local.date()


def next_opening(
    settings: WorkspaceSettings, zones: Iterable[str | None], now: datetime
) -> datetime:
    """The first moment after ``now`` that the settings time comes round in any of ``zones``.

    That is when a digest, a weekly summary or a rep's DM window next opens, so a
    scheduler that looks then, and not between, misses none. Every day counts, digest
    day or not: on a day off ``due_day`` just finds nothing. A time the clocks skip
    (02:30 the night they go forward) comes round at the same instant ``due_day`` first
    sees it due; a time they repeat, at its first passing.
    """
    soonest: datetime | None = None
    for name in {*zones, settings.tz}:
        tz = zone(name)
        today = now.astimezone(tz).date()
        for day in (today, today + timedelta(days=1), today + timedelta(days=2)):
            moment = _first_passing(day, settings.send_at, tz)
            if moment > now:
                soonest = moment if soonest is None else min(soonest, moment)
                break
    assert soonest is not None  # the settings time comes round within two days in any zone
    return soonest


def _first_passing(day: date, at: time, tz: tzinfo) -> datetime:
    """The first instant the clock in ``tz`` reads ``at`` or later on ``day``, in UTC.

    Usually ``at`` itself (the earlier of two when the clocks go back). When the clocks
    skip it, the instant they jump past it, found by halving: the two readings of a
    skipped time (before and after the jump) bracket that instant.
    """
    earlier = datetime.combine(day, at, tzinfo=tz).replace(fold=1).astimezone(UTC)
    later = datetime.combine(day, at, tzinfo=tz).replace(fold=0).astimezone(UTC)
    low, high = min(earlier, later), max(earlier, later)

    def reached(moment: datetime) -> bool:
        local = moment.astimezone(tz)
        return (local.date(), local.time()) >= (day, at)

    if reached(low):
        return low
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        low, high = (low, middle) if reached(middle) else (middle, high)
    return high.replace(microsecond=0)

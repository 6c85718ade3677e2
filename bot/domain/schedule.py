"""When the morning digest and the quiet-lead reminders are due.

Pure: a workspace's settings and ``now`` in, the local day that is due out.
Exactly-once delivery is storage's job (a claim per day); this only says which
day a send would be for, so a run at 09:00 and a catch-up run at 15:00 agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
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

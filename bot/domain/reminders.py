"""Which warm leads have gone quiet and are due a reminder to their owner."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from bot.domain.lead import Lead


def is_quiet(lead: Lead, now: datetime, quiet_days: int) -> bool:
    """Open, warm, not snoozed, and nobody has touched it (or created it) for ``quiet_days``."""
    if lead.status != "open" or lead.is_snoozed(now):
        return False
    if now - lead.last_activity_at < timedelta(days=quiet_days):
        return False
    return lead.temperature(now).band == "warm"


def due_reminders(
    leads: Iterable[Lead],
    now: datetime,
    quiet_days: int,
    last_reminded: Mapping[int, datetime],
) -> list[Lead]:
    """Quiet leads not yet reminded in this quiet period.

    A period starts when the lead goes quiet; it restarts after another
    ``quiet_days`` of silence since the last reminder, or when a snooze ends
    with the lead still quiet.
    """
    due = []
    for lead in leads:
        if not is_quiet(lead, now, quiet_days):
            continue
        reminded = last_reminded.get(lead.id)
        if (
            reminded is None
            or reminded < lead.last_activity_at
            or now - reminded >= timedelta(days=quiet_days)
            or (lead.snoozed_until is not None and reminded < lead.snoozed_until <= now)
        ):
            due.append(lead)
    return sorted(due, key=lambda lead: lead.last_activity_at)

"""Which leads have gone quiet and are due a reminder to their owner.

Quiet means they went quiet: nothing two-way (a buying signal, an answer, a
meeting, a no) for ``quiet_days``. Our own emails, voicemails and notes don't
reset the clock, since trying is not hearing back. Hot leads go quiet too, and
come first: they are the ones about to be lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from bot.domain.lead import Lead
from bot.domain.vocabulary import KIND_GROUPS


def is_quiet(lead: Lead, now: datetime, quiet_days: int) -> bool:
    """Open, warm or hot, not snoozed, and nothing two-way with it for ``quiet_days``."""
    if lead.status != "open" or lead.is_snoozed(now):
        return False
    if now - lead.last_contact_at < timedelta(days=quiet_days):
        return False
    return lead.temperature(now).band != "cold"


def quiet_first(leads: Iterable[Lead], now: datetime) -> list[Lead]:
    """Hot before warm, then the longest silent first."""
    return sorted(
        leads, key=lambda lead: (lead.temperature(now).band != "hot", lead.last_contact_at)
    )


def due_reminders(
    leads: Iterable[Lead],
    now: datetime,
    quiet_days: int,
    last_reminded: Mapping[int, datetime],
) -> list[Lead]:
    """Quiet leads not yet reminded in this quiet period, hot ones first.

    A period starts when the lead goes quiet; it restarts after another
    ``quiet_days`` since the last reminder, or when a snooze ends with the lead
    still quiet. Only two-way contact ends it.
    """
    due = []
    for lead in leads:
        if not is_quiet(lead, now, quiet_days):
            continue
        reminded = last_reminded.get(lead.id)
        if (
            reminded is None
            or reminded < lead.last_contact_at
            or now - reminded >= timedelta(days=quiet_days)
            or (lead.snoozed_until is not None and reminded < lead.snoozed_until <= now)
        ):
            due.append(lead)
    return quiet_first(due, now)


def tried_since(lead: Lead, history: Iterable[tuple[str, datetime]]) -> dict[str, int]:
    """What we tried while they stayed quiet: our effort touches since the last two-way one."""
    counts = Counter(kind for kind, at in history if at > lead.last_contact_at)
    return {kind: counts[kind] for kind in KIND_GROUPS["effort"] if counts[kind]}

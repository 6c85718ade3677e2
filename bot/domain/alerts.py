"""When a signal from a hook rings the owner at once, and when it is followed up.

A buying signal, or any signal that makes a lead hot, is the moment the odds of
reaching the lead are best; it is told to its owner (or, with no owner, to the
channel) right away, and once more if it is still unanswered after ``respond:``
hours. Pure: ``now`` is passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.lead import Lead
from bot.domain.temperature import FRESH
from bot.domain.vocabulary import ANSWERS, BUYING, Band


def deserves_alert(kind: str, before: Band | None, after: Band) -> bool:
    """A buying signal, or a touch that turned the lead hot (``before``: ``None`` when new)."""
    return kind in BUYING or (after == "hot" and before != "hot")


def answered_at(lead: Lead, since: datetime) -> datetime | None:
    """When we last answered the lead, if that was at or after ``since``."""
    answers = [s.last_at for kind, s in lead.signals.items() if kind in ANSWERS]
    latest = max(answers, default=None)
    return latest if latest is not None and latest >= since else None


def still_waiting(lead: Lead, since: datetime, now: datetime, respond_hours: int) -> bool:
    """Is the signal of ``since`` unanswered after ``respond_hours``, on a lead still open?"""
    age = now - since
    return (
        lead.status == "open"
        and timedelta(hours=respond_hours) <= age < FRESH
        and answered_at(lead, since) is None
    )

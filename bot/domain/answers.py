"""Answering buying signals: which leads are waiting for us, and how fast we answered.

Studies of web leads (Oldroyd/MIT, "Lead Response Management"; HBR, "The Short
Life of Online Sales Leads", 2011) found the odds of reaching and qualifying a
lead fall many times over within the first hour. So a buying signal nobody
answered is the follow-up that matters most. Pure: ``now`` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.lead import Lead
from bot.domain.temperature import FRESH, latest_buying_signal
from bot.domain.vocabulary import ANSWERS


def waiting_since(lead: Lead, now: datetime, respond_hours: int) -> datetime | None:
    """When the buying signal this open lead waits on came in, if it waits.

    Waiting: the latest buying signal (since the lead last said no) is still
    fresh, no call, voicemail, email, meeting or demo is logged after it, and
    ``respond_hours`` have passed. A demo answers itself.
    """
    if lead.status != "open":
        return None
    latest = latest_buying_signal(lead.signals)
    if latest is None:
        return None
    kind, at = latest
    if kind in ANSWERS or now - at >= FRESH or now - at < timedelta(hours=respond_hours):
        return None
    answered = [s.last_at for k, s in lead.signals.items() if k in ANSWERS]
    if any(when >= at for when in answered):
        return None
    return at


def waiting(leads: list[Lead], now: datetime, respond_hours: int) -> list[tuple[Lead, datetime]]:
    """The waiting leads with the moment each started waiting, longest wait first."""
    found = [(lead, waiting_since(lead, now, respond_hours)) for lead in leads]
    return sorted(
        ((lead, since) for lead, since in found if since is not None), key=lambda pair: pair[1]
    )


@dataclass(frozen=True)
class Speed:
    """How fast a day's buying signals were answered."""

    signals: int
    median: timedelta | None
    slowest: timedelta | None
    unanswered: int


def speed(answers: list[tuple[datetime, datetime | None]]) -> Speed:
    """Median and slowest answer of these (signal, first answer) pairs, and how many got none."""
    spans = sorted(done - asked for asked, done in answers if done is not None)
    median = None
    if spans:
        middle = len(spans) // 2
        median = spans[middle] if len(spans) % 2 else (spans[middle - 1] + spans[middle]) / 2
    return Speed(len(answers), median, spans[-1] if spans else None, len(answers) - len(spans))

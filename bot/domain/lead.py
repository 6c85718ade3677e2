"""A lead and its touches, as the rest of the code sees them.

Storage reads and writes these; it never adds to them. What makes two leads the
same (``lead_keys``) lives here too, so the Add modal, the command and a CSV
import agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.domain.temperature import Cutoffs, Signal, Temperature, cutoffs, temperature
from bot.domain.vocabulary import SOURCES, TWO_WAY, Kind, Source, Status

LEAD_FIELDS = ("name", "company", "email", "phone", "source")
"""The fields ``/lead edit`` may change."""


@dataclass(frozen=True)
class Lead:
    id: int
    team_id: str
    number: int
    name: str
    company: str
    email: str
    phone: str
    source: Source
    owner: str
    status: Status
    lost_reason: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    last_touch_at: datetime | None
    snoozed_until: datetime | None
    score: int
    scored_at: datetime
    hot_until: datetime
    warm_until: datetime
    signals: dict[str, Signal] = field(default_factory=dict)
    touch_count: int = 0

    @property
    def last_activity_at(self) -> datetime:
        """The last time anybody did anything with the lead: a touch, or creating it."""
        return max(self.created_at, self.last_touch_at or self.created_at)

    @property
    def last_contact_at(self) -> datetime:
        """The last two-way moment: their latest buying signal, engagement or answer.

        The lead's creation counts (they came in, or were introduced); our own emails,
        voicemails and notes don't: trying is not hearing back.
        """
        two_way = [signal.last_at for kind, signal in self.signals.items() if kind in TWO_WAY]
        return max([self.created_at, *two_way])

    def is_snoozed(self, now: datetime) -> bool:
        """No quiet-lead reminders for it yet: a rep snoozed it until after ``now``."""
        return self.snoozed_until is not None and self.snoozed_until > now

    def temperature(self, now: datetime) -> Temperature:
        return temperature(self.source, self.created_at, self.signals, now)

    def cutoffs(self) -> Cutoffs:
        return cutoffs(self.source, self.created_at, self.signals)


@dataclass(frozen=True)
class NewTouch:
    """A touch on its way to storage, the same from every surface: command, modal, button,
    hook, Workflow step, import."""

    kind: str
    """One of ``KINDS``: each surface has read it by the grammar's rules before it gets here."""
    at: datetime
    logged_by: str
    note: str = ""
    permalink: str = ""
    how: str = ""
    """command, modal, button, import, or ``integration (typeform)``."""


@dataclass(frozen=True)
class Touch:
    id: int
    lead_id: int
    kind: Kind
    note: str
    at: datetime
    logged_by: str
    logged_at: datetime
    permalink: str
    how: str = ""
    """command, modal, button, import, or ``integration (typeform)``; empty for old touches."""
    deleted_at: datetime | None = None
    deleted_by: str = ""


def lead_keys(name: str, company: str, email: str) -> set[str]:
    """What makes two leads the same: the email, or the name with the company, ignoring case."""
    keys = {f"name:{name}\0{company}".lower()}
    if email:
        keys.add(f"email:{email}".lower())
    return keys


def edited(lead: Lead, changes: Mapping[str, str], now: datetime) -> Lead:
    """The lead with its contact fields (``LEAD_FIELDS``) changed; anything else is refused."""
    unknown = set(changes) - set(LEAD_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    source = next((s for s in SOURCES if s == changes.get("source", lead.source)), None)
    if source is None:
        raise ValueError(f"not a source: {changes['source']}")
    return replace(
        lead,
        name=changes.get("name", lead.name),
        company=changes.get("company", lead.company),
        email=changes.get("email", lead.email),
        phone=changes.get("phone", lead.phone),
        source=source,
        updated_at=now,
    )

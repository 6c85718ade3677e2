"""The speed-to-lead relay: a hot lead nobody answers is passed on until someone does.

Reaching a web lead within 5 minutes instead of 30 gives about 100 times the odds
of contact (Oldroyd, "Lead Response Management"); answered within the hour, a lead
is about 7 times likelier to qualify (HBR, "The Short Life of Online Sales Leads",
2011). So a buying signal starts a relay: after ``relay:`` minutes of working time
without a claim or an answer it is offered to the next rep in ``reps:``, at most
once per rep, and after ``respond:`` working hours it is escalated once. A claim,
an answer, a "said no", a snooze or closing the lead ends it. Pure: ``now`` is
passed in; which step is sent once is storage's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from bot.domain.lead import Lead
from bot.domain.schedule import WorkspaceSettings
from bot.domain.temperature import FRESH
from bot.domain.working_hours import WorkingHours

End = Literal["claimed", "answered", "declined", "snoozed", "closed", "reassigned", "expired"]


@dataclass(frozen=True)
class Offer:
    """The ``number``-th time the lead was offered, to ``rep``, at ``at``."""

    number: int
    rep: str
    at: datetime


@dataclass(frozen=True)
class Ending:
    how: End
    by: str
    """Who claimed, answered, declined, snoozed or closed it (``''``: not known)."""
    at: datetime


@dataclass(frozen=True)
class Relay:
    id: int
    team_id: str
    lead_id: int
    signal_id: int | None
    signal_at: datetime
    """The buying signal waiting for an answer: a touch at or after it answers."""
    started_at: datetime
    """When it arrived: the relay's clock starts here (at the next working moment)."""
    owner: str
    """Who owned the lead when it started; ``''``: it was offered to the channel."""
    snoozed_until: datetime | None = None
    """The lead's snooze when it started: only a snooze since then ends it."""
    offers: tuple[Offer, ...] = ()
    ended: Ending | None = None


@dataclass(frozen=True)
class Touched:
    """The first touch after the signal that answers or declines it."""

    kind: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Policy:
    """The workspace's relay settings, read once per run."""

    minutes: int
    """Minutes of working time before the lead is offered on; 0 is ``relay:off``."""
    respond: timedelta
    hours: WorkingHours
    reps: tuple[str, ...]

    @classmethod
    def of(cls, settings: WorkspaceSettings) -> Policy:
        return cls(
            settings.relay_minutes,
            timedelta(hours=settings.respond_hours),
            WorkingHours.of(settings.hours, settings.digest_days, settings.tz),
            settings.reps,
        )

    @property
    def on(self) -> bool:
        return self.minutes > 0

    def offer_due(self, relay: Relay, number: int) -> datetime:
        """When the ``number``-th offer is due: that many ``relay:`` spans of working time."""
        return self.hours.after(relay.started_at, timedelta(minutes=self.minutes * number))

    def escalation_due(self, relay: Relay) -> datetime:
        return self.hours.after(relay.started_at, self.respond)

    def waited(self, relay: Relay, until: datetime) -> timedelta:
        """Working time from the start to ``until``: what "after 4 min" counts."""
        return self.hours.between(relay.started_at, until)


@dataclass(frozen=True)
class Notifications:
    """What one rep lets the app interrupt them with (the Home tab's Notifications)."""

    user_id: str
    instant: bool = True
    """Instant alerts; off, the relay offers them nothing (their own leads still ring)."""
    away_until: date | None = None
    """Away until that day (back that morning): offered nothing, their hot leads passed on."""

    def away(self, today: date) -> bool:
        return self.away_until is not None and today < self.away_until


@dataclass(frozen=True)
class Availability:
    """Who the relay offers nothing today, and why: away, or instant alerts off."""

    away: frozenset[str] = frozenset()
    muted: frozenset[str] = frozenset()

    @property
    def skip(self) -> frozenset[str]:
        return self.away | self.muted


def availability(reps: list[Notifications], today: date) -> Availability:
    return Availability(
        frozenset(rep.user_id for rep in reps if rep.away(today)),
        frozenset(rep.user_id for rep in reps if not rep.instant),
    )


def ending(relay: Relay, lead: Lead, touched: Touched | None, now: datetime) -> Ending | None:
    """How the relay has ended by ``now``, if it has: the lead says, and the touches since."""
    if lead.status != "open":
        return Ending("closed", "", now)
    if touched is not None:
        how: End = "declined" if touched.kind == "declined" else "answered"
        return Ending(how, touched.by, min(touched.at, now))
    if lead.is_snoozed(now) and lead.snoozed_until != relay.snoozed_until:
        return Ending("snoozed", "", now)
    if lead.owner and lead.owner != relay.owner:
        return Ending("claimed" if not relay.owner else "reassigned", lead.owner, now)
    if now - relay.signal_at >= FRESH:  # the signal no longer makes the lead hot
        return Ending("expired", "", now)
    return None


def next_rep(relay: Relay, lead: Lead, reps: tuple[str, ...], skip: frozenset[str]) -> str | None:
    """Whose turn it is to be offered the lead: the rep after the last one offered.

    Round robin from the owner's place in ``reps`` (the lead number's, with no
    owner), skipping the owner, anyone offered it already, and ``skip`` (away,
    or instant alerts off). Decided from what is stored, so two runners agree.
    """
    if not reps:
        return None
    last = relay.offers[-1].rep if relay.offers else (lead.owner or relay.owner)
    start = reps.index(last) + 1 if last in reps else lead.number
    offered = {offer.rep for offer in relay.offers}
    for step in range(len(reps)):
        rep = reps[(start + step) % len(reps)]
        if rep not in offered and rep not in skip and rep not in (lead.owner, relay.owner):
            return rep
    return None


def offer_due(
    policy: Policy, relay: Relay, lead: Lead, who: Availability, now: datetime
) -> str | None:
    """The rep to offer the lead to now, if an offer is due and someone is left to take it.

    An owner who is away can't answer: their lead is offered on at once, and each
    later offer a ``relay:`` span after the one before. Alerts off never delays it.
    """
    number = len(relay.offers) + 1
    if not policy.on or number > len(policy.reps):
        return None
    owner_away = bool(lead.owner) and lead.owner in who.away
    if now < policy.offer_due(relay, number - 1 if owner_away else number):
        return None
    return next_rep(relay, lead, policy.reps, who.skip)


def escalation_due(policy: Policy, relay: Relay, now: datetime) -> bool:
    return policy.on and now >= policy.escalation_due(relay)

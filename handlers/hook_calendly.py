"""A Calendly booking as a lead: ``invitee.created`` books a demo, ``invitee.canceled`` notes why.

Shapes from Calendly's documented webhook payload (the Invitee resource with
its ``scheduled_event`` and ``cancellation``); other events are acknowledged
and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from bot.domain.dates import DateError, from_iso
from bot.domain.text import UnreadableText, clean
from handlers.hook_payloads import InboundError, InboundLead, json_of

BOOKED = "invitee.created"
CANCELED = "invitee.canceled"
START_TIME = "payload.scheduled_event.start_time"
SENT_AS = {"at": "payload.created_at", "id": "payload.uri"}
"""Where Calendly puts what a refusal names, for the ``field`` of the answer."""


class ScheduledEvent(msgspec.Struct):
    name: str = ""
    start_time: str = ""


class Cancellation(msgspec.Struct):
    reason: str | None = None
    created_at: str | None = None


class Invitee(msgspec.Struct):
    name: str = ""
    email: str = ""
    first_name: str | None = None
    last_name: str | None = None
    uri: str = ""
    created_at: str | None = None
    scheduled_event: ScheduledEvent = msgspec.field(default_factory=ScheduledEvent)
    cancellation: Cancellation | None = None


class Delivery(msgspec.Struct):
    event: str
    payload: dict[str, Any] = {}
    created_at: str | None = None


@dataclass(frozen=True)
class Booking:
    """One invitee event: the lead in it, and when the meeting starts (for the note)."""

    event: str
    invitee: Invitee
    created_at: str | None

    def lead(self, zone: ZoneInfo, now: datetime) -> InboundLead:
        """The touch to log; the start time is shown in ``zone``, the owner's."""
        invitee = self.invitee
        if self.event == BOOKED:
            kind, at = "demo", invitee.created_at or self.created_at
            note = f"booked a demo: {invitee.scheduled_event.name}{_start(invitee, zone, now)}"
        else:
            cancellation = invitee.cancellation or Cancellation()
            kind, at = "note", cancellation.created_at or self.created_at
            note = f"cancelled: {cancellation.reason or 'no reason given'}"
        return InboundLead(
            name=invitee.name or None,
            first_name=invitee.first_name,
            last_name=invitee.last_name,
            email=invitee.email or None,
            kind=kind,
            note=note,
            at=at,
            id=f"{self.event} {invitee.uri}" if invitee.uri else None,
        )


def read(raw: bytes) -> Booking | str:
    """The booking, or the name of an event hotleads ignores."""
    try:
        delivery = msgspec.convert(json_of(raw), Delivery)
        if delivery.event not in (BOOKED, CANCELED):
            return clean(delivery.event, "event")  # said back as ignored: text, by the one rule
        invitee = msgspec.convert(delivery.payload, Invitee)
    except msgspec.ValidationError as error:
        raise InboundError(f"This is not a Calendly webhook: {error}.") from None
    except UnicodeEncodeError:  # msgspec met half an emoji where it wanted something else
        raise InboundError("This is not a Calendly webhook: it holds a broken character.") from None
    except UnreadableText as error:
        raise InboundError(str(error), "event") from None
    return Booking(delivery.event, invitee, delivery.created_at)


def _start(invitee: Invitee, zone: ZoneInfo, now: datetime) -> str:
    """``, Tue 24 Nov 2026 15:00 CET``: when the meeting starts, if Calendly said."""
    text = invitee.scheduled_event.start_time
    if not text:
        return ""
    try:
        start = from_iso(text, now, plan=True)
    except DateError as error:
        raise InboundError(str(error), START_TIME) from None
    return ", " + start.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")

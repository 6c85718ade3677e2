"""A Calendly booking as a lead: ``invitee.created`` books a demo, ``invitee.canceled`` notes why.

Shapes from Calendly's documented webhook payload (the Invitee resource with
its ``scheduled_event`` and ``cancellation``); other events are acknowledged
and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec

from handlers.hook_payloads import InboundError, InboundLead

BOOKED = "invitee.created"
CANCELED = "invitee.canceled"


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
    payload: msgspec.Raw = msgspec.Raw(b"{}")
    created_at: str | None = None


@dataclass(frozen=True)
class Booking:
    """One invitee event: the lead in it, and when the meeting starts (for the note)."""

    event: str
    invitee: Invitee
    created_at: str | None

    def lead(self, zone: ZoneInfo) -> InboundLead:
        """The touch to log; the start time is shown in ``zone``, the owner's."""
        invitee = self.invitee
        if self.event == BOOKED:
            kind, at = "demo", invitee.created_at or self.created_at
            note = f"booked a demo: {invitee.scheduled_event.name}{_start(invitee, zone)}"
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
        delivery = msgspec.json.decode(raw, type=Delivery)
        if delivery.event not in (BOOKED, CANCELED):
            return delivery.event
        invitee = msgspec.json.decode(delivery.payload, type=Invitee)
    except msgspec.DecodeError as error:
        raise InboundError(f"This is not a Calendly webhook: {error}.") from None
    return Booking(delivery.event, invitee, delivery.created_at)


def _start(invitee: Invitee, zone: ZoneInfo) -> str:
    try:
        start = datetime.fromisoformat(invitee.scheduled_event.start_time)
    except ValueError:
        return ""
    return ", " + start.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")

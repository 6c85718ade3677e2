"""One ``/lead`` call, and the shape of a function answering one subcommand.

Every feature's subcommands take an ``Invocation``; it lives apart from the
dispatcher so features import it without importing the dispatcher (which
imports them): no feature is imported here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.changes import Change, changed
from bot.domain.dates import Reader
from bot.domain.lead import Lead
from bot.domain.slack_user import SlackUser
from handlers.blocks import Reply
from handlers.context import Services

C = TypeVar("C")


@dataclass(frozen=True)
class Invocation:
    """One ``/lead`` call: who, where, when, and the means to answer."""

    services: Services
    client: AsyncWebClient
    ack: AsyncAck
    respond: AsyncRespond
    team_id: str
    user_id: str
    channel_id: str
    trigger_id: str
    now: datetime
    known: SlackUser | None
    """The caller's cached user row, read once per request."""
    text: str = ""
    changes: list[Change] = field(default_factory=list, compare=False)
    """What the answer changed, for ``surfaces`` to draw again once it is sent."""

    @property
    def tz(self) -> str | None:
        return self.known.tz if self.known else None

    @property
    def reader(self) -> Reader:
        """How the caller writes moments: their zone, and ``3/4`` in their locale's order."""
        return Reader.of_person(self.known)

    def changed(self, after: Lead, before: Lead | None = None) -> None:
        """Report a lead this call changed (``before``: as it was, when its owner may differ)."""
        self.changes.append(changed(after, before))


Handler = Callable[[C, Invocation], Awaitable[Reply | None]]
"""Answers one parsed subcommand of type ``C``: the reply, or ``None`` when it acked by itself."""

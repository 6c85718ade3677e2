"""Which function answers which ``/lead`` subcommand.

Modules register their subcommands with ``@subcommand(Type)``; the ``/lead``
listener parses the text and calls the one registered for its type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from handlers.context import Services
from handlers.replies import Reply


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
    tz: str | None
    text: str = ""


Handler = Callable[[Any, Invocation], Awaitable[Reply | None]]
_HANDLERS: dict[type, Handler] = {}


def subcommand(command_type: type) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _HANDLERS[command_type] = handler
        return handler

    return register


def handler_for(command: object) -> Handler:
    return _HANDLERS[type(command)]

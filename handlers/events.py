"""Every delivery from Slack is handled once: events however often Slack retries them,
commands and interactions however often they are replayed."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from handlers import payloads
from handlers.context import Services
from storage import events

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.middleware(only_once)


async def only_once(
    body: dict, context: dict, next: Callable[[], Awaitable[None]]
) -> BoltResponse | None:
    """Record each event id and trigger id as it arrives; one seen before is acked and dropped.

    Recording on arrival, not after handling, means a retry never does the work
    twice; a first delivery that never reached us is still handled when the retry comes.
    A delivery without a workspace or an event id Slack would send is acked and dropped.
    A command or interaction carries a trigger id Slack makes for that one invocation:
    the same one again is a replay (a signed request sent twice), acked and dropped.
    """
    if isinstance(body, dict) and not await _first_time(body, context["services"]):
        return BoltResponse(status=200, body="")
    await next()
    return None


async def _first_time(body: dict, services: Services) -> bool:
    """False for a delivery seen before, or one that can't be a new one (acked, dropped)."""
    if body.get("type") == "event_callback":
        try:
            delivery = payloads.event_delivery(body)
        except payloads.Invalid as error:
            log.info("unreadable event delivery: %s", error)
            return False
        async with services.db.transaction() as conn:
            return await events.first_arrival(
                conn, delivery.team_id, delivery.event_id, services.clock.now()
            )
    trigger_id = _trigger_id(body.get("trigger_id"))
    if trigger_id is None:  # none to go by (a search as the rep types), or the door refuses it
        return True
    async with services.db.transaction() as conn:
        first = await events.first_trigger(conn, trigger_id, services.clock.now())
    if not first:
        log.info("replayed trigger %s dropped", trigger_id)
    return first


def _trigger_id(value: Any) -> str | None:
    try:
        return msgspec.convert(value, payloads.TriggerId)
    except (msgspec.ValidationError, UnicodeEncodeError):
        return None

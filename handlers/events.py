"""Events API deliveries are handled once, however often Slack retries them."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

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
    """Record each event id as it arrives; a retry of one already seen is acked and dropped.

    Recording on arrival, not after handling, means a retry never does the work
    twice; a first delivery that never reached us is still handled when the retry comes.
    A delivery without a workspace or an event id Slack would send is acked and dropped.
    """
    if not isinstance(body, dict) or body.get("type") != "event_callback":
        return await next()
    try:
        delivery = payloads.event_delivery(body)
    except payloads.Invalid as error:
        log.info("unreadable event delivery: %s", error)
        return BoltResponse(status=200, body="")
    services: Services = context["services"]
    async with services.db.transaction() as conn:
        first = await events.first_arrival(
            conn, delivery.team_id, delivery.event_id, services.clock.now()
        )
    if not first:
        return BoltResponse(status=200, body="")
    return await next()

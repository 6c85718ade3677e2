"""Events API deliveries are handled once, however often Slack retries them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from handlers.context import Services
from storage import events


def register(app: AsyncApp) -> None:
    app.middleware(only_once)


async def only_once(
    body: dict, context: dict, next: Callable[[], Awaitable[None]]
) -> BoltResponse | None:
    """Record each event id as it arrives; a retry of one already seen is acked and dropped.

    Recording on arrival, not after handling, means a retry never does the work
    twice; a first delivery that never reached us is still handled when the retry comes.
    """
    event_id, team_id = body.get("event_id"), body.get("team_id")
    if body.get("type") != "event_callback" or not event_id or not team_id:
        return await next()
    services: Services = context["services"]
    async with services.db.transaction() as conn:
        first = await events.first_arrival(conn, team_id, event_id, services.clock.now())
    if not first:
        return BoltResponse(status=200, body="")
    return await next()

"""The ``/lead`` slash command: parse, answer from the database, ack with the reply.

Only local database work happens before ``ack``; anything that talks to Slack
(refreshing the caller's time zone, opening modals, uploads) comes after.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import grammar
from bot.domain.dates import DateError
from handlers import door, home, payloads, people
from handlers.context import Services
from handlers.door import Tools
from handlers.format import escape
from handlers.replies import Refusal, Reply, refusal_reply, section
from handlers.subcommands import Invocation, handler_for

COMMAND = "/lead"
CHANGES_PIPELINE = {"add", "log", "snooze", "edit", "won", "lost", "reopen", "assign"}
"""Subcommands after which the caller's Home tab is drawn again."""

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.command(COMMAND)(on_lead)


@door.command(payloads.command)
async def on_lead(command: payloads.Command, tools: Tools) -> None:
    services, client = tools.services, tools.client
    team_id, user_id = command.team_id, command.user_id
    call = await invocation(
        services,
        client,
        tools.ack,
        tools.respond,  # type: ignore[arg-type]
        team_id=team_id,
        user_id=user_id,
        channel_id=command.channel_id,
        trigger_id=command.trigger_id,
        text=command.text,
    )
    now = call.now
    reply = await answer(call)
    if reply is not None:
        await tools.ack(**reply.as_ack())
    await people.refresh_if_stale(client, services, team_id, user_id, now)
    if call.text.split()[:1] and call.text.split()[0].lower() in CHANGES_PIPELINE:
        await home.redraw(client, services, team_id, user_id)


async def invocation(
    services: Services,
    client: AsyncWebClient,
    ack: AsyncAck,
    respond: AsyncRespond,
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    trigger_id: str,
    text: str,
) -> Invocation:
    """One call of ``/lead``, typed or re-run from a button, at the clock's now."""
    known = await people.cached(services, team_id, user_id)
    return Invocation(
        services=services,
        client=client,
        ack=ack,
        respond=respond,
        team_id=team_id,
        user_id=user_id,
        channel_id=channel_id,
        trigger_id=trigger_id,
        now=services.clock.now(),
        tz=known.tz if known else None,
        text=text,
    )


async def answer(call: Invocation, picked: int | None = None) -> Reply | None:
    """The reply to ``call.text``, or ``None`` when the subcommand acked by itself.

    ``picked`` is a lead number chosen from an ambiguous reply's buttons: the
    command runs again on that lead.
    """
    try:
        parsed = grammar.parse(call.text)
        if picked is not None and hasattr(parsed, "ref"):
            parsed = replace(parsed, ref=grammar.LeadRef(number=picked, text=None))
        return await handler_for(parsed)(parsed, call)
    except (grammar.GrammarError, DateError) as error:
        message = f":warning: {escape(str(error))}"
        return Reply(message, [section(message)])
    except Refusal as refusal:
        return refusal_reply(refusal)

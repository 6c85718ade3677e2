"""Log a touch, Snooze and Mark lost buttons, wherever they are shown.

They sit in reminder DMs and on the Home tab. Each click is acked at once;
then the change is stored and the message or Home tab it came from is drawn
again, so the rep sees what happened.
"""

from __future__ import annotations

import json
from datetime import timedelta

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.lead import Lead
from handlers import home, reminders
from handlers.context import Services
from handlers.lead_actions import (
    ASSIGN_ACTION,
    CARD_PREFIX,
    LOG_ACTION,
    LOST_ACTION,
    PICK_ACTION,
    SNOOZE_ACTION,
    SNOOZE_CHOICES,
    WON_ACTION,
)
from handlers.lead_command import answer, invocation
from handlers.lead_views import card_reply
from handlers.log_modal import Origin, open_log_modal
from handlers.reminders import lead_ids
from storage import leads


def register(app: AsyncApp) -> None:
    app.action(LOG_ACTION)(on_log)
    app.action(SNOOZE_ACTION)(on_snooze)
    app.action(LOST_ACTION)(on_lost)
    app.action(WON_ACTION)(on_won)
    app.action(ASSIGN_ACTION)(on_assign)
    app.action(PICK_ACTION)(on_pick)


async def _clicked_lead(services: Services, body: dict, raw_id: str) -> Lead | None:
    """The lead behind a button, only if it belongs to the clicker's workspace."""
    lead = await leads.get_by_id(services.db.reader, int(raw_id)) if raw_id.isdigit() else None
    return lead if lead and lead.team_id == body["team"]["id"] else None


def _in_message(body: dict) -> bool:
    return body.get("container", {}).get("type") == "message"


async def on_log(
    ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, context: dict
) -> None:
    await ack()
    lead = await _clicked_lead(context["services"], body, action.get("value", ""))
    if lead is None:
        return
    origin = Origin(lead_id=lead.id)
    if _in_message(body):
        origin = Origin(
            lead_id=lead.id,
            channel=body["container"]["channel_id"],
            ts=body["container"]["message_ts"],
            reminder_leads=tuple(lead_ids(body.get("message", {}))),
        )
    await open_log_modal(client, body["trigger_id"], lead=lead, origin=origin)


async def on_snooze(
    ack: AsyncAck,
    body: dict,
    action: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
) -> None:
    await ack()
    services: Services = context["services"]
    raw_id, _, days = action["selected_option"]["value"].partition(":")
    lead = await _clicked_lead(services, body, raw_id)
    if lead is None or days not in SNOOZE_CHOICES:
        return
    now = services.clock.now()
    async with services.db.transaction() as conn:
        await leads.snooze(conn, lead, now + timedelta(days=int(days)), now)
    await _redraw(client, services, body, respond, lead.id)


async def on_lost(
    ack: AsyncAck,
    body: dict,
    action: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
) -> None:
    await _close(ack, body, action, client, respond, context["services"], "lost")


async def on_won(
    ack: AsyncAck,
    body: dict,
    action: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
) -> None:
    await _close(ack, body, action, client, respond, context["services"], "won")


async def _close(
    ack: AsyncAck,
    body: dict,
    action: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
    status: str,
) -> None:
    await ack()
    lead = await _clicked_lead(services, body, action.get("value", ""))
    if lead is None or lead.status == status:
        return
    async with services.db.transaction() as conn:
        await leads.set_status(conn, lead, status, services.clock.now())
    await _redraw(client, services, body, respond, lead.id)


async def on_assign(
    ack: AsyncAck,
    body: dict,
    action: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
) -> None:
    await ack()
    services: Services = context["services"]
    block_id = action.get("block_id", "")
    raw_id = block_id.removeprefix(CARD_PREFIX)
    lead = await _clicked_lead(services, body, raw_id)
    owner = action.get("selected_user") or ""
    if lead is None or not owner or owner == lead.owner:
        return
    async with services.db.transaction() as conn:
        await leads.set_owner(conn, lead, owner, services.clock.now())
    await _redraw(client, services, body, respond, lead.id)


async def on_pick(
    ack: AsyncAck,
    body: dict,
    action: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
) -> None:
    """A match picked from an ambiguous reply: run the original command on it."""
    await ack()
    services: Services = context["services"]
    picked = json.loads(action["value"])
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    call = await invocation(
        services,
        client,
        ack,
        respond,
        team_id=team_id,
        user_id=user_id,
        channel_id=body.get("channel", {}).get("id", ""),
        trigger_id=body.get("trigger_id", ""),
        text=picked["command"],
    )
    reply = await answer(call, picked=int(picked["lead"]))
    if reply is not None:
        await respond(replace_original=True, text=reply.text, blocks=reply.blocks)
    await home.redraw(client, services, team_id, user_id)


async def _redraw(
    client: AsyncWebClient,
    services: Services,
    body: dict,
    respond: AsyncRespond | None = None,
    lead_id: int | None = None,
) -> None:
    """Show the result where the click came from: the card, the reminder, the Home tab."""
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    if respond and lead_id and body.get("container", {}).get("is_ephemeral"):
        lead = await leads.get_by_id(services.db.reader, lead_id)
        touches = await leads.recent_touches(services.db.reader, lead_id, limit=5)
        reply = card_reply(lead, touches, services.clock.now())
        await respond(replace_original=True, text=reply.text, blocks=reply.blocks)
    elif _in_message(body):
        await reminders.refresh(
            client,
            services,
            team_id,
            user_id,
            body["container"]["channel_id"],
            body["container"]["message_ts"],
            lead_ids(body.get("message", {})),
        )
    if body.get("view", {}).get("type") == "home":
        await home.publish(client, services, team_id, user_id)  # the rep is looking at it
    else:
        await home.redraw(client, services, team_id, user_id)

"""Log a touch, Snooze and Mark lost buttons, wherever they are shown.

They sit in reminder DMs and on the Home tab. Each click is acked at once;
then the change is stored and the message or Home tab it came from is drawn
again, so the rep sees what happened.
"""

from __future__ import annotations

import functools
from datetime import timedelta

from slack_bolt.async_app import AsyncApp

from bot.domain.lead import Lead
from handlers import door, home, payloads, reminders
from handlers.context import Services
from handlers.door import Tools
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
from handlers.log_modal import open_log_modal
from handlers.payloads import Clicker, Origin
from handlers.reminders import lead_ids
from storage import leads


def register(app: AsyncApp) -> None:
    app.action(LOG_ACTION)(on_log)
    app.action(SNOOZE_ACTION)(on_snooze)
    app.action(LOST_ACTION)(on_lost)
    app.action(WON_ACTION)(on_won)
    app.action(ASSIGN_ACTION)(on_assign)
    app.action(PICK_ACTION)(on_pick)


async def _clicked_lead(services: Services, clicker: Clicker, lead_id: int) -> Lead | None:
    """The lead behind a button, only if it belongs to the clicker's workspace."""
    lead = await leads.get_by_id(services.db.reader, lead_id)
    return lead if lead and lead.team_id == clicker.team_id else None


@door.action(payloads.lead_click)
async def on_log(click: payloads.LeadClick, tools: Tools) -> None:
    lead = await _clicked_lead(tools.services, click.clicker, click.lead_id)
    if lead is None:
        return
    clicker = click.clicker
    origin = Origin(lead_id=lead.id)
    if clicker.in_message:
        origin = Origin(
            lead_id=lead.id,
            channel=clicker.channel_id,
            ts=clicker.message_ts,
            reminder_leads=tuple(lead_ids(clicker.block_ids)),
        )
    await open_log_modal(tools.client, clicker.trigger_id, lead=lead, origin=origin)


@door.action(functools.partial(payloads.snooze_click, choices=frozenset(SNOOZE_CHOICES)))
async def on_snooze(click: payloads.SnoozeClick, tools: Tools) -> None:
    services = tools.services
    lead = await _clicked_lead(services, click.clicker, click.lead_id)
    if lead is None:
        return
    now = services.clock.now()
    async with services.db.transaction() as conn:
        await leads.snooze(conn, lead, now + timedelta(days=int(click.days)), now)
    await _redraw(tools, click.clicker, lead.id)


@door.action(payloads.lead_click)
async def on_lost(click: payloads.LeadClick, tools: Tools) -> None:
    await _close(click, tools, "lost")


@door.action(payloads.lead_click)
async def on_won(click: payloads.LeadClick, tools: Tools) -> None:
    await _close(click, tools, "won")


async def _close(click: payloads.LeadClick, tools: Tools, status: str) -> None:
    services = tools.services
    lead = await _clicked_lead(services, click.clicker, click.lead_id)
    if lead is None or lead.status == status:
        return
    async with services.db.transaction() as conn:
        await leads.set_status(conn, lead, status, services.clock.now())
    await _redraw(tools, click.clicker, lead.id)


@door.action(functools.partial(payloads.assign_click, block_prefix=CARD_PREFIX))
async def on_assign(click: payloads.AssignClick, tools: Tools) -> None:
    services = tools.services
    lead = await _clicked_lead(services, click.clicker, click.lead_id)
    if lead is None or click.owner == lead.owner:
        return
    async with services.db.transaction() as conn:
        await leads.set_owner(conn, lead, click.owner, services.clock.now())
    await _redraw(tools, click.clicker, lead.id)


@door.action(payloads.pick_click)
async def on_pick(click: payloads.PickClick, tools: Tools) -> None:
    """A match picked from an ambiguous reply: run the original command on it."""
    services, clicker = tools.services, click.clicker
    call = await invocation(
        services,
        tools.client,
        tools.ack,
        tools.respond,  # type: ignore[arg-type]
        team_id=clicker.team_id,
        user_id=clicker.user_id,
        channel_id=clicker.channel_id,
        trigger_id=clicker.trigger_id,
        text=click.pick.command,
    )
    reply = await answer(call, picked=click.pick.lead)
    if reply is not None and tools.respond is not None:
        await tools.respond(replace_original=True, text=reply.text, blocks=reply.blocks)
    await home.redraw(tools.client, services, clicker.team_id, clicker.user_id)


async def _redraw(tools: Tools, clicker: Clicker, lead_id: int) -> None:
    """Show the result where the click came from: the card, the reminder, the Home tab."""
    client, services = tools.client, tools.services
    team_id, user_id = clicker.team_id, clicker.user_id
    if tools.respond and clicker.is_ephemeral:
        lead = await leads.get_by_id(services.db.reader, lead_id)
        touches = await leads.recent_touches(services.db.reader, lead_id, limit=5)
        reply = card_reply(lead, touches, services.clock.now())
        await tools.respond(replace_original=True, text=reply.text, blocks=reply.blocks)
    elif clicker.in_message:
        await reminders.refresh(
            client,
            services,
            team_id,
            user_id,
            clicker.channel_id,
            clicker.message_ts,
            lead_ids(clicker.block_ids),
        )
    if clicker.on_home:
        await home.publish(client, services, team_id, user_id)  # the rep is looking at it
    else:
        await home.redraw(client, services, team_id, user_id)

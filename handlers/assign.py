"""Giving a lead to another rep: ``/lead assign`` and the Reassign menu on the card."""

from __future__ import annotations

import functools
from datetime import datetime

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.grammar.assign import parse_assign
from bot.domain.lead import Lead
from handlers import clicks, door, payloads, subcommands
from handlers.blocks import Refusal, Reply, lead_label, mention, section
from handlers.buttons import ASSIGN_ACTION, CARD_PREFIX
from handlers.context import Services
from handlers.door import Tools
from handlers.invocation import Invocation
from handlers.lookup import find_lead
from handlers.subcommands import Answer, Subcommand
from storage import leads


async def reassign(services: Services, lead: Lead, owner: str, now: datetime) -> Lead:
    """``owner`` owns the lead now; a Refusal if they already did (nothing changed)."""
    if lead.owner == owner:
        raise Refusal(f"{lead_label(lead)} already belongs to {mention(owner)}.")
    async with services.db.transaction() as conn:
        return await leads.set_owner(conn, lead, owner, now)


async def assign(cmd: grammar.Assign, call: Invocation) -> Reply:
    lead = await find_lead(call.services, call.team_id, cmd.ref, call.text)
    call.changed(await reassign(call.services, lead, cmd.user, call.now), lead)
    text = (
        f":handshake: {lead_label(lead)} now belongs to {mention(cmd.user)} "
        f"(was {mention(lead.owner)})."
    )
    return Reply(text, [section(text)])


@door.action(functools.partial(payloads.assign_click, block_prefix=CARD_PREFIX))
async def on_assign(click: payloads.AssignClick, tools: Tools) -> None:
    services = tools.services
    lead = await clicks.clicked_lead(services, click.clicker, click.number)
    try:
        await reassign(services, lead, click.owner, services.clock.now())
    except Refusal:
        return  # picked the owner it already has
    await clicks.redraw(tools, click.clicker, lead.number)


SUBCOMMANDS = (Subcommand("assign", parse_assign, (Answer.of(grammar.Assign, assign),)),)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)
    app.action(ASSIGN_ACTION)(on_assign)

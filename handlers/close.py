"""Closing a lead as won or lost, and reopening it.

``/lead won``, ``/lead lost``, ``/lead reopen`` and the Won / Mark lost buttons
all end in ``set_status``.
"""

from __future__ import annotations

from datetime import datetime

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.grammar.close import parse_lost, parse_reopen, parse_won
from bot.domain.lead import Lead
from bot.domain.vocabulary import Status
from handlers import clicks, door, payloads, subcommands
from handlers.blocks import Refusal, Reply, band, escape, lead_label, section
from handlers.buttons import LOST_ACTION, REOPEN_ACTION, WON_ACTION
from handlers.context import Services
from handlers.door import Tools
from handlers.invocation import Invocation
from handlers.lookup import find_lead
from handlers.subcommands import Answer, Subcommand
from storage import leads


async def set_status(
    services: Services, lead: Lead, status: Status, now: datetime, reason: str = ""
) -> Lead:
    """The lead, now ``status``; a Refusal if it already was (nothing changed)."""
    if lead.status == status:
        raise Refusal(f"{lead_label(lead)} is already {status}.")
    async with services.db.transaction() as conn:
        return await leads.set_status(conn, lead, status, now, reason)


async def _close(call: Invocation, ref: grammar.LeadRef, status: Status, reason: str = "") -> Lead:
    closed_too = status == "open"  # reopening is for closed leads
    lead = await find_lead(call.services, call.team_id, ref, call.text, closed_too=closed_too)
    closed = await set_status(call.services, lead, status, call.now, reason)
    call.changed(closed)
    return closed


def _done(text: str) -> Reply:
    return Reply(text, [section(text)])


async def won(cmd: grammar.Won, call: Invocation) -> Reply:
    """The words after the lead (``signed! 3 crews``) are kept as the win note."""
    lead = await _close(call, cmd.ref, "won", cmd.note)
    note = f" ({escape(cmd.note)})" if cmd.note else ""
    return _done(f":trophy: {lead_label(lead)} is won{note}. Nice work!")


async def lost(cmd: grammar.Lost, call: Invocation) -> Reply:
    lead = await _close(call, cmd.ref, "lost", cmd.reason)
    reason = f" ({escape(cmd.reason)})" if cmd.reason else ""
    return _done(
        f":x: {lead_label(lead)} is marked lost{reason}. `/lead reopen #{lead.number}` undoes it."
    )


async def reopen(cmd: grammar.Reopen, call: Invocation) -> Reply:
    lead = await _close(call, cmd.ref, "open")
    return _done(
        f":arrows_counterclockwise: {lead_label(lead)} is open again: {band(lead.temperature(call.now))}."
    )


async def _clicked(click: payloads.LeadClick, tools: Tools, status: Status) -> None:
    services = tools.services
    lead = await clicks.clicked_lead(services, click.clicker, click.number)
    try:
        await set_status(services, lead, status, services.clock.now())
    except Refusal:
        return  # a second click on the same button: it already is
    await clicks.redraw(tools, click.clicker, lead.number)


@door.action(payloads.lead_click)
async def on_lost(click: payloads.LeadClick, tools: Tools) -> None:
    await _clicked(click, tools, "lost")


@door.action(payloads.lead_click)
async def on_won(click: payloads.LeadClick, tools: Tools) -> None:
    await _clicked(click, tools, "won")


@door.action(payloads.lead_click)
async def on_reopen(click: payloads.LeadClick, tools: Tools) -> None:
    await _clicked(click, tools, "open")


SUBCOMMANDS = (
    Subcommand("won", parse_won, (Answer.of(grammar.Won, won),)),
    Subcommand("lost", parse_lost, (Answer.of(grammar.Lost, lost),)),
    Subcommand("reopen", parse_reopen, (Answer.of(grammar.Reopen, reopen),)),
)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)
    app.action(LOST_ACTION)(on_lost)
    app.action(WON_ACTION)(on_won)
    app.action(REOPEN_ACTION)(on_reopen)

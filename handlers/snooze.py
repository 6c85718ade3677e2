"""Snoozing a lead: no quiet-lead reminders for it until a day the rep picks.

``/lead snooze #12 friday`` and the Snooze menu under a lead both end in
``snooze_lead``; the menu's ids and choices live in ``buttons``, below every surface.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.grammar.snooze import parse_snooze
from bot.domain.lead import Lead
from handlers import clicks, door, payloads, subcommands
from handlers.blocks import Reply, escape, lead_label, local_date, section
from handlers.buttons import SNOOZE_ACTION, SNOOZE_CHOICES
from handlers.context import Services
from handlers.door import Tools
from handlers.invocation import Invocation
from handlers.lookup import find_lead
from handlers.subcommands import Answer, Subcommand
from storage import leads

SNOOZE_OFF = {"off", "none", "cancel", "stop", "clear"}


async def snooze_lead(
    services: Services, lead: Lead, until: datetime | None, now: datetime
) -> None:
    """Quiet until ``until``; ``None`` turns reminders back on."""
    async with services.db.transaction() as conn:
        await leads.snooze(conn, lead, until, now)


async def snooze(cmd: grammar.Snooze, call: Invocation) -> Reply:
    lead = await find_lead(call.services, call.team_id, cmd.ref, call.text)
    until = (
        None if cmd.when.strip().lower() in SNOOZE_OFF else call.reader.future(cmd.when, call.now)
    )
    await snooze_lead(call.services, lead, until, call.now)
    call.changed(lead)
    if until is None:
        text = f":alarm_clock: Quiet reminders for {lead_label(lead)} are back on."
    else:
        text = (
            f":zzz: Snoozed {lead_label(lead)} until {local_date(until)} "
            f"(I read “{escape(cmd.when.strip())}”): no quiet-lead reminders for it until then."
        )
    return Reply(text, [section(text)])


@door.action(functools.partial(payloads.snooze_click, choices=frozenset(SNOOZE_CHOICES)))
async def on_snooze(click: payloads.SnoozeClick, tools: Tools) -> None:
    services = tools.services
    lead = await clicks.clicked_lead(services, click.clicker, click.number)
    now = services.clock.now()
    await snooze_lead(services, lead, now + timedelta(days=int(click.days)), now)
    await clicks.redraw(tools, click.clicker, lead.number)


SUBCOMMANDS = (Subcommand("snooze", parse_snooze, (Answer.of(grammar.Snooze, snooze),)),)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)
    app.action(SNOOZE_ACTION)(on_snooze)

"""Next steps: ``/lead next #12 send the proposal due:friday``, ``done``, and my list.

A step's due day is a day on the calendar of the rep who set it (``due:friday``
is their Friday); the owner's daily message carries it from that day until it is
done or moved. Cards, Home and the digest draw steps with ``step_line``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.dates import zone
from bot.domain.grammar.next_steps import parse_next
from bot.domain.lead import Lead
from bot.domain.next_steps import NextStep, is_overdue, overdue_first
from handlers import subcommands
from handlers.blocks import Refusal, Reply, context, escape, lead_label, plain, section, sections
from handlers.buttons import LOG_ACTION
from handlers.invocation import Invocation
from handlers.lookup import find_lead
from handlers.payloads import lead_ref
from handlers.subcommands import Answer, Subcommand
from storage import leads
from storage import next_steps as steps

DONE_PREFIX = "next_done:"
STEPS_SHOWN = 40


def day_label(day: date, today: date) -> str:
    """``Fri 27 Nov``: a calendar day, the same in every zone; the year when it is not this one."""
    return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if day.year != today.year else "")


def when(step: NextStep, today: date) -> str:
    """ "overdue since Mon 23 Nov", "due today", "due Fri 27 Nov", "no date"."""
    if step.due_on is None:
        return "no date"
    if is_overdue(step, today):
        return f"*overdue* since {day_label(step.due_on, today)}"
    return "due today" if step.due_on == today else f"due {day_label(step.due_on, today)}"


def step_line(step: NextStep, today: date) -> str:
    return f":pushpin: Next step: {escape(step.what)} ({when(step, today)})"


def today_for(tz: str | None, now: datetime) -> date:
    """The day it is for someone in zone ``tz``: due days are read on their calendar."""
    return now.astimezone(zone(tz)).date()


def _log_button(lead: Lead) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": f"{DONE_PREFIX}{lead.number}",
        "elements": [
            {
                "type": "button",
                "action_id": LOG_ACTION,
                "text": plain("Log a touch"),
                "style": "primary",
                "value": lead_ref(lead.number),
            }
        ],
    }


async def _open_lead(call: Invocation, ref: grammar.LeadRef) -> Lead:
    lead = await find_lead(call.services, call.team_id, ref, call.text)
    if lead.status != "open":
        raise Refusal(
            f"{lead_label(lead)} is {lead.status}: it needs no next step. "
            f"`/lead reopen #{lead.number}` opens it again."
        )
    return lead


async def set_next(cmd: grammar.Next, call: Invocation) -> Reply:
    lead = await _open_lead(call, cmd.ref)
    due = call.reader.due(cmd.due, call.now) if cmd.due else None
    async with call.services.db.transaction() as conn:
        await steps.set_step(conn, lead, cmd.what, due, call.user_id, call.now)
    call.changed(lead)
    today = today_for(call.tz, call.now)
    read = f", due {day_label(due, today)} (I read “{escape(cmd.due or '')}”)" if due else ""
    text = f":pushpin: Next step for {lead_label(lead)}: {escape(cmd.what)}{read}."
    tip = f"`/lead next #{lead.number} done` when it is done."
    return Reply(text, [section(text), context(tip)])


async def next_done(cmd: grammar.NextDone, call: Invocation) -> Reply:
    lead = await find_lead(call.services, call.team_id, cmd.ref, call.text)
    async with call.services.db.transaction() as conn:
        done = await steps.mark_done(conn, lead, call.now)
    if done is not None:
        call.changed(lead)
    if done is None:
        raise Refusal(
            f"{lead_label(lead)} has no open next step. Set one: "
            f"`/lead next #{lead.number} send the proposal due:friday`."
        )
    text = f":white_check_mark: Done: {escape(done.what)} for {lead_label(lead)}. Log the touch?"
    return Reply(text, [section(text), _log_button(lead)])


async def list_next(cmd: grammar.NextList, call: Invocation) -> Reply:
    reader = call.services.db.reader
    today = today_for(call.tz, call.now)
    mine = overdue_first(await steps.owners_steps(reader, call.team_id, call.user_id), today)
    if not mine:
        text = "You have no next steps. Set one: `/lead next #12 send the proposal due:friday`."
        return Reply(text, [section(text)])
    found = await leads.by_ids(reader, call.team_id, [s.lead_id for s in mine])
    by_id = {lead.id: lead for lead in found}
    lines = [
        f"• {lead_label(by_id[s.lead_id], 60)}: {escape(s.what)} ({when(s, today)})"
        for s in mine[:STEPS_SHOWN]
        if s.lead_id in by_id
    ]
    overdue = sum(is_overdue(s, today) for s in mine)
    title = f"*Your next steps* ({len(mine)}, {overdue} overdue)"
    blocks = sections([title, *lines])
    if len(mine) > STEPS_SHOWN:
        blocks.append(context(f"…and {len(mine) - STEPS_SHOWN} more."))
    return Reply(f"Your next steps: {len(mine)}, {overdue} overdue", blocks)


SUBCOMMANDS = (
    Subcommand(
        "next",
        parse_next,
        (
            Answer.of(grammar.Next, set_next),
            Answer.of(grammar.NextDone, next_done),
            Answer.of(grammar.NextList, list_next),
        ),
    ),
)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)

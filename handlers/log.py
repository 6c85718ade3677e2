"""Logging a touch: ``/lead log #12 call``, the "Log a touch" modal and its lead picker.

The modal opens from ``/lead log`` with no arguments, from "Log a touch" buttons
and from the message shortcut. Command and modal both end in ``touches.log_touch``,
so they keep the same rules (no touches in the future, notes up to 2,000 characters).
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import Struct
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.domain import grammar, references
from bot.domain.grammar import KIND_HINTS, MAX_NOTE
from bot.domain.grammar.log import parse_log
from bot.domain.lead import Lead, NewTouch
from bot.domain.text import truncate
from handlers import clicks, door, home, payloads, people, reminders, subcommands
from handlers.blocks import Refusal, Reply, lead_label, plain, section
from handlers.buttons import LOG_ACTION
from handlers.context import Services
from handlers.door import Tools
from handlers.invocation import Invocation
from handlers.lookup import CANDIDATES
from handlers.payloads import Origin, lead_ref
from handlers.reminders import lead_numbers
from handlers.subcommands import Answer, Subcommand
from handlers.touches import (
    KIND_BLOCK,
    NOTE_BLOCK,
    WHEN_BLOCK,
    Moment,
    log_touch,
    logged_reply,
    read_touch_form,
)
from storage import leads, pipeline

CALLBACK_ID = "log_touch"
LEAD_BLOCK, LEAD_ACTION = "lead", "lead_pick"
KIND_ACTION, NOTE_ACTION, WHEN_ACTION = "kind_pick", "note_text", "when_text"
OPTIONS_SHOWN = 50


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(truncate(text, 75)), "value": value}


def lead_option(lead: Lead) -> dict[str, Any]:
    company = f" ({lead.company})" if lead.company else ""
    return _option(f"#{lead.number} {lead.name}{company}", lead_ref(lead.number))


def log_view(
    lead: Lead | None, note: str = "", origin: Origin | None = None, guess: Lead | None = None
) -> dict[str, Any]:
    """The modal; with ``lead`` given it is fixed and shown, otherwise the rep picks one.

    ``guess`` is pre-selected in the picker (the message shortcut's best guess); the rep
    can pick another.
    """
    origin = origin or Origin()
    blocks: list[dict[str, Any]] = []
    if lead is not None:
        origin = msgspec.structs.replace(origin, number=lead.number)
        blocks.append(section(f"Lead: {lead_label(lead)}"))
    else:
        blocks.append(
            {
                "type": "input",
                "block_id": LEAD_BLOCK,
                "label": plain("Lead"),
                "element": {
                    "type": "external_select",
                    "action_id": LEAD_ACTION,
                    "placeholder": plain("Type a name or company"),
                    "min_query_length": 0,
                    **({"initial_option": lead_option(guess)} if guess else {}),
                },
            }
        )
    kinds = [_option(f"{kind} — {hint}", kind) for kind, hint in KIND_HINTS.items()]
    blocks += [
        {
            "type": "input",
            "block_id": KIND_BLOCK,
            "label": plain("What happened"),
            "element": {"type": "static_select", "action_id": KIND_ACTION, "options": kinds},
        },
        {
            "type": "input",
            "block_id": NOTE_BLOCK,
            "label": plain("Note"),
            "optional": True,
            "element": {
                "type": "plain_text_input",
                "action_id": NOTE_ACTION,
                "multiline": True,
                "max_length": MAX_NOTE,
                **({"initial_value": truncate(note, MAX_NOTE)} if note else {}),
            },
        },
        {
            "type": "input",
            "block_id": WHEN_BLOCK,
            "label": plain("When"),
            "optional": True,
            "hint": plain("Leave empty for now, or write “yesterday 3pm”, “last friday”."),
            "element": {
                "type": "plain_text_input",
                "action_id": WHEN_ACTION,
                "placeholder": plain("now"),
                "max_length": 100,
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain("Log a touch"),
        "submit": plain("Log it"),
        "close": plain("Cancel"),
        "private_metadata": origin.dump(),
        "blocks": blocks,
    }


async def open_log_modal(
    client: AsyncWebClient,
    trigger_id: str,
    *,
    lead: Lead | None = None,
    note: str = "",
    origin: Origin | None = None,
    guess: Lead | None = None,
) -> AsyncSlackResponse:
    """Open at once: the trigger id expires three seconds after the click."""
    view = log_view(lead, note, origin, guess)
    return await client.views_open(trigger_id=trigger_id, view=view)


async def log(cmd: grammar.Log, call: Invocation) -> Reply:
    """Without ``when:``, the moment the note gives is when it happened (``when_in_note``)."""
    reader = call.reader
    said = reader.in_note(cmd.note, call.now, when_given=cmd.when is not None)
    note, phrase, at, assumed = said.note, said.phrase, said.at or call.now, said.assumed
    if cmd.when:
        typed = reader.past(cmd.when, call.now)
        phrase, at, assumed = cmd.when, typed.at, typed.assumed
    logged = await log_touch(
        call.services,
        team_id=call.team_id,
        lead=cmd.ref,
        command=call.text,
        touch=NewTouch(cmd.kind, at, call.user_id, note, how="command"),
        now=call.now,
    )
    call.changed(logged.lead)
    return logged_reply(logged, call.now, call.tz, phrase, Moment(assumed=assumed, left=said.left))


async def log_form(cmd: grammar.LogForm, call: Invocation) -> None:
    await call.ack()
    await open_log_modal(call.client, call.trigger_id)


@door.action(payloads.lead_click)
async def on_log(click: payloads.LeadClick, tools: Tools) -> None:
    lead = await clicks.clicked_lead(tools.services, click.clicker, click.number)
    clicker = click.clicker
    origin = Origin(number=lead.number)
    if clicker.in_message:
        origin = Origin(
            number=lead.number,
            channel=clicker.channel_id,
            ts=clicker.message_ts,
            reminder_numbers=tuple(lead_numbers(clicker.block_ids)),
        )
    await open_log_modal(tools.client, clicker.trigger_id, lead=lead, origin=origin)


@door.options(payloads.lead_search)
async def suggest_leads(search: payloads.LeadSearch, tools: Tools) -> None:
    """Leads matching what the rep typed, searched in the database, never a cut list."""
    services = tools.services
    if search.query:
        found = await _matching(services, search.team_id, search.query)
    else:
        mine = await pipeline.ranked(
            services.db.reader,
            search.team_id,
            services.clock.now(),
            OPTIONS_SHOWN,
            owner=search.user_id,
        )
        found = [s.lead for s in mine.shown]
    await tools.ack(options=[lead_option(lead) for lead in found])


async def _matching(services: Services, team_id: str, query: str) -> list[Lead]:
    """``#12`` finds lead 12; a name finds leads by the tiers ``/lead`` uses, best first."""
    wanted = references.number(query)
    if wanted is not None:
        lead = await leads.get(services.db.reader, team_id, wanted)
        return [lead] if lead else []
    found = await leads.search(services.db.reader, team_id, query, limit=CANDIDATES)
    return references.ranked(query, found)[:OPTIONS_SHOWN]


class LogSubmission(Struct, frozen=True):
    """The Log a touch modal, read: where it came from and the lead picked, if any."""

    form: payloads.Submission
    origin: Origin
    picked: int | None


def _log_submission(body: dict) -> LogSubmission:
    form = payloads.submission(body)
    origin = Origin.load(form.private_metadata)
    picked = form.fields.get(LEAD_BLOCK)
    return LogSubmission(form, origin, payloads.lead_number(picked) if picked else None)


@door.view(_log_submission)
async def submit(submitted: LogSubmission, tools: Tools) -> None:
    services, ack, client = tools.services, tools.ack, tools.client
    form, origin = submitted.form, submitted.origin
    team_id, user_id = form.team_id, form.user_id
    now = services.clock.now()
    number = origin.number or submitted.picked or 0
    known = await people.cached(services, team_id, user_id)
    tz = known.tz if known else None
    touch = read_touch_form(form.fields, known, now)
    if touch.errors:
        await ack(response_action="errors", errors=touch.errors)
        return
    try:
        logged = await log_touch(
            services,
            team_id=team_id,
            lead=number,
            touch=NewTouch(
                touch.kind, touch.at, user_id, touch.note, origin.permalink, how="modal"
            ),
            now=now,
        )
    except Refusal as refusal:
        block = LEAD_BLOCK if origin.number is None else KIND_BLOCK
        await ack(response_action="errors", errors={block: refusal.message})
        return
    await ack()
    reply = logged_reply(logged, now, tz, touch.when or None, Moment(assumed=touch.assumed))
    await client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)
    if origin.channel and origin.ts and origin.reminder_numbers:
        await reminders.refresh(
            client,
            services,
            team_id,
            user_id,
            origin.channel,
            origin.ts,
            list(origin.reminder_numbers),
        )
    await home.redraw(client, services, team_id, user_id)


SUBCOMMANDS = (
    Subcommand(
        "log",
        parse_log,
        (
            Answer.of(grammar.Log, log),
            Answer.of(grammar.LogForm, log_form),
        ),
    ),
)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)
    app.action(LOG_ACTION)(on_log)
    app.options(LEAD_ACTION)(suggest_leads)
    app.view(CALLBACK_ID)(submit)

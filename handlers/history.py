"""A lead's touches, every one: ``/lead history``, Undo, and Edit / Delete / Restore per touch.

A deleted touch is kept for the record (who deleted it, when), shown struck through
and restorable; it no longer counts. After any change the lead is scored again from
its remaining touches (``storage.leads.rescored``), exactly as if the history had
always been so. Only the rep who logged a touch, the lead's owner and admins may
change it; Undo is for the rep who logged it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec
from msgspec import Struct
from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.dates import spoken, zone
from bot.domain.grammar import KIND_HINTS, MAX_NOTE
from bot.domain.grammar.history import parse_history, parse_undo
from bot.domain.lead import Lead, Touch
from bot.domain.temperature import KINDS
from bot.domain.text import truncate
from bot.domain.vocabulary import Kind
from handlers import clicks, door, home, payloads, people, subcommands
from handlers.blocks import (
    Refusal,
    Reply,
    band,
    context,
    escape,
    lead_label,
    mention,
    plain,
    section,
)
from handlers.buttons import HISTORY_ACTION, UNDO_ACTION
from handlers.context import Services
from handlers.door import Tools
from handlers.invocation import Invocation
from handlers.lookup import find_lead
from handlers.payloads import TouchRef
from handlers.subcommands import Answer, Subcommand
from handlers.touches import (
    KIND_BLOCK,
    NOTE_BLOCK,
    WHEN_BLOCK,
    Moment,
    read_touch_form,
    recorded_moment,
)
from storage import leads

PAGE_ACTION = "history_page"
EDIT_ACTION = "touch_edit"
DELETE_ACTION = "touch_delete"
RESTORE_ACTION = "touch_restore"
EDIT_CALLBACK = "touch_edit_form"
PAGE_SIZE = 10
UNDO_WITHIN = timedelta(hours=24)
HOW_SHOWN = {
    "": "",
    "command": "by command",
    "modal": "in the form",
    "import": "by import",
    "workflow": "by workflow",
}


# Blocks ----------------------------------------------------------------------------------


def _button(text: str, action_id: str, ref: TouchRef, **extra: Any) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": plain(text),
        "value": ref.dump(),
        **extra,
    }


def _how(touch: Touch) -> str:
    shown = HOW_SHOWN.get(touch.how, touch.how.replace("integration", "by integration"))
    return f" {shown}" if shown else ""


def touch_text(touch: Touch, tz: str | None, now: datetime) -> str:
    """``*Call* · Mon 30 Nov, 15:00 · @ana by command: spoke to them``; struck if deleted."""
    note = f": {escape(truncate(touch.note, 300))}" if touch.note else ""
    line = (
        f"*{KINDS[touch.kind].label}* · {spoken(touch.at, tz, now)} · "
        f"{mention(touch.logged_by)}{_how(touch)}{note}"
    )
    if touch.deleted_at is None:
        return line
    struck = "~" + line.replace("~", "") + "~"
    return (
        f"{struck}\n_deleted by {mention(touch.deleted_by)}, {spoken(touch.deleted_at, tz, now)}_"
    )


def history_reply(
    lead: Lead, page: list[Touch], total: int, offset: int, tz: str | None, now: datetime
) -> Reply:
    """One page of touches, newest first, each with Edit and Delete (or Restore)."""
    title = f"History of {lead_label(lead)}: {total} touch{'es' if total != 1 else ''}"
    blocks: list[dict[str, Any]] = [section(f"*{title}*")]
    if not page:
        blocks.append(section(f"No touches yet. Log one: `/lead log #{lead.number} call`"))
    for touch in page:
        ref = TouchRef(lead.number, touch=touch.id, offset=offset)
        if touch.deleted_at is None:
            accessory = _button("Delete", DELETE_ACTION, ref, confirm=_confirm_delete(touch))
            blocks.append(section(touch_text(touch, tz, now), accessory=accessory))
            blocks.append({"type": "actions", "elements": [_button("Edit", EDIT_ACTION, ref)]})
        else:
            accessory = _button("Restore", RESTORE_ACTION, ref)
            blocks.append(section(touch_text(touch, tz, now), accessory=accessory))
    paging = []
    if offset > 0:
        newer = TouchRef(lead.number, offset=max(0, offset - PAGE_SIZE))
        paging.append(_button("Newer", PAGE_ACTION, newer))
    if offset + len(page) < total:
        paging.append(
            _button("Older", PAGE_ACTION, TouchRef(lead.number, offset=offset + len(page)))
        )
    if paging:
        blocks.append({"type": "actions", "elements": paging})
    return Reply(title, blocks)


def _confirm_delete(touch: Touch) -> dict[str, Any]:
    return {
        "title": plain("Delete this touch?"),
        "text": plain(
            f"The {KINDS[touch.kind].label.lower()} stops counting. It stays in the history, "
            "struck through, and can be restored."
        ),
        "confirm": plain("Delete"),
        "deny": plain("Keep it"),
        "style": "danger",
    }


# Who may change a touch -----------------------------------------------------------------


@dataclass(frozen=True)
class Changing:
    touch: Touch
    lead: Lead


async def _changeable(
    tools: Tools, team_id: str, user_id: str, number: int, touch_id: int | None
) -> Changing:
    """The touch of lead ``number`` (in ``team_id``), if ``user_id`` may change it; else a Refusal."""
    services = tools.services
    lead = await leads.get(services.db.reader, team_id, number)
    touch = await leads.get_touch(services.db.reader, lead, touch_id) if lead and touch_id else None
    if touch is None or lead is None:
        raise Refusal("That touch no longer exists.")
    if user_id in (touch.logged_by, lead.owner):
        return Changing(touch, lead)
    admin = await people.is_admin(tools.client, services, team_id, user_id)
    if admin is None:
        raise Refusal(people.NOT_CONFIRMED.removeprefix(":warning: "))
    if admin:
        return Changing(touch, lead)
    raise Refusal(
        f"Only {mention(touch.logged_by)} (who logged it), {mention(lead.owner)} (the owner) "
        "and admins can change this touch."
    )


# Subcommands -----------------------------------------------------------------------------


async def history(cmd: grammar.History, call: Invocation) -> Reply:
    lead = await find_lead(call.services, call.team_id, cmd.ref, call.text, closed_too=True)
    page, total = await leads.touch_page(call.services.db.reader, lead, limit=PAGE_SIZE)
    return history_reply(lead, page, total, 0, call.tz, call.now)


async def undo(cmd: grammar.Undo, call: Invocation) -> Reply:
    reader = call.services.db.reader
    touch = await leads.last_touch_by(reader, call.team_id, call.user_id, call.now - UNDO_WITHIN)
    if touch is None:
        raise Refusal(
            "You have logged no touch in the last 24 hours. To fix an older one, "
            "open `/lead history LEAD`."
        )
    lead, reply = await _undone(call.services, call.team_id, touch, call.user_id, call.now, call.tz)
    call.changed(lead)
    return reply


async def _undone(
    services: Services, team_id: str, touch: Touch, user_id: str, now: datetime, tz: str | None
) -> tuple[Lead, Reply]:
    async with services.db.transaction() as conn:
        lead = await leads.by_row_id(conn, team_id, touch.lead_id)
        if lead is None:
            raise Refusal("That lead no longer exists.")
        lead = await leads.delete_touch(conn, lead, touch.id, by=user_id, now=now)
    text = (
        f":leftwards_arrow_with_hook: Undone: the {KINDS[touch.kind].label.lower()} of "
        f"{spoken(touch.at, tz, now)} on {lead_label(lead)}. It is {band(lead.temperature(now))} again."
    )
    return lead, Reply(
        text,
        [section(text), context(f"Changed your mind? `/lead history #{lead.number}` restores it.")],
    )


# Listeners -------------------------------------------------------------------------------


async def _tell(tools: Tools, clicker: payloads.Clicker, text: str) -> None:
    where = payloads.Where(clicker.user_id, clicker.channel_id or None, None)
    await door.tell(tools, where, text)


async def _say(tools: Tools, reply: Reply, *, replace: bool) -> None:
    if tools.respond is not None:
        await tools.respond(
            text=reply.text,
            blocks=reply.blocks,
            response_type="ephemeral",
            replace_original=replace,
        )


async def _redraw(tools: Tools, number: int, offset: int, user_id: str, team_id: str) -> None:
    services = tools.services
    lead = await leads.get(services.db.reader, team_id, number)
    if lead is None:
        raise payloads.Invalid(f"no lead #{number} here")
    known = await people.cached(services, team_id, user_id)
    page, total = await leads.touch_page(services.db.reader, lead, limit=PAGE_SIZE, offset=offset)
    now = services.clock.now()
    reply = history_reply(lead, page, total, offset, known.tz if known else None, now)
    await _say(tools, reply, replace=True)


@door.action(payloads.lead_click)
async def on_history(click: payloads.LeadClick, tools: Tools) -> None:
    clicker = click.clicker
    lead = await clicks.clicked_lead(tools.services, clicker, click.number)
    known = await people.cached(tools.services, clicker.team_id, clicker.user_id)
    page, total = await leads.touch_page(tools.services.db.reader, lead, limit=PAGE_SIZE)
    now = tools.services.clock.now()
    reply = history_reply(lead, page, total, 0, known.tz if known else None, now)
    await _say(tools, reply, replace=False)


@door.action(payloads.touch_click)
async def on_page(click: payloads.TouchClick, tools: Tools) -> None:
    clicker, ref = click.clicker, click.ref
    await _redraw(tools, ref.number, ref.offset, clicker.user_id, clicker.team_id)


async def _change(click: payloads.TouchClick, tools: Tools, deleting: bool) -> None:
    clicker, services, ref = click.clicker, tools.services, click.ref
    try:
        changing = await _changeable(tools, clicker.team_id, clicker.user_id, ref.number, ref.touch)
    except Refusal as refusal:
        await _tell(tools, clicker, refusal.message)
        return
    now = services.clock.now()
    async with services.db.transaction() as conn:
        lead = await leads.get(conn, clicker.team_id, ref.number)
        assert lead is not None  # leads are never deleted while their workspace is installed
        if deleting:
            await leads.delete_touch(conn, lead, changing.touch.id, by=clicker.user_id, now=now)
        else:
            await leads.restore_touch(conn, lead, changing.touch.id, now=now)
    await _redraw(tools, ref.number, ref.offset, clicker.user_id, clicker.team_id)
    await home.redraw(tools.client, services, clicker.team_id, clicker.user_id)


@door.action(payloads.touch_click)
async def on_delete(click: payloads.TouchClick, tools: Tools) -> None:
    await _change(click, tools, deleting=True)


@door.action(payloads.touch_click)
async def on_restore(click: payloads.TouchClick, tools: Tools) -> None:
    await _change(click, tools, deleting=False)


@door.action(payloads.touch_click)
async def on_undo(click: payloads.TouchClick, tools: Tools) -> None:
    clicker, services, ref = click.clicker, tools.services, click.ref
    lead = await clicks.clicked_lead(services, clicker, ref.number)
    touch = await leads.get_touch(services.db.reader, lead, ref.touch) if ref.touch else None
    if touch is None or touch.deleted_at is not None:
        await _tell(tools, clicker, "That touch is already undone.")
        return
    if touch.logged_by != clicker.user_id:
        await _tell(tools, clicker, "Only the rep who logged this touch can undo it here.")
        return
    known = await people.cached(services, clicker.team_id, clicker.user_id)
    now = services.clock.now()
    tz = known.tz if known else None
    _, reply = await _undone(services, clicker.team_id, touch, clicker.user_id, now, tz)
    await _say(tools, reply, replace=True)
    await home.redraw(tools.client, services, clicker.team_id, clicker.user_id)


# The Edit modal --------------------------------------------------------------------------


class EditOrigin(Struct, frozen=True):
    """What the Edit modal carries: the lead, its touch, and the history page to draw again."""

    number: payloads.LeadNumber
    touch: payloads.RowId
    offset: int = 0


def _option(kind: Kind) -> dict[str, Any]:
    return {"text": plain(truncate(f"{kind} — {KIND_HINTS[kind]}", 75)), "value": kind}


def edit_view(lead: Lead, touch: Touch, tz: str | None, offset: int) -> dict[str, Any]:
    local = touch.at.astimezone(zone(tz))
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK,
        "title": plain("Edit touch"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": msgspec.json.encode(EditOrigin(lead.number, touch.id, offset)).decode(),
        "blocks": [
            {
                "type": "input",
                "block_id": KIND_BLOCK,
                "label": plain("What happened"),
                "element": {
                    "type": "static_select",
                    "action_id": KIND_BLOCK,
                    "options": [_option(kind) for kind in KIND_HINTS],
                    "initial_option": _option(touch.kind),
                },
            },
            {
                "type": "input",
                "block_id": WHEN_BLOCK,
                "label": plain("When"),
                "hint": plain("Like “yesterday 3pm”, “last friday” or “2026-11-30 15:00”."),
                "element": {
                    "type": "plain_text_input",
                    "action_id": WHEN_BLOCK,
                    "max_length": 100,
                    "initial_value": f"{local:%Y-%m-%d %H:%M}",
                },
            },
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "label": plain("Note"),
                "optional": True,
                "element": {
                    "type": "plain_text_input",
                    "action_id": NOTE_BLOCK,
                    "multiline": True,
                    "max_length": MAX_NOTE,
                    **({"initial_value": truncate(touch.note, MAX_NOTE)} if touch.note else {}),
                },
            },
        ],
    }


@door.action(payloads.touch_click)
async def on_edit(click: payloads.TouchClick, tools: Tools) -> None:
    clicker, ref = click.clicker, click.ref
    try:
        changing = await _changeable(tools, clicker.team_id, clicker.user_id, ref.number, ref.touch)
    except Refusal as refusal:
        await _tell(tools, clicker, refusal.message)
        return
    known = await people.cached(tools.services, clicker.team_id, clicker.user_id)
    tz = known.tz if known else None
    view = edit_view(changing.lead, changing.touch, tz, ref.offset)
    await tools.client.views_open(trigger_id=clicker.trigger_id, view=view)


class EditSubmission(Struct, frozen=True):
    form: payloads.Submission
    origin: EditOrigin


def _edit_submission(body: dict) -> EditSubmission:
    form = payloads.submission(body)
    return EditSubmission(form, payloads.decoded(form.private_metadata, EditOrigin))


@door.view(_edit_submission)
async def submit_edit(submitted: EditSubmission, tools: Tools) -> None:
    services, form = tools.services, submitted.form
    now = services.clock.now()
    known = await people.cached(services, form.team_id, form.user_id)
    tz = known.tz if known else None
    touch = read_touch_form(form.fields, known, now)
    kind, note, when, at = touch.kind, touch.note, touch.when, touch.at
    errors = dict(touch.errors)
    if not when:  # the Edit modal shows the touch's moment; emptied, it isn't "now"
        errors[WHEN_BLOCK] = "Say when it happened, e.g. “yesterday 3pm”."
    try:
        origin = submitted.origin
        changing = await _changeable(tools, form.team_id, form.user_id, origin.number, origin.touch)
    except Refusal as refusal:
        errors[KIND_BLOCK] = truncate(refusal.message, 150)
    if errors:
        await tools.ack(response_action="errors", errors=errors)
        return
    await tools.ack()
    async with services.db.transaction() as conn:
        lead = await leads.get(conn, form.team_id, changing.lead.number)
        assert lead is not None  # leads are never deleted while their workspace is installed
        lead = await leads.change_touch(
            conn, lead, changing.touch.id, kind=kind, at=at, note=note, now=now
        )
    text = (
        f":pencil2: Edited the touch on {lead_label(lead)}: {KINDS[kind].label.lower()}. "
        f"{recorded_moment(at, now, tz, when, Moment(assumed=touch.assumed))}. "
        f"It is {band(lead.temperature(now))}."
    )
    await tools.client.chat_postMessage(channel=form.user_id, text=text, blocks=[section(text)])
    await home.redraw(tools.client, services, form.team_id, form.user_id)


SUBCOMMANDS = (
    Subcommand("history", parse_history, (Answer.of(grammar.History, history),)),
    Subcommand("undo", parse_undo, (Answer.of(grammar.Undo, undo),), aliases=("unlog",)),
)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)
    app.action(HISTORY_ACTION)(on_history)
    app.action(PAGE_ACTION)(on_page)
    app.action(EDIT_ACTION)(on_edit)
    app.action(DELETE_ACTION)(on_delete)
    app.action(RESTORE_ACTION)(on_restore)
    app.action(UNDO_ACTION)(on_undo)
    app.view(EDIT_CALLBACK)(submit_edit)

"""Adding a lead: ``/lead add Jane Doe company:Acme`` or the "Add lead" modal.

Both end in ``add_lead``. The modal shows each error on the field that has it;
on success the rep gets the same confirmation as the typed command, in their DM
with the app.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.grammar.add import parse_add
from bot.domain.lead import Lead, NewTouch
from bot.domain.text import truncate
from handlers import door, home, payloads, subcommands
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
from handlers.context import Services
from handlers.door import Tools
from handlers.invocation import Invocation
from handlers.subcommands import Answer, Subcommand
from storage import leads

CALLBACK_ID = "add_lead"
NAME, COMPANY, SOURCE, EMAIL, PHONE, OWNER, NOTE = (
    "name",
    "company",
    "source",
    "email",
    "phone",
    "owner",
    "note",
)


class Duplicate(Refusal):
    """The lead is already here (same email, or same name and company): nothing added."""

    def __init__(self, existing: Lead):
        super().__init__(
            f"{lead_label(existing)} is already here (owner {mention(existing.owner)}), "
            f"so I didn't add it again. See it with `/lead show #{existing.number}`."
        )
        self.existing = existing


async def add_lead(
    services: Services,
    cmd: grammar.Add,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    how: str = "command",
) -> Lead:
    """Store the lead (and its first note); a Duplicate if it is already here.

    ``how`` is the surface the first note came in by, as its history shows it.
    """
    async with services.db.transaction() as conn:
        existing = await leads.find_duplicate(
            conn, team_id, cmd.name, cmd.company or "", cmd.email or ""
        )
        if existing:
            raise Duplicate(existing)
        lead = await leads.create(
            conn,
            team_id=team_id,
            name=cmd.name,
            company=cmd.company or "",
            email=cmd.email or "",
            phone=cmd.phone or "",
            source=cmd.source or "cold",
            owner=cmd.owner or user_id,
            created_by=user_id,
            now=now,
        )
        if cmd.note:
            lead = await leads.add_touch(
                conn,
                lead,
                NewTouch(kind="note", at=now, logged_by=user_id, note=cmd.note, how=how),
                now,
            )
    return lead


def _what_went_where(lead: Lead) -> str:
    fields = [("name", lead.name), ("company", lead.company), ("email", lead.email)]
    fields += [("phone", lead.phone), ("source", lead.source)]
    return ", ".join(f"{key} “{escape(value)}”" for key, value in fields if value)


def added_reply(lead: Lead, cmd: grammar.Add, now: datetime) -> Reply:
    text = f":white_check_mark: Added {lead_label(lead)} — {band(lead.temperature(now))}, owner {mention(lead.owner)}."
    notes = []
    if cmd.by_comma:
        notes.append(f"Read as: {_what_went_where(lead)}.")
    if cmd.misspelled:
        notes.append(f"Read `{escape(cmd.misspelled)}` as `{lead.source}`.")
    if cmd.source is None:
        notes.append(
            "No `source:` given, so I recorded it as `cold` outreach. If someone referred them "
            f"or they came to us, say so: `/lead edit #{lead.number} source:referral`."
        )
    notes.append(f"Log what happens next: `/lead log #{lead.number} call spoke to them`")
    return Reply(text, [section(text), context(*notes)])


async def add(cmd: grammar.Add, call: Invocation) -> Reply:
    lead = await add_lead(
        call.services, cmd, team_id=call.team_id, user_id=call.user_id, now=call.now
    )
    call.changed(lead)
    return added_reply(lead, cmd, call.now)


def _text_input(
    block: str, label: str, limit: int, *, optional: bool = True, **element: Any
) -> dict:
    return {
        "type": "input",
        "block_id": block,
        "label": plain(label),
        "optional": optional,
        "element": {"type": "plain_text_input", "action_id": block, "max_length": limit, **element},
    }


def add_view(owner: str) -> dict[str, Any]:
    sources = [
        {"text": plain(name), "description": plain(hint[:75]), "value": name}
        for name, hint in grammar.SOURCE_HINTS.items()
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain("Add lead"),
        "submit": plain("Add"),
        "close": plain("Cancel"),
        "blocks": [
            _text_input(NAME, "Name", grammar.MAX_NAME, optional=False),
            _text_input(COMPANY, "Company", grammar.MAX_FIELD),
            {
                "type": "input",
                "block_id": SOURCE,
                "label": plain("Where did they come from?"),
                "element": {"type": "static_select", "action_id": SOURCE, "options": sources},
            },
            _text_input(EMAIL, "Email", grammar.MAX_FIELD),
            _text_input(PHONE, "Phone", grammar.MAX_FIELD),
            {
                "type": "input",
                "block_id": OWNER,
                "label": plain("Owner"),
                "element": {"type": "users_select", "action_id": OWNER, "initial_user": owner},
            },
            _text_input(NOTE, "First note", grammar.MAX_NOTE, multiline=True),
        ],
    }


async def add_form(cmd: grammar.AddForm, call: Invocation) -> None:
    await call.ack()
    await call.client.views_open(trigger_id=call.trigger_id, view=add_view(call.user_id))


def _values(form: payloads.Submission) -> dict[str, str]:
    """The fields as the typed command would read them; the owner as picked, checked below."""
    values = {
        block: value.strip() if block == NOTE else " ".join(value.split())
        for block, value in form.fields.items()
    }
    values[OWNER] = form.users.get(OWNER, "")
    return values


def field_errors(values: dict[str, str]) -> dict[str, str]:
    """What is wrong, by field: the very checks of the typed command (``grammar.checked``)."""
    errors = {}
    if not values.get(NAME):
        errors[NAME] = "A lead needs a name."
    for field in (NAME, COMPANY, EMAIL, PHONE, NOTE, SOURCE):
        value = values.get(field, "")
        if field in errors or (not value and field != SOURCE):
            continue
        try:
            grammar.checked(field, value)
        except grammar.GrammarError as error:
            errors[field] = truncate(str(error), 150)
    if not payloads.is_user_id(values.get(OWNER)):
        errors[OWNER] = "Pick who owns the lead."
    return errors


@door.view(payloads.submission)
async def submit(form: payloads.Submission, tools: Tools) -> None:
    services, ack, client = tools.services, tools.ack, tools.client
    values = _values(form)
    errors = field_errors(values)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    team_id, user_id = form.team_id, form.user_id
    command = grammar.Add(
        name=values[NAME],
        company=values.get(COMPANY) or None,
        source=values[SOURCE],
        email=values.get(EMAIL) or None,
        phone=values.get(PHONE) or None,
        owner=values[OWNER],
        note=values.get(NOTE) or None,
    )
    now = services.clock.now()
    try:
        lead = await add_lead(services, command, team_id=team_id, user_id=user_id, now=now)
    except Duplicate as duplicate:
        existing = duplicate.existing
        await ack(
            response_action="errors",
            errors={NAME: f"{existing.name[:100]} (#{existing.number}) is already here."},
        )
        return
    await ack()
    reply = added_reply(lead, command, now)
    await client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)
    await home.redraw(client, services, team_id, user_id)


SUBCOMMANDS = (
    Subcommand(
        "add",
        parse_add,
        (
            Answer.of(grammar.Add, add),
            Answer.of(grammar.AddForm, add_form),
        ),
    ),
)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)
    app.view(CALLBACK_ID)(submit)

"""The "Add lead" modal, opened by ``/lead add`` with nothing after it.

Errors show on the field that has them; on success the rep gets the same
confirmation as the typed command, in their DM with the app.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from handlers import door, home, payloads
from handlers.door import Tools
from handlers.lead_subcommands import add
from handlers.replies import Refusal, plain
from handlers.subcommands import Invocation, subcommand

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


@subcommand(grammar.AddForm)
async def add_form(cmd: grammar.AddForm, call: Invocation) -> None:
    await call.ack()
    await call.client.views_open(trigger_id=call.trigger_id, view=add_view(call.user_id))


def register(app: AsyncApp) -> None:
    app.view(CALLBACK_ID)(submit)


def _values(form: payloads.Submission) -> dict[str, str]:
    """The fields as the typed command would read them; the owner as picked, checked below."""
    values = {
        block: value.strip() if block == NOTE else " ".join(value.split())
        for block, value in form.fields.items()
    }
    values[OWNER] = form.users.get(OWNER, "")
    return values


def field_errors(values: dict[str, str]) -> dict[str, str]:
    """What is wrong, by field, with the same limits as the typed command."""
    errors = {}
    if not values.get(NAME):
        errors[NAME] = "A lead needs a name."
    limits = {NAME: grammar.MAX_NAME, COMPANY: grammar.MAX_FIELD, EMAIL: grammar.MAX_FIELD}
    limits |= {PHONE: grammar.MAX_FIELD, NOTE: grammar.MAX_NOTE}
    for field, limit in limits.items():
        if len(values.get(field, "")) > limit:
            errors[field] = f"Keep it under {limit} characters."
    if values.get(EMAIL) and not grammar.is_email(values[EMAIL]):
        errors[EMAIL] = "That doesn't look like an email address."
    if values.get(SOURCE) not in grammar.SOURCES:
        errors[SOURCE] = "Pick where the lead came from."
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
    call = Invocation(
        services=services,
        client=client,
        ack=ack,
        respond=None,  # type: ignore[arg-type]
        team_id=team_id,
        user_id=user_id,
        channel_id="",
        trigger_id="",
        now=services.clock.now(),
        tz=None,
    )
    try:
        reply = await add(command, call)
    except Refusal:
        duplicate = "A lead with this email, or this name and company, is already here."
        await ack(response_action="errors", errors={NAME: duplicate})
        return
    await ack()
    await client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)
    await home.redraw(client, services, team_id, user_id)

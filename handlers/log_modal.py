"""The "Log a touch" modal: pick a lead (searched as you type), a kind, a note, when.

Opened from ``/lead log`` with no arguments, from "Log a touch" buttons and
from the message shortcut; it always ends in ``touches.log_touch``, so it keeps
the command's rules (no touches in the future, notes up to 2,000 characters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.dates import DateError, parse_past
from bot.grammar import KIND_HINTS, MAX_NOTE
from bot.runtime import Services
from handlers import people
from handlers.format import lead_label, truncate
from handlers.replies import Refusal, section
from handlers.touches import log_touch, logged_reply
from storage import leads
from storage.leads import Lead

CALLBACK_ID = "log_touch"
LEAD_BLOCK, LEAD_ACTION = "lead", "lead_pick"
KIND_BLOCK, KIND_ACTION = "kind", "kind_pick"
NOTE_BLOCK, NOTE_ACTION = "note", "note_text"
WHEN_BLOCK, WHEN_ACTION = "when", "when_text"
OPTIONS_SHOWN = 50


@dataclass(frozen=True)
class Origin:
    """Where the modal was opened from, carried in ``private_metadata``."""

    lead_id: int | None = None
    permalink: str = ""
    channel: str = ""
    ts: str = ""

    def dump(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def load(cls, text: str) -> Origin:
        data = json.loads(text) if text else {}
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(truncate(text, 75)), "value": value}


def lead_option(lead: Lead) -> dict[str, Any]:
    company = f" ({lead.company})" if lead.company else ""
    return _option(f"#{lead.number} {lead.name}{company}", str(lead.id))


def log_view(lead: Lead | None, note: str = "", origin: Origin | None = None) -> dict[str, Any]:
    """The modal; with ``lead`` given it is fixed and shown, otherwise the rep picks one."""
    origin = origin or Origin()
    blocks: list[dict[str, Any]] = []
    if lead is not None:
        origin = Origin(lead.id, origin.permalink, origin.channel, origin.ts)
        blocks.append(section(f"Lead: {lead_label(lead)}"))
    else:
        blocks.append(
            {
                "type": "input",
                "block_id": LEAD_BLOCK,
                "label": _plain("Lead"),
                "element": {
                    "type": "external_select",
                    "action_id": LEAD_ACTION,
                    "placeholder": _plain("Type a name or company"),
                    "min_query_length": 0,
                },
            }
        )
    kinds = [_option(f"{kind} — {hint}", kind) for kind, hint in KIND_HINTS.items()]
    blocks += [
        {
            "type": "input",
            "block_id": KIND_BLOCK,
            "label": _plain("What happened"),
            "element": {"type": "static_select", "action_id": KIND_ACTION, "options": kinds},
        },
        {
            "type": "input",
            "block_id": NOTE_BLOCK,
            "label": _plain("Note"),
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
            "label": _plain("When"),
            "optional": True,
            "hint": _plain("Leave empty for now, or write “yesterday 3pm”, “last friday”."),
            "element": {
                "type": "plain_text_input",
                "action_id": WHEN_ACTION,
                "placeholder": _plain("now"),
                "max_length": 100,
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain("Log a touch"),
        "submit": _plain("Log it"),
        "close": _plain("Cancel"),
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
) -> None:
    """Open at once: the trigger id expires three seconds after the click."""
    await client.views_open(trigger_id=trigger_id, view=log_view(lead, note, origin))


def register(app: AsyncApp) -> None:
    app.options(LEAD_ACTION)(suggest_leads)
    app.view(CALLBACK_ID)(submit)


async def suggest_leads(ack: AsyncAck, body: dict, context: dict) -> None:
    """Leads matching what the rep typed, searched in the database, never a cut list."""
    services: Services = context["services"]
    team_id = body["team"]["id"] if body.get("team") else body["user"]["team_id"]
    query = (body.get("value") or "").strip()
    if query:
        found = await leads.search(services.db.reader, team_id, query, limit=OPTIONS_SHOWN)
    else:
        mine = await leads.open_leads(services.db.reader, team_id, owner=body["user"]["id"])
        found = sorted(mine, key=lambda lead: -lead.score)[:OPTIONS_SHOWN]
    await ack(options=[lead_option(lead) for lead in found])


def _value(view: dict, block: str, action: str) -> str:
    state = view["state"]["values"].get(block, {}).get(action, {})
    if "selected_option" in state:
        return (state["selected_option"] or {}).get("value", "")
    return (state.get("value") or "").strip()


async def submit(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict) -> None:
    services: Services = context["services"]
    team_id = view.get("team_id") or body["team"]["id"]
    user_id = body["user"]["id"]
    now = services.clock.now()
    origin = Origin.load(view.get("private_metadata", ""))
    picked = _value(view, LEAD_BLOCK, LEAD_ACTION)
    lead_id = origin.lead_id or (int(picked) if picked.isdigit() else 0)
    kind = _value(view, KIND_BLOCK, KIND_ACTION)
    note = _value(view, NOTE_BLOCK, NOTE_ACTION)
    when = _value(view, WHEN_BLOCK, WHEN_ACTION)
    errors: dict[str, str] = {}
    if kind not in KIND_HINTS:
        errors[KIND_BLOCK] = "Pick what happened."
    if len(note) > MAX_NOTE:
        errors[NOTE_BLOCK] = f"Keep the note under {MAX_NOTE} characters (it has {len(note)})."
    at = now
    if when:
        known = await people.cached(services, team_id, user_id)
        try:
            at = parse_past(when, known.tz if known else None, now)
        except DateError as error:
            errors[WHEN_BLOCK] = truncate(str(error), 150)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    try:
        logged = await log_touch(
            services,
            team_id=team_id,
            lead_id=lead_id,
            kind=kind,
            note=note,
            at=at,
            user_id=user_id,
            now=now,
            permalink=origin.permalink,
        )
    except Refusal as refusal:
        block = LEAD_BLOCK if origin.lead_id is None else KIND_BLOCK
        await ack(response_action="errors", errors={block: refusal.message})
        return
    await ack()
    reply = logged_reply(logged, now)
    await client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)

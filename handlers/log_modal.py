"""The "Log a touch" modal: pick a lead (searched as you type), a kind, a note, when.

Opened from ``/lead log`` with no arguments, from "Log a touch" buttons and
from the message shortcut; it always ends in ``touches.log_touch``, so it keeps
the command's rules (no touches in the future, notes up to 2,000 characters).
"""

from __future__ import annotations

from typing import Any

import msgspec
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.domain.grammar import KIND_HINTS, MAX_NOTE
from bot.domain.lead import Lead
from handlers.format import lead_label, truncate
from handlers.payloads import Origin
from handlers.replies import plain, section

CALLBACK_ID = "log_touch"
LEAD_BLOCK, LEAD_ACTION = "lead", "lead_pick"
KIND_BLOCK, KIND_ACTION = "kind", "kind_pick"
NOTE_BLOCK, NOTE_ACTION = "note", "note_text"
WHEN_BLOCK, WHEN_ACTION = "when", "when_text"
OPTIONS_SHOWN = 50


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(truncate(text, 75)), "value": value}


def lead_option(lead: Lead) -> dict[str, Any]:
    company = f" ({lead.company})" if lead.company else ""
    return _option(f"#{lead.number} {lead.name}{company}", str(lead.id))


def log_view(lead: Lead | None, note: str = "", origin: Origin | None = None) -> dict[str, Any]:
    """The modal; with ``lead`` given it is fixed and shown, otherwise the rep picks one."""
    origin = origin or Origin()
    blocks: list[dict[str, Any]] = []
    if lead is not None:
        origin = msgspec.structs.replace(origin, lead_id=lead.id)
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
) -> AsyncSlackResponse:
    """Open at once: the trigger id expires three seconds after the click."""
    return await client.views_open(trigger_id=trigger_id, view=log_view(lead, note, origin))

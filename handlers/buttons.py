"""The row of buttons under a lead, and the ids their listeners match on.

The same Log a touch / Snooze / Mark lost buttons appear in reminder DMs, on the
Home tab and on lead cards, so the row is drawn here, below every surface; each
button is answered in its feature module (``log``, ``snooze``, ``close``, ``assign``).
"""

from __future__ import annotations

from typing import Any

from bot.domain.lead import Lead
from handlers.blocks import plain
from handlers.payloads import TouchRef, lead_ref

LOG_ACTION = "lead_log"
SNOOZE_ACTION = "lead_snooze"
LOST_ACTION = "lead_lost"
WON_ACTION = "lead_won"
ASSIGN_ACTION = "lead_assign"
HISTORY_ACTION = "lead_history"
UNDO_ACTION = "touch_undo"
REOPEN_ACTION = "lead_reopen"
CARD_PREFIX = "card:"
SNOOZE_CHOICES = {"3": "3 days", "7": "1 week", "14": "2 weeks"}


def touch_actions(lead: Lead, block_id: str, *, with_lost: bool = True) -> dict[str, Any]:
    """Log a touch, Snooze and (optionally) Mark lost, for one lead."""
    value = lead_ref(lead.number)
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [
            {
                "type": "button",
                "action_id": LOG_ACTION,
                "text": plain("Log a touch"),
                "style": "primary",
                "value": value,
            },
            {
                "type": "static_select",
                "action_id": SNOOZE_ACTION,
                "placeholder": plain("Snooze"),
                "options": [
                    {"text": plain(label), "value": f"{value}:{days}"}
                    for days, label in SNOOZE_CHOICES.items()
                ],
            },
            *([_lost_button(lead)] if with_lost else []),
        ],
    }


def _lost_button(lead: Lead) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": LOST_ACTION,
        "text": plain("Mark lost"),
        "style": "danger",
        "value": lead_ref(lead.number),
        "confirm": {
            "title": plain("Mark it lost?"),
            "text": plain(f"{lead.name[:200]} leaves your pipeline. /lead reopen undoes it."),
            "confirm": plain("Mark lost"),
            "deny": plain("Keep it"),
        },
    }


def undo_button(lead: Lead, touch_id: int) -> dict[str, Any]:
    """Under a log reply: take that touch back (``history.on_undo``)."""
    value = TouchRef(lead.number, touch=touch_id).dump()
    return {
        "type": "actions",
        "elements": [
            {"type": "button", "action_id": UNDO_ACTION, "text": plain("Undo"), "value": value}
        ],
    }


def card_actions(lead: Lead) -> dict[str, Any]:
    """The buttons under ``/lead show``: act on the lead without typing."""
    block_id = f"{CARD_PREFIX}{lead_ref(lead.number)}"
    history = {
        "type": "button",
        "action_id": HISTORY_ACTION,
        "text": plain("History"),
        "value": lead_ref(lead.number),
    }
    if lead.status != "open":
        block = touch_actions(lead, block_id, with_lost=False)
        block["elements"][1:1] = [
            {
                "type": "button",
                "action_id": REOPEN_ACTION,
                "text": plain("Reopen"),
                "value": lead_ref(lead.number),
            }
        ]
        block["elements"].append(history)
        return block
    block = touch_actions(lead, block_id)
    block["elements"][2:2] = [
        {
            "type": "button",
            "action_id": WON_ACTION,
            "text": plain("Won"),
            "value": lead_ref(lead.number),
        }
    ]
    block["elements"].append(
        {
            "type": "users_select",
            "action_id": ASSIGN_ACTION,
            "placeholder": plain("Reassign"),
        }
    )
    block["elements"].append(history)
    return block

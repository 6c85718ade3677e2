"""The quiet-lead reminder DM and its buttons: Log a touch, Snooze, Mark lost.

The message carries its leads in its block ids (``lead:<id>``), so after any
click it is drawn again from the database: a lead touched, snoozed or lost
since the reminder shows what happened instead of its buttons.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import Services
from bot.temperature import WARM_AT, drops_below
from handlers.format import ago, band, lead_label, local_date, mention
from handlers.replies import Reply, context, section
from storage import leads
from storage.leads import Lead

LOG_ACTION = "reminder_log"
SNOOZE_ACTION = "reminder_snooze"
LOST_ACTION = "reminder_lost"
BLOCK_PREFIX = "lead:"
SNOOZE_CHOICES = {"3": "3 days", "7": "1 week", "14": "2 weeks"}
LEADS_SHOWN = 20


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def lead_actions(lead: Lead, *, with_lost: bool = True) -> dict[str, Any]:
    """Log a touch, Snooze and (optionally) Mark lost, for one lead."""
    value = str(lead.id)
    return {
        "type": "actions",
        "block_id": f"{BLOCK_PREFIX}{lead.id}",
        "elements": [
            {
                "type": "button",
                "action_id": LOG_ACTION,
                "text": _plain("Log a touch"),
                "style": "primary",
                "value": value,
            },
            {
                "type": "static_select",
                "action_id": SNOOZE_ACTION,
                "placeholder": _plain("Snooze"),
                "options": [
                    {"text": _plain(label), "value": f"{lead.id}:{days}"}
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
        "text": _plain("Mark lost"),
        "style": "danger",
        "value": str(lead.id),
        "confirm": {
            "title": _plain("Mark it lost?"),
            "text": _plain(f"{lead.name[:200]} leaves your pipeline. /lead reopen undoes it."),
            "confirm": _plain("Mark lost"),
            "deny": _plain("Keep it"),
        },
    }


def _outcome(lead: Lead, reminded_at: datetime, now: datetime) -> str | None:
    """What happened to the lead since the reminder, if anything."""
    if lead.status != "open":
        return f":x: Marked {lead.status}" if lead.status == "lost" else ":trophy: Won"
    if lead.snoozed_until and lead.snoozed_until > now:
        return f":zzz: Snoozed until {local_date(lead.snoozed_until, with_time=False)}"
    if lead.last_activity_at > reminded_at:
        return f":white_check_mark: Touched {ago(lead.last_activity_at, now)}"
    return None


def _lead_blocks(lead: Lead, reminded_at: datetime, now: datetime) -> list[dict[str, Any]]:
    temperature = lead.temperature(now)
    cold_at = drops_below(WARM_AT, lead.source, lead.created_at, lead.signals, now)
    cooling = f", cold {local_date(cold_at, with_time=False)}" if cold_at else ""
    line = (
        f"{band(temperature)} {lead_label(lead, 80)}\n"
        f"Quiet since {ago(lead.last_activity_at, now)}{cooling}"
    )
    done = _outcome(lead, reminded_at, now)
    if done:
        return [section(line), context(done)]
    return [section(line), lead_actions(lead)]


def reminder_message(owner: str, quiet: list[Lead], reminded_at: datetime, now: datetime) -> Reply:
    """One DM bundling every quiet lead of one rep."""
    shown = quiet[:LEADS_SHOWN]
    count = f"{len(quiet)} warm lead{'s have' if len(quiet) != 1 else ' has'}"
    intro = f"{mention(owner)}, {count} gone quiet. A touch now keeps them from going cold:"
    blocks = [section(intro)]
    for lead in shown:
        blocks += _lead_blocks(lead, reminded_at, now)
    if len(quiet) > len(shown):
        blocks.append(context(f"…and {len(quiet) - len(shown)} more: `/lead list warm`"))
    return Reply(f"{count} gone quiet", blocks)


def lead_ids(message: dict[str, Any]) -> list[int]:
    """The leads a reminder message was about, read back from its block ids."""
    ids = []
    for block in message.get("blocks", []):
        block_id = block.get("block_id", "")
        if block_id.startswith(BLOCK_PREFIX) and block_id[len(BLOCK_PREFIX) :].isdigit():
            ids.append(int(block_id[len(BLOCK_PREFIX) :]))
    return ids


async def refresh(
    client: AsyncWebClient,
    services: Services,
    team_id: str,
    owner: str,
    channel: str,
    ts: str,
    ids: list[int],
) -> None:
    """Redraw a reminder from the database after something changed."""
    now = services.clock.now()
    found = [await leads.get_by_id(services.db.reader, lead_id) for lead_id in ids]
    mine = [lead for lead in found if lead is not None and lead.team_id == team_id]
    reminded_at = datetime.fromtimestamp(float(ts), tz=now.tzinfo)
    reply = reminder_message(owner, mine, reminded_at, now)
    await client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)

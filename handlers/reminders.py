"""The quiet-lead reminder DM, with Log a touch, Snooze and Mark lost on each lead.

The message carries its leads in its block ids (``lead:<id>``), so after any
click it is drawn again from the database: a lead touched, snoozed or lost
since the reminder shows what happened instead of its buttons.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.lead import Lead
from handlers.blocks import (
    Reply,
    ago,
    band,
    context,
    last_touch,
    lead_label,
    local_date,
    mention,
    section,
    snoozed,
)
from handlers.buttons import touch_actions
from handlers.context import Services
from handlers.payloads import Invalid, lead_id
from storage import leads

BLOCK_PREFIX = "lead:"
LEADS_SHOWN = 20


def _outcome(lead: Lead, reminded_at: datetime, now: datetime) -> str | None:
    """What happened to the lead since the reminder, if anything."""
    if lead.status != "open":
        return f":x: Marked {lead.status}" if lead.status == "lost" else ":trophy: Won"
    if lead.is_snoozed(now):
        return f":zzz: {snoozed(lead, with_time=False)}"
    if lead.last_activity_at > reminded_at:
        return f":white_check_mark: Touched {ago(lead.last_activity_at, now)}"
    return None


def _lead_blocks(lead: Lead, reminded_at: datetime, now: datetime) -> list[dict[str, Any]]:
    temperature = lead.temperature(now)
    cold_at = lead.warm_until
    cooling = f"; goes cold {local_date(cold_at, with_time=False)}" if cold_at > now else ""
    line = (
        f"{band(temperature)} {lead_label(lead, 80)}\n{last_touch(lead, now).capitalize()}{cooling}"
    )
    done = _outcome(lead, reminded_at, now)
    if done:
        return [section(line), context(done)]
    return [section(line), touch_actions(lead, f"{BLOCK_PREFIX}{lead.id}")]


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


def lead_ids(block_ids: Iterable[str]) -> list[int]:
    """The leads a reminder message was about, read back from its block ids."""
    ids = []
    for block_id in block_ids:
        if block_id.startswith(BLOCK_PREFIX):
            with contextlib.suppress(Invalid):
                ids.append(lead_id(block_id.removeprefix(BLOCK_PREFIX)))
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

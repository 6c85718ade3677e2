"""The owner's one daily DM: leads waiting for an answer first, then next steps due, then
quiet leads, each with Log a touch, Snooze and Mark lost.

The message carries its leads in its block ids (``lead:<id>``), in the order
shown, so after any click it is drawn again from the database: a lead touched,
snoozed or lost since shows what happened instead of its buttons.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.answers import waiting_since
from bot.domain.dates import zone
from bot.domain.lead import Lead
from bot.domain.next_steps import NextStep, is_due
from bot.domain.reminders import tried_since
from bot.domain.temperature import latest_buying_signal
from bot.domain.text import duration, plural
from bot.domain.vocabulary import KIND_WORDS
from handlers import people
from handlers.blocks import (
    Reply,
    ago,
    band,
    context,
    lead_label,
    local_date,
    mention,
    section,
    snoozed,
)
from handlers.buttons import touch_actions
from handlers.context import Services
from handlers.next_steps import step_line
from handlers.payloads import Invalid, lead_number, lead_ref
from storage import deliveries, leads, next_steps

BLOCK_PREFIX = "lead:"
LEADS_SHOWN = 20


@dataclass(frozen=True)
class Daily:
    """What one owner's daily DM is about, in the order shown."""

    leads: list[Lead]
    steps: dict[int, NextStep]
    today: date
    """The owner's day: a step is due on their calendar."""
    respond_hours: int
    quiet: frozenset[int] = frozenset()
    """The leads here because they have gone quiet (their reminder is recorded)."""
    tried: Mapping[int, Mapping[str, int]] = field(default_factory=dict)
    """Per lead, our effort since they last answered (``reminders.tried_since``)."""


def _outcome(lead: Lead, reminded_at: datetime, now: datetime) -> str | None:
    """What happened to the lead since the reminder, if anything."""
    if lead.status != "open":
        return f":x: Marked {lead.status}" if lead.status == "lost" else ":trophy: Won"
    if lead.is_snoozed(now):
        return f":zzz: {snoozed(lead, with_time=False)}"
    if lead.last_activity_at > reminded_at:
        return f":white_check_mark: Touched {ago(lead.last_activity_at, now)}"
    return None


def _why(lead: Lead, daily: Daily, now: datetime) -> str:
    """Why this lead is in today's message: waiting, a step due, or gone quiet."""
    since = waiting_since(lead, now, daily.respond_hours)
    latest = latest_buying_signal(lead.signals)
    if since is not None and latest is not None:
        asked = KIND_WORDS[latest[0]].label.lower()  # type: ignore[index]
        return f":rotating_light: Waiting {duration(now - since)} for our answer ({asked})"
    step = daily.steps.get(lead.id)
    if step is not None and is_due(step, daily.today):
        return step_line(step, daily.today)
    cold_at = lead.warm_until
    cooling = f"; goes cold {local_date(cold_at, with_time=False)}" if cold_at > now else ""
    return f"{quiet_line(lead, daily.tried.get(lead.id, {}))}{cooling}"


def quiet_line(lead: Lead, tried: Mapping[str, int]) -> str:
    """``No answer since 25 Nov; since then: 2 emails, 1 voicemail``: why it counts as quiet."""
    since = f"No answer since {local_date(lead.last_contact_at, with_time=False)}"
    done = ", ".join(plural(count, kind) for kind, count in tried.items())
    return f"{since}; since then: {done}" if done else f"{since}; nothing tried since"


def _lead_blocks(
    lead: Lead, daily: Daily, reminded_at: datetime, now: datetime
) -> list[dict[str, Any]]:
    line = f"{band(lead.temperature(now))} {lead_label(lead, 80)}\n{_why(lead, daily, now)}"
    done = _outcome(lead, reminded_at, now)
    if done:
        return [section(line), context(done)]
    return [section(line), touch_actions(lead, f"{BLOCK_PREFIX}{lead_ref(lead.number)}")]


def _summary(daily: Daily, now: datetime) -> str:
    waiting = sum(waiting_since(lead, now, daily.respond_hours) is not None for lead in daily.leads)
    due = sum(
        1
        for lead in daily.leads
        if lead.id in daily.steps and is_due(daily.steps[lead.id], daily.today)
    )
    quiet = len(daily.leads) - waiting - due
    parts = [
        f"{waiting} waiting for an answer" if waiting else "",
        f"{due} next step{'s' if due != 1 else ''} due" if due else "",
        f"{quiet} gone quiet" if quiet > 0 else "",
    ]
    return ", ".join(p for p in parts if p) or "nothing left to do"


def reminder_message(owner: str, daily: Daily, reminded_at: datetime, now: datetime) -> Reply:
    """One DM bundling, for one rep, the leads waiting, the steps due and the quiet leads."""
    shown = daily.leads[:LEADS_SHOWN]
    summary = _summary(daily, now)
    first = (
        " Answer the waiting ones first:"
        if "waiting" in summary
        else " A touch now keeps them warm:"
    )
    intro = f"{mention(owner)}, your leads today: {summary}.{first}"
    blocks = [section(intro)]
    for lead in shown:
        blocks += _lead_blocks(lead, daily, reminded_at, now)
    if len(daily.leads) > len(shown):
        blocks.append(context(f"…and {len(daily.leads) - len(shown)} more: `/lead list`"))
    return Reply(f"Your leads today: {summary}", blocks)


def lead_numbers(block_ids: Iterable[str]) -> list[int]:
    """The leads a reminder message was about, read back from its block ids."""
    numbers = []
    for block_id in block_ids:
        if block_id.startswith(BLOCK_PREFIX):
            with contextlib.suppress(Invalid):
                numbers.append(lead_number(block_id.removeprefix(BLOCK_PREFIX)))
    return numbers


async def refresh(
    client: AsyncWebClient,
    services: Services,
    team_id: str,
    owner: str,
    channel: str,
    ts: str,
    numbers: list[int],
) -> None:
    """Redraw a reminder from the database after something changed."""
    now, reader = services.clock.now(), services.db.reader
    mine = await leads.by_numbers(reader, team_id, numbers)
    settings = await deliveries.get_settings(reader, team_id)
    known = await people.cached(services, team_id, owner)
    history = await leads.histories(reader, team_id, [lead.id for lead in mine])
    daily = Daily(
        mine,
        await next_steps.open_steps(reader, team_id, [lead.id for lead in mine]),
        now.astimezone(zone(known.tz if known and known.tz else settings.tz)).date(),
        settings.respond_hours,
        tried={lead.id: tried_since(lead, history[lead.id]) for lead in mine},
    )
    reminded_at = datetime.fromtimestamp(float(ts), tz=now.tzinfo)
    reply = reminder_message(owner, daily, reminded_at, now)
    await client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)

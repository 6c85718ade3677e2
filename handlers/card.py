"""``/lead show``: the lead card, with its score explained and its buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.grammar.card import parse_show
from bot.domain.lead import Lead, Touch
from bot.domain.next_steps import NextStep
from bot.domain.temperature import KINDS, Temperature, latest_buying_signal
from bot.domain.text import duration, truncate
from bot.domain.vocabulary import ANSWERS
from handlers import subcommands
from handlers.blocks import (
    Reply,
    ago,
    context,
    divider,
    escape,
    header,
    local_date,
    mention,
    reason_line,
    section,
    sections,
    snoozed,
    status_or_band,
)
from handlers.buttons import card_actions
from handlers.invocation import Invocation
from handlers.lookup import find_lead
from handlers.next_steps import step_line, today_for
from handlers.permalinks import message_link
from handlers.subcommands import Answer, Subcommand
from storage import leads, next_steps

TOUCHES_SHOWN = 5


def touch_line(touch: Touch) -> str:
    note = f": {escape(truncate(touch.note, 300))}" if touch.note else ""
    return (
        f"• *{KINDS[touch.kind].label}* {local_date(touch.at)} by {mention(touch.logged_by)}"
        f"{note}{message_link(touch.permalink)}"
    )


def fit_and_interest(temperature: Temperature, now: datetime) -> str:
    """The two sides of a score, apart: who they are, and what they did."""
    interest = temperature.interest
    shown = "nothing yet"
    if interest is not None:
        label = interest.label[0].lower() + interest.label[1:]
        shown = f"{label} {ago(interest.last_at, now)}" if interest.last_at else label
    return f"*Fit:* {temperature.fit} · *Interest:* {shown}"


def speed_line(lead: Lead, touches: list[Touch], now: datetime) -> str:
    """Speed to lead on the latest buying signal: "answered in 35 min" or "waiting 2 days"."""
    latest = latest_buying_signal(lead.signals)
    if latest is None or lead.status != "open":
        return ""
    kind, at = latest
    if kind in ANSWERS:
        return ""
    answers = [t.at for t in touches if t.kind in ANSWERS and t.at >= at]
    if answers:
        return f":stopwatch: Speed to lead: answered in {duration(min(answers) - at)}"
    if any(s.last_at >= at for k, s in lead.signals.items() if k in ANSWERS):
        return ""
    return f":stopwatch: Speed to lead: waiting {duration(now - at)} for our answer"


def lead_card(
    lead: Lead,
    temperature: Temperature,
    touches: list[Touch],
    now: datetime,
    step: NextStep | None = None,
    tz: str | None = None,
) -> list[dict[str, Any]]:
    fields = [
        f"*Company*\n{escape(lead.company) or '—'}",
        f"*Owner*\n{mention(lead.owner)}",
        f"*Email*\n{escape(lead.email) or '—'}",
        f"*Phone*\n{escape(lead.phone) or '—'}",
        f"*Source*\n{lead.source}",
        f"*Status*\n{status_or_band(lead, temperature)}",
    ]
    blocks: list[dict[str, Any]] = [
        header(f"#{lead.number} {lead.name}"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
    ]
    if lead.status != "open" and lead.lost_reason:
        blocks.append(context(f"{lead.status.capitalize()}: {escape(lead.lost_reason)}"))
    reasons = [f"• {reason_line(r, now)}" for r in temperature.reasons] or ["• no signals yet"]
    blocks.append(section(fit_and_interest(temperature, now)))
    speed = speed_line(lead, touches, now)
    if speed:
        blocks.append(context(speed))
    if step is not None and lead.status == "open":
        blocks.append(section(step_line(step, today_for(tz, now))))
    blocks.append(
        section(
            f"*Score {temperature.score}/100 — {temperature.band}*, because:\n" + "\n".join(reasons)
        )
    )
    blocks.append(divider())
    if touches:
        blocks += sections(["*Latest touches*", *[touch_line(t) for t in touches]])
    else:
        blocks.append(section(f"No touches yet. Log one: `/lead log #{lead.number} call`"))
    notes = [f"Added {local_date(lead.created_at, with_time=False)} by {mention(lead.created_by)}"]
    if lead.is_snoozed(now):
        notes.append(snoozed(lead))
    blocks.append(context(*notes))
    blocks.append(card_actions(lead))
    return blocks


def card_reply(
    lead: Lead,
    touches: list[Touch],
    now: datetime,
    step: NextStep | None = None,
    tz: str | None = None,
) -> Reply:
    """``/lead show``: the card, its buttons, and a one-line fallback text.

    ``tz`` is the reader's zone: whether a next step is due today is read on their calendar.
    """
    temperature = lead.temperature(now)
    return Reply(
        f"#{lead.number} {escape(lead.name)}: {status_or_band(lead, temperature)}",
        lead_card(lead, temperature, touches, now, step, tz),
    )


async def show(cmd: grammar.Show, call: Invocation) -> Reply:
    lead = await find_lead(call.services, call.team_id, cmd.ref, call.text, closed_too=True)
    reader = call.services.db.reader
    touches = await leads.recent_touches(reader, lead, limit=TOUCHES_SHOWN)
    step = (await next_steps.open_steps(reader, call.team_id, [lead.id])).get(lead.id)
    return card_reply(lead, touches, call.now, step, call.tz)


SUBCOMMANDS = (Subcommand("show", parse_show, (Answer.of(grammar.Show, show),)),)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)

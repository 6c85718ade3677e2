"""Block Kit for leads: the card behind ``/lead show``, list lines, the help text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.grammar import KIND_HINTS, SOURCE_HINTS, USAGE, short_usage
from bot.domain.lead import Lead, Touch
from bot.domain.ranking import Ranked
from bot.domain.temperature import KINDS, Reason, Temperature
from handlers.format import (
    ago,
    band,
    escape,
    lead_label,
    local_date,
    mention,
    status_or_band,
    truncate,
)
from handlers.lead_actions import card_actions
from handlers.permalinks import message_link
from handlers.replies import Reply, context, divider, header, section, sections

LIST_LIMIT = 25


def reason_line(reason: Reason, now: datetime) -> str:
    when = ""
    if reason.last_at and not reason.factor.startswith("source:"):
        times = f" ({reason.count} times)" if reason.count > 1 else ""
        when = f"{times}, last {ago(reason.last_at, now)}"
    elif reason.last_at:
        when = f", added {ago(reason.last_at, now)}"
    return f"{reason.label}{when}: *+{reason.points}*"


def why(temperature: Temperature, now: datetime) -> str:
    """The strongest reason, short: what a rep reads first."""
    strongest = temperature.strongest
    return reason_line(strongest, now) if strongest else "no signals yet"


def list_line(lead: Lead, temperature: Temperature, now: datetime) -> str:
    last = f"last touch {ago(lead.last_activity_at, now)}"
    return (
        f"{band(temperature)} {lead_label(lead, 60)} · {mention(lead.owner)}\n"
        f"      {why(temperature, now)} · {last}"
    )


def touch_line(touch: Touch) -> str:
    note = f": {escape(truncate(touch.note, 300))}" if touch.note else ""
    return (
        f"• *{KINDS[touch.kind].label}* {local_date(touch.at)} by {mention(touch.logged_by)}"
        f"{note}{message_link(touch.permalink)}"
    )


def lead_card(
    lead: Lead, temperature: Temperature, touches: list[Touch], now: datetime
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
    if lead.status == "lost" and lead.lost_reason:
        blocks.append(context(f"Lost: {escape(lead.lost_reason)}"))
    reasons = [f"• {reason_line(r, now)}" for r in temperature.reasons] or ["• no signals yet"]
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
    if lead.snoozed_until and lead.snoozed_until > now:
        notes.append(f"Snoozed until {local_date(lead.snoozed_until)}")
    blocks.append(context(*notes))
    blocks.append(card_actions(lead))
    return blocks


def card_reply(lead: Lead, touches: list[Touch], now: datetime) -> Reply:
    """``/lead show``: the card, its buttons, and a one-line fallback text."""
    temperature = lead.temperature(now)
    return Reply(
        f"#{lead.number} {escape(lead.name)}: {status_or_band(lead, temperature)}",
        lead_card(lead, temperature, touches, now),
    )


def lead_list(title: str, found: Ranked, now: datetime, empty_hint: str) -> Reply:
    if not found.shown:
        return Reply(f"{title}: none. {empty_hint}", [section(f"*{title}*: none. {empty_hint}")])
    plural = "s" if found.total != 1 else ""
    blocks = [section(f"*{title}* — {found.total} open lead{plural}")]
    blocks += sections([list_line(s.lead, s.temperature, now) for s in found.shown])
    if found.more > 0:
        blocks.append(context(f"…and {found.more} more. Narrow it: `/lead list hot mine`."))
    return Reply(f"{title}: {found.total} open leads", blocks)


def help_reply(
    unknown: str | None = None, topic: str | None = None, suggestion: str | None = None
) -> Reply:
    """All of the help, one command's, or for a mistyped subcommand one suggestion only."""
    if unknown:
        return _unknown_reply(unknown, suggestion)
    intro = "*/lead* keeps your leads and tells you which are hot, and why."
    usage = [USAGE[topic]] if topic in USAGE else list(USAGE.values())
    blocks = [section(intro), *sections(usage), divider()]
    blocks += sections(
        ["*Sources* (where the lead came from)"]
        + [f"• `{name}` — {hint}" for name, hint in SOURCE_HINTS.items()]
    )
    blocks += sections(
        ["*Kinds of touch*"] + [f"• `{name}` — {hint}" for name, hint in KIND_HINTS.items()]
    )
    return Reply(intro, blocks)


def _unknown_reply(unknown: str, suggestion: str | None) -> Reply:
    typed = escape(truncate(unknown, 50)).replace("`", "'")
    if suggestion:
        text = f"I don't know `{typed}`. Did you mean `{suggestion}`?"
        return Reply(text, [section(text), context(short_usage(suggestion))])
    text = f"I don't know `{typed}`. `/lead help` shows what `/lead` does."
    return Reply(text, [section(text), context("Commands: " + ", ".join(f"`{n}`" for n in USAGE))])

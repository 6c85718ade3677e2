"""Block Kit for leads: the card behind ``/lead show``, list lines, the help text."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.domain.grammar import KIND_HINTS, SOURCE_HINTS, USAGE
from bot.domain.lead import Lead, Touch
from bot.domain.ranking import Ranked
from bot.domain.temperature import KINDS, Reason, Temperature, latest_buying_signal
from bot.domain.vocabulary import ANSWERS, GROUP_WORDS, KIND_GROUPS
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


def duration(delta: timedelta) -> str:
    minutes = max(0, round(delta.total_seconds() / 60))
    if minutes < 90:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{round(minutes / 60)} hours"
    return f"{round(minutes / 1440)} days"


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
    blocks.append(section(fit_and_interest(temperature, now)))
    speed = speed_line(lead, touches, now)
    if speed:
        blocks.append(context(speed))
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


def help_reply(unknown: str | None = None, topic: str | None = None) -> Reply:
    intro = (
        f"I don't know `{escape(truncate(unknown, 50))}`. Here is what `/lead` does:"
        if unknown
        else "*/lead* keeps your leads and tells you which are hot, and why."
    )
    usage = [USAGE[topic]] if topic in USAGE else list(USAGE.values())
    blocks = [section(intro), *sections(usage), divider()]
    blocks += sections(
        ["*Sources* (where the lead came from)"]
        + [f"• `{name}` — {hint}" for name, hint in SOURCE_HINTS.items()]
    )
    kinds = ["*Kinds of touch*, in four groups"]
    for group, members in KIND_GROUPS.items():
        kinds.append(f"_{GROUP_WORDS[group]}_")
        kinds += [f"• `{name}` — {KIND_HINTS[name]}" for name in members]
    kinds.append(f"• `note` — {KIND_HINTS['note']}")
    blocks += sections(kinds)
    return Reply(intro, blocks)

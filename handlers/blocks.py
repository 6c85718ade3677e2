"""Block Kit and mrkdwn pieces every feature shares: replies, refusals, sections, labels, dates.

User text is escaped here and cut to Slack's limits here, so no feature has to remember to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.lead import Lead
from bot.domain.temperature import Reason, Temperature
from bot.domain.text import truncate
from handlers.payloads import is_user_id

SECTION_LIMIT = 3000
MESSAGE_BLOCK_LIMIT = 50


class Refusal(Exception):
    """An expected "no" for the user (not found, not allowed, bad date): nothing changed.

    The message is mrkdwn the caller has already escaped.
    """

    def __init__(self, message: str, blocks: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.blocks = blocks


@dataclass
class Reply:
    """What the user sees: ``text`` is the notification and screen-reader fallback."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def as_ack(self) -> dict[str, Any]:
        return {
            "response_type": "ephemeral",
            "text": truncate(self.text, 3000),
            "blocks": self.blocks[:MESSAGE_BLOCK_LIMIT],
        }


def plain(text: str) -> dict[str, Any]:
    """A plain_text object: labels, titles, button text. Never parsed for mentions."""
    return {"type": "plain_text", "text": text}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)},
        **extra,
    }


def context(*texts: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(t, SECTION_LIMIT)} for t in texts[:10]],
    }


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(truncate(text, 150))}


def sections(lines: list[str]) -> list[dict[str, Any]]:
    """Lines packed into as few sections as Slack's 3,000-character limit allows."""
    blocks: list[dict[str, Any]] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        line = truncate(line, SECTION_LIMIT)
        if chunk and size + len(line) + 1 > SECTION_LIMIT:
            blocks.append(section("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def refusal_reply(refusal: Refusal) -> Reply:
    return Reply(refusal.message, refusal.blocks or [section(refusal.message)])


BAND_EMOJI = {"hot": ":fire:", "warm": ":sunny:", "cold": ":snowflake:"}
STATUS_EMOJI = {"won": ":trophy:", "lost": ":x:"}
UNKNOWN_USER = "_someone unknown_"


def escape(text: str) -> str:
    """User text made inert for mrkdwn: no mentions, channel pings or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    """A ping for a Slack user id; a hook is nobody's, and anything else never becomes markup."""
    if not user_id:
        return "nobody"
    if user_id.startswith("hook:"):
        return "an integration"
    return f"<@{user_id}>" if is_user_id(user_id) else UNKNOWN_USER


def lead_label(lead: Lead, limit: int = 200) -> str:
    """``*Jane Doe* (Acme) #12``: the user's text cut to ``limit``, then escaped."""
    company = f" ({escape(truncate(lead.company, limit))})" if lead.company else ""
    return f"*{escape(truncate(lead.name, limit))}*{company} #{lead.number}"


def band(temperature: Temperature) -> str:
    return f"{BAND_EMOJI[temperature.band]} {temperature.band} ({temperature.score})"


def status_or_band(lead: Lead, temperature: Temperature) -> str:
    if lead.status != "open":
        return f"{STATUS_EMOJI[lead.status]} {lead.status}"
    return band(temperature)


def ago(moment: datetime, now: datetime) -> str:
    """ "just now", "3 hours ago", "yesterday", "12 days ago"."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    days = int(seconds // 86400)
    return "yesterday" if days == 1 else f"{days} days ago"


def last_touch(lead: Lead, now: datetime) -> str:
    """``last touch 2 days ago``; a lead's creation is not a touch: ``no touches yet (added …)``."""
    if lead.last_touch_at is None:
        return f"no touches yet (added {ago(lead.created_at, now)})"
    return f"last touch {ago(lead.last_touch_at, now)}"


def local_date(moment: datetime, *, with_time: bool = True) -> str:
    """A date Slack shows in each reader's own time zone, with a UTC fallback."""
    token = "{date_short_pretty} {time}" if with_time else "{date_short_pretty}"
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
    return f"<!date^{int(moment.timestamp())}^{token}|{fallback}>"


def snoozed(lead: Lead, *, with_time: bool = True) -> str:
    """“Snoozed until Fri 12 Dec”, the one wording wherever a snoozed lead is shown."""
    assert lead.snoozed_until is not None
    return f"Snoozed until {local_date(lead.snoozed_until, with_time=with_time)}"


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

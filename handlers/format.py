"""Text pieces for Slack messages: escaping, mentions, dates, lead labels."""

from __future__ import annotations

from datetime import datetime

from bot.domain.lead import Lead
from bot.domain.temperature import Temperature
from bot.domain.text import truncate
from handlers.payloads import is_user_id

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


def local_date(moment: datetime, *, with_time: bool = True) -> str:
    """A date Slack shows in each reader's own time zone, with a UTC fallback."""
    token = "{date_short_pretty} {time}" if with_time else "{date_short_pretty}"
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
    return f"<!date^{int(moment.timestamp())}^{token}|{fallback}>"

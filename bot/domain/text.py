"""Words for replies: text cut to fit Slack's limits, and spans of time as a rep says them."""

from __future__ import annotations

from datetime import timedelta


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def duration(delta: timedelta) -> str:
    """How long, as a rep would say it: "35 min", "5 hours", "2 days"."""
    minutes = max(0, round(delta.total_seconds() / 60))
    if minutes < 90:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{round(minutes / 60)} hours"
    return f"{round(minutes / 1440)} days"


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 lead``, ``2 leads``: the count and its noun, no ``lead(s)``."""
    return f"{count} {word if count == 1 else words or word + 's'}"

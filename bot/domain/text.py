"""Cutting text to fit: Slack's field limits and the short quotes in our replies."""

from __future__ import annotations


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 lead``, ``2 leads``: the count and its noun, no ``lead(s)``."""
    return f"{count} {word if count == 1 else words or word + 's'}"

"""Cutting text to fit: Slack's field limits and the short quotes in our replies."""

from __future__ import annotations


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"

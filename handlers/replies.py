"""Ephemeral replies to a slash command, and the refusals that become them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from handlers.format import truncate

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

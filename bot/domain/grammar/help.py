"""``/lead help [command]``, and what an unknown subcommand turns into."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.reader import Word, suggest
from bot.domain.grammar.usage import USAGE


@dataclass(frozen=True)
class Help:
    """Usage, for one command (``topic``) or all; ``unknown`` is a subcommand we don't know."""

    topic: str | None = None
    unknown: str | None = None
    suggestion: str | None = None


def parse_help(words: list[Word]) -> Help:
    if not words:
        return Help()
    topic = words[0].text.strip().lower()
    return Help(topic=topic) if topic in USAGE else unknown_help(words[0].text)


def unknown_help(typed: str) -> Help:
    """A subcommand we don't know asks for help, with the closest one we do."""
    return Help(unknown=typed, suggestion=suggest(typed.strip(), tuple(USAGE)))

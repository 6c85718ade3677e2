"""``/lead digest``: preview today's digest."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.reader import Word, no_more


@dataclass(frozen=True)
class Digest:
    """Preview today's digest."""


def parse_digest(words: list[Word]) -> Digest:
    no_more("digest", words)
    return Digest()

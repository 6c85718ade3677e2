"""``/lead history LEAD`` and ``/lead undo``: the touches logged, and taking one back."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.reader import LeadRef, Word, no_more, ref_only


@dataclass(frozen=True)
class History:
    ref: LeadRef


@dataclass(frozen=True)
class Undo:
    """Take back the caller's last touch."""


def parse_history(words: list[Word]) -> History:
    return History(ref=ref_only("history", words))


def parse_undo(words: list[Word]) -> Undo:
    no_more(
        "undo", words, "It takes back your last touch; to fix an older one, use `/lead history`."
    )
    return Undo()

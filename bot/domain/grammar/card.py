"""``/lead show LEAD``: the lead's card."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.reader import LeadRef, Word, ref_only


@dataclass(frozen=True)
class Show:
    ref: LeadRef


def parse_show(words: list[Word]) -> Show:
    return Show(ref=ref_only("show", words))

"""``/lead won``, ``/lead lost`` and ``/lead reopen``: closing a lead and opening it again."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.fields import MAX_NOTE, limited
from bot.domain.grammar.reader import LeadRef, Word, joined, need_ref, ref_only


@dataclass(frozen=True)
class Won:
    ref: LeadRef


@dataclass(frozen=True)
class Lost:
    ref: LeadRef
    reason: str = ""


@dataclass(frozen=True)
class Reopen:
    ref: LeadRef


def parse_won(words: list[Word]) -> Won:
    return Won(ref=ref_only("won", words))


def parse_lost(words: list[Word]) -> Lost:
    ref, rest = need_ref("lost", words)
    return Lost(ref=ref, reason=limited("reason", joined(rest), MAX_NOTE))


def parse_reopen(words: list[Word]) -> Reopen:
    return Reopen(ref=ref_only("reopen", words))

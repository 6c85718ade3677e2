"""``/lead snooze LEAD WHEN``: no quiet-lead reminders until then."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.fields import MAX_FIELD, limited
from bot.domain.grammar.reader import GrammarError, LeadRef, Word, joined, need_ref


@dataclass(frozen=True)
class Snooze:
    """``when`` is raw date text (or a word like ``off``) for the handler to read."""

    ref: LeadRef
    when: str


def parse_snooze(words: list[Word]) -> Snooze:
    ref, rest = need_ref("snooze", words)
    when = joined(rest)
    if not when:
        raise GrammarError(
            "Until when? Like `/lead snooze #12 in 30 days` or `/lead snooze #12 next monday`; "
            "`/lead snooze #12 off` ends a snooze."
        )
    return Snooze(ref=ref, when=limited("when", when, MAX_FIELD))

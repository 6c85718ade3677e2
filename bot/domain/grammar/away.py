"""``/lead away until WHEN``: the relay offers the rep nothing, and passes their leads on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.grammar.fields import MAX_FIELD, limited
from bot.domain.grammar.reader import GrammarError, Word, joined


@dataclass(frozen=True)
class Away:
    """``when`` is the raw day the rep is back (or ``off``) for the handler to read."""

    when: str


def parse_away(words: list[Word]) -> Away:
    when = re.sub(r"^(until|till|til)\s+", "", joined(words), flags=re.I)
    if not when:
        raise GrammarError(
            "Until when? Like `/lead away until friday` or `/lead away until 2026-01-05`; "
            "`/lead away off` when you're back."
        )
    return Away(when=limited("when", when, MAX_FIELD))

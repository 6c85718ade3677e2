"""``/lead next LEAD WHAT [due:WHEN]``: a lead's next step, done, or my list of them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.fields import MAX_FIELD, limited
from bot.domain.grammar.reader import (
    GrammarError,
    LeadRef,
    Word,
    as_option,
    joined,
    need_ref,
    one_line,
)


@dataclass(frozen=True)
class Next:
    """The lead's next step; ``due`` is raw date text, ``None`` meaning no date."""

    ref: LeadRef
    what: str
    due: str | None = None


@dataclass(frozen=True)
class NextDone:
    ref: LeadRef


@dataclass(frozen=True)
class NextList:
    """``/lead next`` alone: my next steps, overdue first."""


_DONE = frozenset({"done", "did", "finished"})
_DUE = frozenset({"due"})


def parse_next(words: list[Word]) -> Next | NextDone | NextList:
    """``due:`` takes the rest of the line, so ``due:in 2 weeks`` needs no quotes."""
    if not words:
        return NextList()
    at = next((i for i, w in enumerate(words) if as_option(w, _DUE)), None)
    due = None
    if at is not None:
        option = as_option(words[at], _DUE)
        assert option is not None
        due = " ".join([option.text, joined(words[at + 1 :])]).strip()
        if not due:
            raise GrammarError(
                "`due:` needs a day after it, like `due:friday` or `due:in 2 weeks`."
            )
        words = words[:at]
    ref, rest = need_ref("next", words)
    what = one_line(joined(rest))
    if what.lower() in _DONE and due is None:
        return NextDone(ref=ref)
    if not what:
        raise GrammarError(
            "What is the next step? Say it after the lead, like "
            "`/lead next #12 send the proposal due:friday`; `/lead next #12 done` when it is done."
        )
    return Next(
        ref=ref,
        what=limited("what", what, MAX_FIELD),
        due=limited("when", due, MAX_FIELD) if due else None,
    )

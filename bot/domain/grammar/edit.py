"""``/lead edit LEAD field:value…``: change a lead's fields."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.fields import field
from bot.domain.grammar.reader import GrammarError, LeadRef, Word, need_ref, no_more, split_options


@dataclass(frozen=True)
class Edit:
    """Changed fields in the order typed; ``''`` clears company, phone or email."""

    ref: LeadRef
    changes: dict[str, str]


_EDIT_KEYS = frozenset({"name", "company", "source", "email", "phone"})


def parse_edit(words: list[Word]) -> Edit:
    rest, options = split_options(words, _EDIT_KEYS)
    ref, rest = need_ref("edit", rest)
    no_more("edit", rest, _edit_hint(rest))
    if not options:
        raise GrammarError(
            'What should change? Give fields, like `/lead edit #12 company:"Acme Inc"`. '
            "Fields: name, company, source, email, phone."
        )
    return Edit(ref=ref, changes={key: field(option, True) for key, option in options.items()})


def _edit_hint(stray: list[Word]) -> str:
    if any(word.raw.lower().startswith("owner:") for word in stray):
        return "To give the lead to someone else, use `/lead assign #12 @maria`."
    return 'It takes fields to change, like `company:"Acme Inc"`; quote values with spaces.'

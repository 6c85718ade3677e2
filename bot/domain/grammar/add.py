"""``/lead add``: a new lead, its fields as options or as one comma-separated list."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.grammar.fields import (
    MAX_NAME,
    MISSPELLED,
    checked,
    field,
    is_email,
    known_source,
    limited,
)
from bot.domain.grammar.reader import (
    GrammarError,
    Option,
    Word,
    joined,
    one_line,
    short,
    split_options,
)


@dataclass(frozen=True)
class AddForm:
    """``/lead add`` alone: open the add-a-lead form."""


@dataclass(frozen=True)
class Add:
    """A new lead; ``None`` means not given (the handler picks the default)."""

    name: str
    company: str | None = None
    source: str | None = None
    email: str | None = None
    phone: str | None = None
    owner: str | None = None
    note: str | None = None
    by_comma: bool = False
    """The fields came comma-separated without keys: the reply shows what went where."""
    misspelled: str | None = None
    """The source as typed when it was a known misspelling (``referal``), to say so."""


_ADD_KEYS = frozenset({"company", "source", "email", "phone", "owner", "note"})


def parse_add(words: list[Word]) -> Add | AddForm:
    if not words:
        return AddForm()
    rest, options = split_options(words, _ADD_KEYS)
    name = one_line(joined(rest))
    values = {key: field(option) for key, option in options.items()}
    by_comma = "," in name and all(word.quoted_at is None for word in rest)
    listed = ""
    if by_comma:
        listed = name
        name, found = _comma_fields(name)
        for key, value in found.items():
            if key in values:
                raise GrammarError(
                    f"The {key} is given twice, as `{key}:` and in the list. Keep one."
                )
            values[key] = value
    if not name:
        raise GrammarError(
            'Who is the lead? Put the name first: `/lead add "Jane Doe" company:Acme`.'
        )
    typed = " ".join(source_typed(options, listed if by_comma else "").lower().split())
    misspelled = typed if typed in MISSPELLED else None
    return Add(
        name=limited("name", name, MAX_NAME), by_comma=by_comma, misspelled=misspelled, **values
    )


def source_typed(options: dict[str, Option], listed: str) -> str:
    """The source word as the rep typed it, from ``source:`` or from the comma list."""
    if "source" in options:
        return options["source"].text
    return next((part for part in listed.split(",") if known_source(part)), "")


_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{5,}[0-9]")


def _comma_fields(text: str) -> tuple[str, dict[str, str]]:
    """``Nate Wu, Tyrell, nate@tyrell.io, inbound``: the name first, the rest told by shape.

    An email and a phone look like one, a source is a source word (or alias); the one
    field left over is the company.
    """
    name, *parts = [part.strip() for part in text.split(",")]
    found: dict[str, str] = {}
    for part in filter(None, parts):
        if is_email(part):
            key = "email"
        elif _PHONE.fullmatch(part):
            key = "phone"
        elif known_source(part):
            key = "source"
        else:
            key = "company"
        if key in found:
            raise GrammarError(
                f"I can't tell which of “{short(found[key])}” and “{short(part)}” is the "
                f"{key}. Say it with a key: `{key}:…`."
            )
        found[key] = checked(key, part)
    return name, found

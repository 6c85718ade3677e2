"""A lead's fields, checked once for every door: the command, modals, hooks, CSV, steps.

Limits, the words that name sources and kinds (aliases and known misspellings
included), and the check of each field, raising ``GrammarError`` written for the rep.
"""

from __future__ import annotations

import re

from bot.domain.grammar.reader import (
    GrammarError,
    Option,
    Word,
    one_line,
    short,
    suggest,
    unknown,
    user,
)
from bot.domain.vocabulary import KIND_ALIASES as GROUP_KIND_ALIASES
from bot.domain.vocabulary import (
    KIND_GROUPS,
    KIND_WORDS,
    KINDS,
    SOURCE_WORDS,
    SOURCES,
    Group,
    Source,
)

SOURCE_ALIASES = {
    "customer": "client",
    "existing": "client",
    "ads": "remarketing",
    "newsletter": "remarketing",
    "outbound": "cold",
    "trade show": "event",
    "tradeshow": "event",
    "conference": "event",
    "fair": "event",
    "web": "inbound",
    "website": "inbound",
    "form": "inbound",
    "referal": "referral",
    "refferal": "referral",
}
MISSPELLED = frozenset({"referal", "refferal"})
"""Aliases that are spellings, not synonyms: accepted, and the reply says how they were read."""
KIND_ALIASES = {
    **GROUP_KIND_ALIASES,
    "quote-request": "quote",
    "signup": "trial",
    "sign-up": "trial",
    "whitepaper": "download",
    "ebook": "download",
    "mail": "email",
    "visit": "meeting",
    "phoned": "call",
    "rang": "call",
    "called": "call",
    "met": "meeting",
    "demo'd": "demo",
    "demo\u2019d": "demo",  # Slack's smart apostrophe
    "demoed": "demo",
    "mtg": "meeting",
    "downloaded": "download",
    "dl": "download",
    "emailed": "email",
    "e-mail": "email",
    "e-mailed": "email",
    "tried calling": "voicemail",
    "tried to call": "voicemail",
    "tried phoning": "voicemail",
    "left vm": "voicemail",
    "left a message": "voicemail",
    "left a voicemail": "voicemail",
    "called no answer": "voicemail",
    "rang no answer": "voicemail",
    "phoned no answer": "voicemail",
}
"""Other words reps use for a kind, up to three of them (``tried to call``)."""
MAX_KIND_WORDS = 3
SOURCE_HINTS = {source: word.hint for source, word in SOURCE_WORDS.items()}
KIND_HINTS = {kind: word.hint for kind, word in KIND_WORDS.items()}

MAX_NAME = 200
MAX_NOTE = 2000
MAX_FIELD = 200

_EMAIL = re.compile(r"[^\s@<>\"(),;:]+@(?:[^\s@<>\"(),;:.]+\.)+[^\W\d_]{2,}")

_LABELS = {
    "name": "The name",
    "company": "The company",
    "phone": "The phone",
    "email": "The email",
    "source": "The source",
    "note": "The note",
    "reason": "The reason",
    "when": "The date",
    "what": "The next step",
}


def limited(field: str, text: str, limit: int) -> str:
    """``text`` when it fits in ``limit`` characters; the refusal names the field."""
    if len(text) > limit:
        raise GrammarError(
            f"{_LABELS[field]} is too long: {len(text)} characters, and the limit is {limit}."
        )
    return text


def is_email(text: str) -> bool:
    """Loose on purpose: local@domain.tld with no spaces, enough to catch a slip."""
    return _EMAIL.fullmatch(text) is not None


def _email(text: str) -> str:
    text = limited("email", text, MAX_FIELD)
    if not is_email(text):
        raise GrammarError(
            f"“{short(text)}” doesn't look like an email address. "
            "Write it like `email:jane@acme.com`."
        )
    return text


def _source(text: str) -> str:
    word = " ".join(limited("source", text, MAX_FIELD).lower().split())
    source = known_source(word)
    if source is None:
        raise unknown(
            "source", text, suggest(word, SOURCES, SOURCE_ALIASES), None, ", ".join(SOURCES)
        )
    return source


def known_source(word: str) -> Source | None:
    """The source a word names, aliases and known misspellings included, or ``None``."""
    word = " ".join(word.lower().split())
    source = SOURCE_ALIASES.get(word, word)
    return next((known for known in SOURCES if known == source), None)


def known_kind(word: str) -> str | None:
    """The kind a word names, aliases included (``signup`` is ``trial``), or ``None``."""
    word = word.lower()
    kind = KIND_ALIASES.get(word, word)
    return kind if kind in KINDS else None


_WARMER: tuple[Group, ...] = ("effort", "engagement", "buying")
_STRENGTH: dict[str, int] = {
    kind: rank for rank, group in enumerate(_WARMER, 1) for kind in KIND_GROUPS[group]
}
"""How much hotter a kind makes a lead: ``note`` and ``declined`` not at all (0)."""


def kind_strength(kind: str) -> int:
    """0 for a note or a no, 1 for our effort, 2 for engagement, 3 for a buying signal."""
    return _STRENGTH.get(kind, 0)


def suggest_kind(word: str) -> str | None:
    """The kind a mistyped word most likely means, never hotter than a weaker reading of it."""
    return suggest(word, KINDS, KIND_ALIASES, risk=kind_strength)


def checked(key: str, text: str) -> str:
    """A lead's field as every door checks it (the command, webhooks): length, email, source.

    ``text`` is plain text, not Slack markup; raises ``GrammarError`` naming the problem.
    """
    if key in ("name", "company", "phone"):
        return limited(key, one_line(text), MAX_NAME if key == "name" else MAX_FIELD)
    if key == "email":
        return _email(text)
    if key == "source":
        return _source(text)
    return limited(key, text, MAX_NOTE if key == "note" else MAX_FIELD)


def field(option: Option, clearable: bool = False) -> str:
    """A validated option value; ``''`` only for a quoted empty value in ``edit``."""
    text = option.text
    if not text:
        return _empty(option, clearable)
    if option.key == "owner":
        return user(Word(option.raw), "owner:@maria")
    return checked(option.key, text)


_CLEARABLE = frozenset({"company", "phone", "email"})


def _empty(option: Option, clearable: bool) -> str:
    key = option.key
    if key in _CLEARABLE and clearable:
        if option.quoted:
            return ""
        raise GrammarError(f'`{key}:` needs a value after it. To clear it, write `{key}:""`.')
    if key in _CLEARABLE and option.quoted:
        raise GrammarError(
            f'`{key}:""` clears a field, and only `/lead edit` does that. Here, leave `{key}:` out.'
        )
    if clearable and option.quoted:
        raise GrammarError(
            f"A lead always has a {key}, so it can't be cleared. Give the new one, "
            f"like {EXAMPLES[key]}."
        )
    raise GrammarError(f"`{key}:` needs a value after it, like {EXAMPLES[key]}.")


EXAMPLES = {
    "name": '`name:"Jane Doe"`',
    "company": '`company:"Acme Inc"`',
    "phone": '`phone:"+1 555 0100"`',
    "email": "`email:jane@acme.com`",
    "source": "`source:referral`",
    "owner": "`owner:@maria`",
    "note": '`note:"met at the fair"`',
    "when": '`when:"yesterday 3pm"`',
    "channel": "`channel:#sales`",
    "time": "`time:09:00`",
    "tz": "`tz:Europe/Berlin`",
    "quiet": "`quiet:7`",
    "respond": "`respond:4`",
    "days": "`days:mon-fri`",
    "weekly": "`weekly:mon`",
    "reps": "`reps:@ana,@ben`",
    "relay": "`relay:15`",
    "hours": "`hours:09:00-18:00`",
    "manager": "`manager:@maria`",
    "due": "`due:friday`",
}
"""One example of each option, for refusals that say how to write it."""

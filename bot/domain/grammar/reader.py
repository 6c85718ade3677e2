"""The shared reader under every ``/lead`` parser: tokens, options, lead references, errors.

Slack sends the text with ``should_escape: true``, so its own markup (mentions, channel
links, auto-linked emails, phones and URLs) arrives as ``<...>`` while a ``&``, ``<`` or
``>`` the rep typed arrives as ``&amp;``, ``&lt;`` or ``&gt;``. Markup is therefore read
before the entities are unescaped, in one pass, so typed text can never pass as a mention.

Every mistake raises ``GrammarError`` with a message written for the rep, never a trace.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.grammar.usage import short_usage
from bot.domain.slack_user import USER_ID_PATTERN
from bot.domain.text import truncate


class GrammarError(ValueError):
    """A command the rep mistyped; the message is shown to them as it is."""


@dataclass(frozen=True)
class LeadRef:
    """A lead by number (``#12``) or by a case-insensitive fragment of its name or company."""

    number: int | None
    text: str | None


# Tokens ----------------------------------------------------------------------------------

_QUOTES = frozenset('"“”„')
_MARKUP = re.compile(r"<[^<>\n]+>")
_MARKUP_OR_ENTITY = re.compile(r"<([^<>\n]+)>|&(amp|lt|gt);")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
KEY = re.compile(r"([A-Za-z]+):")
USER = re.compile(rf"<@({USER_ID_PATTERN})(?:\|[^<>]*)?>")
_LEAD_NUMBER = re.compile(r"#([0-9]{1,18})")


@dataclass(frozen=True)
class Word:
    """One token: quotes removed, Slack markup and entities still raw.

    ``quoted_at`` is where the first quoted part began, so ``company:"A B"`` is an option
    while ``"company:A"`` (quoted from the start) is an ordinary word.
    """

    raw: str
    quoted_at: int | None = None
    quoted_to_end: bool = False
    """The word ends on a closing quote: a quoted option value stops there."""

    @property
    def text(self) -> str:
        return plain(self.raw)


@dataclass(frozen=True)
class Option:
    key: str
    raw: str
    quoted: bool

    @property
    def text(self) -> str:
        return plain(self.raw).strip()


def tokenize(text: str) -> list[Word]:
    """Split on whitespace; double quotes (straight or smart) group, Slack markup is whole."""
    words: list[Word] = []
    chars: list[str] = []
    quoted_at: int | None = None
    opened: int | None = None  # index in ``text`` of the quote still open
    started = closed = False
    i = 0
    while i < len(text):
        ch = text[i]
        markup = _MARKUP.match(text, i) if ch == "<" else None
        if markup:
            chars.append(markup.group())
            started, closed = True, False
            i = markup.end()
            continue
        if ch in _QUOTES:
            if opened is None and quoted_at is None:
                quoted_at = len("".join(chars))
            closed = opened is not None
            opened = i if opened is None else None
            started = True
        elif ch.isspace() and opened is None:
            if started:
                words.append(Word("".join(chars), quoted_at, closed))
            chars, quoted_at, started, closed = [], None, False, False
        else:
            chars.append(ch)
            started, closed = True, False
        i += 1
    if opened is not None:
        raise _unclosed(text, opened)
    if started:
        words.append(Word("".join(chars), quoted_at, closed))
    return words


def _unclosed(text: str, at: int) -> GrammarError:
    after = " ".join(plain(text[at + 1 :]).split())
    where = f" before “{short(after)}”" if after else " at the end"
    return GrammarError(
        f'A quote mark{where} is never closed. Close it, like `company:"Acme Inc"`, or take it out.'
    )


def short(text: str, limit: int = 40) -> str:
    """Typed text quoted back in a reply, cut to fit."""
    return truncate(text, limit)


def plain(raw: str) -> str:
    """What the rep typed: Slack markup made readable, ``&amp;``/``&lt;``/``&gt;`` undone."""
    return _MARKUP_OR_ENTITY.sub(_plain_match, raw)


def _plain_match(match: re.Match[str]) -> str:
    if match.group(2):
        return _ENTITIES[match.group(2)]
    return _readable(match.group(1))


def _readable(inner: str) -> str:
    """Mentions show their label, mailto/tel links their text, web links their address."""
    target, _, label = inner.partition("|")
    if target[:1] in ("@", "#", "!"):
        if not label:
            return f"<{inner}>"
        label = _unescape(label)
        sigil = target[0]
        return label if sigil == "!" or label.startswith(sigil) else sigil + label
    scheme, colon, rest = target.partition(":")
    if colon and scheme.lower() in ("mailto", "tel"):
        return _unescape(label or rest)
    return _unescape(target)


def _unescape(text: str) -> str:
    return _ENTITY.sub(lambda match: _ENTITIES[match.group(1)], text)


def one_line(text: str) -> str:
    return " ".join(text.split())


def joined(words: list[Word]) -> str:
    """The words as the rep typed them, markup made readable."""
    return " ".join(word.text for word in words).strip()


# Options ---------------------------------------------------------------------------------


def split_options(words: list[Word], keys: frozenset[str]) -> tuple[list[Word], dict[str, Option]]:
    """Options (``key:value`` with a key this command knows) apart from the other words.

    A value runs until the next option or the end of the text, so ``company:Initech LLC``
    needs no quotes; a quoted value (``note:"met via Ana"``) stops at its closing quote.
    """
    rest: list[Word] = []
    options: dict[str, Option] = {}
    open_key: str | None = None
    for word in words:
        option = as_option(word, keys)
        if option is None:
            if open_key is None:
                rest.append(word)
            else:
                grown = options[open_key]
                options[open_key] = Option(open_key, f"{grown.raw} {word.raw}", grown.quoted)
            continue
        if option.key in options:
            raise GrammarError(f"`{option.key}:` is given twice. Keep just one.")
        options[option.key] = option
        open_key = None if option.quoted and word.quoted_to_end else option.key
    return rest, options


def as_option(word: Word, keys: frozenset[str]) -> Option | None:
    """``word`` as ``key:value`` when its key is one of ``keys`` and not inside quotes."""
    match = KEY.match(word.raw)
    if not match or match.group(1).lower() not in keys:
        return None
    if word.quoted_at is not None and word.quoted_at < match.end():
        return None
    value = word.raw[match.end() :]
    return Option(match.group(1).lower(), value, word.quoted_at == match.end())


# Suggestions and refusals ----------------------------------------------------------------


def suggest(
    word: str, names: tuple[str, ...], aliases: Mapping[str, str] | None = None
) -> str | None:
    """The one name (or the name behind an alias) closest to a mistyped word, if any is close."""
    choices: dict[str, str] = {name: name for name in names} | dict(aliases or {})
    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return choices[close[0]] if close else None


def unknown(
    what: str, typed: str, guess: str | None, sub: str | None, listed: str = ""
) -> GrammarError:
    """“I don't know `qoute`. Did you mean `quote`?” and the one-line usage of ``sub``."""
    shown = f"`{short(code_safe(typed))}`"
    if guess:
        message = f"I don't know {shown}. Did you mean `{guess}`?"
    else:
        message = f"I don't know the {what} {shown}."
        message += f" {what.capitalize()}s: {listed}." if listed else ""
    return GrammarError(f"{message}\n{short_usage(sub)}" if sub else message)


def code_safe(text: str) -> str:
    return text.replace("`", "'")


def no_more(sub: str, words: list[Word], hint: str = "") -> None:
    """Refuse words a subcommand doesn't take, quoting them back."""
    if words:
        raise GrammarError(f"`/lead {sub}` doesn't take “{short(joined(words))}”. {hint}".strip())


# People ----------------------------------------------------------------------------------


def user(word: Word, example: str) -> str:
    """A Slack user id from a real mention; a typed ``@name`` can't be told apart."""
    match = USER.fullmatch(word.raw.strip())
    if match:
        return match.group(1)
    text = word.text.strip()
    if text.startswith("@"):
        raise GrammarError(
            f"I can't tell who “{short(text)}” is. Type `@` and pick the person from "
            f"Slack's list so it becomes a mention, like `{example}`."
        )
    raise GrammarError(
        f"“{short(text)}” isn't a person. Mention them, picking the name from Slack's "
        f"@-list, like `{example}`."
    )


# Lead references -------------------------------------------------------------------------


def lead_ref(word: Word) -> LeadRef:
    """``#12`` is a number; anything else (or anything quoted) is part of a name."""
    text = word.text.strip()
    if word.quoted_at is None and text.startswith("#"):
        return LeadRef(number=_lead_number(text), text=None)
    if not text:
        raise GrammarError("Which lead? Give its number, like `#12`, or part of its name.")
    return LeadRef(number=None, text=text)


def _lead_number(text: str) -> int:
    match = _LEAD_NUMBER.fullmatch(text)
    if not match or int(match.group(1)) == 0:
        raise GrammarError(
            f"“{short(text)}” isn't a lead number. Numbers look like `#12`; "
            "to find a lead by name, type part of it, like `acme`."
        )
    return int(match.group(1))


def need_ref(sub: str, words: list[Word]) -> tuple[LeadRef, list[Word]]:
    """The lead named first, and the words after it; refuses when there is none."""
    if not words:
        raise GrammarError(
            f"Which lead? Give its number or part of its name, like `/lead {sub} #12` "
            f"or `/lead {sub} acme`."
        )
    return lead_ref(words[0]), words[1:]


SEVERAL_WORDS = 'To name a lead with several words, put them in quotes: `/lead {sub} "acme corp"`.'


def ref_only(sub: str, words: list[Word]) -> LeadRef:
    """The lead, and nothing else: a subcommand that takes only a lead."""
    ref, rest = need_ref(sub, words)
    no_more(sub, rest, SEVERAL_WORDS.format(sub=sub))
    return ref

"""``/lead log LEAD KIND [note…] [when:…]``: a touch on a lead, what happened and when."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.fields import KIND_ALIASES, MAX_NOTE, field, known_kind, limited
from bot.domain.grammar.reader import (
    GrammarError,
    LeadRef,
    Word,
    code_safe,
    joined,
    need_ref,
    short,
    split_options,
    suggest,
    unknown,
)
from bot.domain.vocabulary import KINDS


@dataclass(frozen=True)
class LogForm:
    """``/lead log`` alone: open the log-a-touch form."""


@dataclass(frozen=True)
class Log:
    """A touch on a lead; ``when`` is raw date text, ``None`` meaning now."""

    ref: LeadRef
    kind: str
    note: str = ""
    when: str | None = None


_LOG_KEYS = frozenset({"when", "note"})


def parse_log(words: list[Word]) -> Log | LogForm:
    if not words:
        return LogForm()
    rest, options = split_options(words, _LOG_KEYS)
    ref, rest = need_ref("log", rest)
    if not rest:
        raise GrammarError(
            f"What happened? Add a kind after the lead, like `/lead log #12 call`. "
            f"Kinds: {', '.join(KINDS)}."
        )
    kind, rest = _log_kind(rest)
    parts = [joined(rest)]
    if "note" in options:
        parts.append(field(options["note"]))
    note = " ".join(part for part in parts if part)
    when = field(options["when"]) if "when" in options else None
    return Log(ref=ref, kind=kind, note=limited("note", note, MAX_NOTE), when=when)


def _log_kind(words: list[Word]) -> tuple[str, list[Word]]:
    """The kind first, one word or two (``no answer``), and the words after it."""
    if len(words) > 1:
        kind = known_kind(f"{words[0].text.strip()} {words[1].text.strip()}")
        if kind is not None:
            return kind, words[2:]
    kind = known_kind(words[0].text.strip())
    if kind is None:
        raise _unknown_kind(words)
    return kind, words[1:]


def _unknown_kind(words: list[Word]) -> GrammarError:
    typed = words[0].text.strip()
    if any(known_kind(word.text.strip()) for word in words[1:]):
        return GrammarError(
            f"I don't know the kind `{short(code_safe(typed))}`. If the lead's name has "
            'several words, quote it: `/lead log "acme corp" call`.'
        )
    return unknown("kind", typed, suggest(typed, KINDS, KIND_ALIASES), "log", ", ".join(KINDS))

"""Text: what comes in cleaned by one rule; words for replies cut to fit, spans of time as said."""

from __future__ import annotations

import re
from datetime import timedelta


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def duration(delta: timedelta) -> str:
    """How long, as a rep would say it: "35 min", "5 hours", "2 days"."""
    minutes = max(0, round(delta.total_seconds() / 60))
    if minutes < 90:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{round(minutes / 60)} hours"
    return f"{round(minutes / 1440)} days"


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 lead``, ``2 leads``: the count and its noun, no ``lead(s)``."""
    return f"{count} {word if count == 1 else words or word + 's'}"


# The one rule for text from outside -------------------------------------------------

_LINE_BREAKS = re.compile(r"\r\n?")
_SPACING = re.compile(r"[\x0b\x0c\x1c-\x1f]")
"""Controls that separate words (vertical tab, form feed, the four separators): a space."""
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b]")
"""The rest of C0 but tab and newline: NUL above all, which PostgreSQL refuses in text."""
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class UnreadableText(ValueError):
    """Text holding a lone surrogate: half of an emoji, or bytes that were never UTF-8.

    No engine stores it the same way (SQLite can't encode it at all), so it is refused
    with the field named; ``field`` is the name the sender knows the field by.
    """

    def __init__(self, field: str) -> None:
        super().__init__(
            f"The {field} has a broken character in it (half of an emoji, or bytes that "
            "aren't text), so nothing was saved. Type it again."
        )
        self.field = field


def clean(text: str, field: str) -> str:
    """Text a user, a payload, a hook or a CSV carries, as hotleads keeps it.

    Every door runs this once, before anything reads the text, so both engines
    store the same thing: line breaks become ``\\n``, controls that separate words
    a space, other C0 controls (NUL above all) go; tab and newline stay. A lone
    surrogate is refused: ``UnreadableText`` names ``field``.
    """
    if _SURROGATE.search(text):
        raise UnreadableText(field)
    if text.isprintable():  # the common case: nothing to take out
        return text
    return _CONTROLS.sub("", _SPACING.sub(" ", _LINE_BREAKS.sub("\n", text)))


def quotable(text: str) -> str:
    """Text from outside quoted back in a message we write (an answer, a stored error).

    Never refused, since it only describes what was sent: a lone surrogate shows as
    ``�`` and controls go, so the message can always be sent and stored.
    """
    return clean(text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "message")

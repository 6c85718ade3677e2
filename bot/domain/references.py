"""Which lead a rep means by a piece of its name: the tiers a person would try in turn.

An exact name, then an exact company, then whole words of the name or company, then
prefixes of those words, then any fragment. The first tier with exactly one open lead
wins, so ``pat`` is "Pat Kim" (a whole word) over "Mona Patel" (a fragment), and
``Initech`` is the company "Initech" over "Initech LLC". Several open leads in that
tier are a tie to show the rep. Won and lost leads count only where a command may
act on a closed lead (``show``, ``reopen``, ``history``), and only when no open lead
in the tier fits.

Every tier compares names folded (``fold``): case and accents ignored, so ``renee``
finds "Renée" and ``muller`` "Müller", as a rep types them on any keyboard.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.domain.lead import Lead

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"#\s*([0-9]{1,18})")
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@(?:[\w-]+\.)+[^\W\d_]{2,}")


def emails_in(text: str) -> list[str]:
    """Email addresses in a message, Slack's ``<mailto:…|…>`` links included, in order."""
    seen: dict[str, None] = {}
    for found in _EMAIL_IN_TEXT.findall(text):
        seen.setdefault(found.lower(), None)
    return list(seen)


_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "þ": "th",
        "Þ": "th",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "\u0131": "i",
        "\u2019": "'",
        "\u2018": "'",
    }
)
"""Letters that are not a base letter plus an accent, spelled as an English keyboard would."""


def fold(text: str) -> str:
    """``text`` as names are compared: lower case, accents off, spaces single (Renée -> renee)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def number(text: str) -> int | None:
    """The lead number in ``#12``, or ``None``."""
    match = _NUMBER.fullmatch(text.strip())
    return int(match.group(1)) if match and int(match.group(1)) else None


@dataclass(frozen=True)
class Pick:
    """The lead meant, or (``lead`` is ``None``) the leads it could be, best tier first."""

    lead: Lead | None
    matches: list[Lead]


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _exact_name(text: str, lead: Lead) -> bool:
    return fold(lead.name) == text


def _exact_company(text: str, lead: Lead) -> bool:
    return bool(lead.company) and fold(lead.company) == text


def _whole_words(text: str, lead: Lead) -> bool:
    have = set(_words(f"{lead.name} {lead.company}"))
    return bool(_words(text)) and all(word in have for word in _words(text))


def _prefixes(text: str, lead: Lead) -> bool:
    have = _words(f"{lead.name} {lead.company}")
    wanted = _words(text)
    return bool(wanted) and all(any(w.startswith(part) for w in have) for part in wanted)


def _fragment(text: str, lead: Lead) -> bool:
    return text in fold(lead.name) or text in fold(lead.company)


TIERS: tuple[Callable[[str, Lead], bool], ...] = (
    _exact_name,
    _exact_company,
    _whole_words,
    _prefixes,
    _fragment,
)


def pick(text: str, candidates: Sequence[Lead], *, closed_too: bool = False) -> Pick:
    """The one lead ``text`` means among ``candidates``, by the first tier that decides."""
    wanted = fold(text)
    usable = [lead for lead in candidates if closed_too or lead.status == "open"]
    for tier in TIERS:
        found = [lead for lead in usable if tier(wanted, lead)]
        open_ones = [lead for lead in found if lead.status == "open"]
        if len(open_ones) == 1:
            return Pick(open_ones[0], found)
        if len(open_ones) > 1:
            return Pick(None, open_ones)
        if len(found) == 1:
            return Pick(found[0], found)
        if found:
            return Pick(None, found)
    return Pick(None, [])


def ranked(text: str, candidates: Sequence[Lead]) -> list[Lead]:
    """``candidates`` best first by the same tiers: what a picker offers as the rep types."""
    wanted = fold(text)

    def tier_of(lead: Lead) -> int:
        return next((i for i, tier in enumerate(TIERS) if tier(wanted, lead)), len(TIERS))

    return sorted(candidates, key=lambda lead: (tier_of(lead), lead.status != "open"))

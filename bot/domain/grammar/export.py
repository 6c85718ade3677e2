"""``/lead export [band]``: a CSV of the leads."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.lists import BANDS
from bot.domain.grammar.reader import GrammarError, Word, no_more, short, suggest, unknown


@dataclass(frozen=True)
class Export:
    band: str = "all"


def parse_export(words: list[Word]) -> Export:
    if not words:
        return Export()
    band = words[0].text.strip().lower()
    if band not in BANDS and (guess := suggest(band, BANDS)):
        raise unknown("band", words[0].text, guess, "export")
    if band not in BANDS:
        raise GrammarError(
            f"`/lead export` takes hot, warm, cold or all, not “{short(words[0].text)}”: "
            "`/lead export hot`."
        )
    no_more("export", words[1:])
    return Export(band=band)

"""``/lead list [band] [mine|team|@someone]``: open leads, hottest first."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.reader import GrammarError, Word, short, suggest, unknown, user
from bot.domain.vocabulary import BANDS as BAND_NAMES

BANDS = (*BAND_NAMES, "all")


@dataclass(frozen=True)
class List:
    """Open leads in ``band``; ``scope`` is mine, team or user (then ``user`` is the id)."""

    band: str = "all"
    scope: str = "mine"
    user: str | None = None


def parse_list(words: list[Word]) -> List:
    band: str | None = None
    scope: str | None = None
    person: str | None = None
    for word in words:
        text = word.text.strip().lower()
        if text in BANDS and band is None:
            band = text
        elif text in ("mine", "team") and scope is None:
            scope = text
        elif _is_person(word) and scope is None:
            scope, person = "user", user(word, "/lead list hot @maria")
        elif text not in (*BANDS, "mine", "team") and (
            guess := suggest(text, (*BANDS, "mine", "team"))
        ):
            raise unknown("band", word.text, guess, "list")
        else:
            raise GrammarError(
                f"`/lead list` didn't expect “{short(word.text)}”. It takes one of "
                "hot, warm, cold, all and one of mine, team or an @mention, "
                "like `/lead list hot team`."
            )
    return List(band=band or "all", scope=scope or "mine", user=person)


def _is_person(word: Word) -> bool:
    return word.raw.startswith("<@") or word.text.startswith("@")

"""``/lead report [days:N]``: win rates of leads closed lately."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.reader import GrammarError, Word, no_more, short, split_options

MAX_REPORT_DAYS = 3650


@dataclass(frozen=True)
class Report:
    days: int = 90


def parse_report(words: list[Word]) -> Report:
    rest, options = split_options(words, frozenset({"days"}))
    no_more("report", rest, "It takes `days:`, like `/lead report days:30`.")
    if "days" not in options:
        return Report()
    text = options["days"].text
    if not text.isdigit() or not 1 <= int(text) <= MAX_REPORT_DAYS:
        raise GrammarError(
            f"`days:` is how many days back the report looks: a whole number from 1 to "
            f"{MAX_REPORT_DAYS}, like `days:90`, not “{short(text)}”."
        )
    return Report(days=int(text))

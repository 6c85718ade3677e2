"""``/lead assign LEAD @someone``: give a lead to someone else."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.reader import SEVERAL_WORDS, GrammarError, LeadRef, Word, need_ref, no_more
from bot.domain.grammar.reader import user as mentioned


@dataclass(frozen=True)
class Assign:
    ref: LeadRef
    user: str


def parse_assign(words: list[Word]) -> Assign:
    ref, rest = need_ref("assign", words)
    if not rest:
        raise GrammarError(
            "Who should get it? Mention them, picking the name from Slack's @-list: "
            "`/lead assign #12 @maria`."
        )
    user = mentioned(rest[0], "/lead assign #12 @maria")
    no_more("assign", rest[1:], SEVERAL_WORDS.format(sub="assign"))
    return Assign(ref=ref, user=user)

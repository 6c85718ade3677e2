"""The grammar of the ``/lead`` slash command: Slack's text in, a typed command out.

Everything here is pure: no Slack client, no storage, no clock. Dates stay as the raw
text the rep typed; ``bot.domain.dates`` reads them in the rep's time zone later.

``reader`` holds what every subcommand shares (tokens, options, lead references, the
refusals), ``fields`` the check of a lead's fields that modals, hooks and CSV use too,
``usage`` the help page, and one module per subcommand its type and its parser. This
module only routes the first word to its parser.

The names re-exported below keep older imports working; new code imports from the
module that defines a name (``bot.domain.grammar.fields``, ``…grammar.log``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TypeAlias, TypeVar

from bot.domain.grammar import reader
from bot.domain.grammar.add import Add, AddForm, parse_add
from bot.domain.grammar.assign import Assign, parse_assign
from bot.domain.grammar.away import Away, parse_away
from bot.domain.grammar.card import Show, parse_show
from bot.domain.grammar.close import Lost, Reopen, Won, parse_lost, parse_reopen, parse_won
from bot.domain.grammar.digest import Digest, parse_digest
from bot.domain.grammar.edit import Edit, parse_edit
from bot.domain.grammar.export import Export, parse_export
from bot.domain.grammar.fields import (
    KIND_ALIASES,
    KIND_HINTS,
    MAX_FIELD,
    MAX_NAME,
    MAX_NOTE,
    SOURCE_ALIASES,
    SOURCE_HINTS,
    checked,
    is_email,
    known_kind,
    known_source,
)
from bot.domain.grammar.help import Help, parse_help, unknown_help
from bot.domain.grammar.history import History, Undo, parse_history, parse_undo
from bot.domain.grammar.hooks import Hooks, HooksNew, HooksRevoke, parse_hooks
from bot.domain.grammar.lists import List, parse_list
from bot.domain.grammar.log import Log, LogForm, parse_log
from bot.domain.grammar.next_steps import Next, NextDone, NextList, parse_next
from bot.domain.grammar.reader import GrammarError, LeadRef, Word, suggest, tokenize, unknown
from bot.domain.grammar.report import Report, parse_report
from bot.domain.grammar.settings import Settings, parse_settings
from bot.domain.grammar.snooze import Snooze, parse_snooze
from bot.domain.grammar.usage import USAGE, short_usage
from bot.domain.vocabulary import KINDS, SOURCES

__all__ = [
    "KINDS",
    "KIND_ALIASES",
    "KIND_HINTS",
    "MAX_FIELD",
    "MAX_NAME",
    "MAX_NOTE",
    "SOURCES",
    "SOURCE_ALIASES",
    "SOURCE_HINTS",
    "USAGE",
    "Add",
    "AddForm",
    "Assign",
    "Away",
    "Command",
    "Digest",
    "Edit",
    "Export",
    "GrammarError",
    "Help",
    "History",
    "Hooks",
    "HooksNew",
    "HooksRevoke",
    "LeadRef",
    "List",
    "Log",
    "LogForm",
    "Lost",
    "Next",
    "NextDone",
    "NextList",
    "Reopen",
    "Report",
    "Settings",
    "Show",
    "Snooze",
    "Undo",
    "Won",
    "checked",
    "is_email",
    "known_kind",
    "known_source",
    "parse",
    "short_usage",
    "suggest",
    "unknown",
]

Command: TypeAlias = (
    Help
    | AddForm
    | Add
    | LogForm
    | Log
    | Show
    | List
    | Snooze
    | Away
    | Edit
    | Won
    | Lost
    | Reopen
    | History
    | Undo
    | Assign
    | Settings
    | Digest
    | Export
    | Hooks
    | HooksNew
    | HooksRevoke
    | Next
    | NextDone
    | NextList
    | Report
)

T = TypeVar("T")

PARSERS: dict[str, Callable[[list[Word]], Command]] = {
    "help": parse_help,
    "add": parse_add,
    "log": parse_log,
    "show": parse_show,
    "list": parse_list,
    "snooze": parse_snooze,
    "away": parse_away,
    "edit": parse_edit,
    "won": parse_won,
    "lost": parse_lost,
    "reopen": parse_reopen,
    "history": parse_history,
    "undo": parse_undo,
    "unlog": parse_undo,
    "assign": parse_assign,
    "settings": parse_settings,
    "digest": parse_digest,
    "export": parse_export,
    "hooks": parse_hooks,
    "next": parse_next,
    "report": parse_report,
}
"""The first word of the command text, and the parser that reads the rest."""


TAKES_A_LEAD = frozenset(
    {"log", "show", "snooze", "edit", "won", "lost", "reopen", "history", "assign", "next"}
)
"""Subcommands whose first argument is a lead: its name may run over several words."""


def name_start(text: str) -> str | None:
    """The folded first word of the lead named in ``text``, if the subcommand takes one.

    The handler looks up the open leads whose names begin with it and passes their
    names to ``parse``, which is how an unquoted ``dan murphy`` is one lead.
    """
    words = tokenize(text)
    if len(words) < 3 or words[0].text.strip().lower() not in TAKES_A_LEAD:
        return None
    return reader.name_start(words[1:])


def parse(text: str, names: Collection[str] = ()) -> Command:
    """Read the text after ``/lead``; an unknown subcommand asks for help, never fails.

    ``names``: folded full names of open leads that may be typed unquoted (see
    ``name_start``). A run of words that is one of them is the lead, unless reading it
    so fails where reading the first word alone does not (``log dan call`` when a
    "Dan Callahan" exists is still a call on Dan).
    """
    words = tokenize(text)
    first = words[0].text.strip() if words else ""
    if not first:
        return Help()
    parser = PARSERS.get(first.lower())
    if parser is None:
        return unknown_help(first)
    return with_names(parser, first, words[1:], names)


def with_names(
    parser: Callable[[list[Word]], T], sub: str, rest: list[Word], names: Collection[str]
) -> T:
    """``parser`` on the words after subcommand ``sub``, a lead's unquoted name joined first.

    The name is taken only if reading it so does not fail where the first word alone
    does not (see ``parse``).
    """
    joined = reader.join_name(rest, names) if sub.lower() in TAKES_A_LEAD and names else rest
    if joined is rest:
        return parser(rest)
    try:
        return parser(joined)
    except GrammarError as error:
        try:
            return parser(rest)
        except GrammarError:
            raise error from None

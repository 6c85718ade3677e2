"""The grammar of the ``/lead`` slash command: Slack's text in, a typed command out.

Everything here is pure: no Slack client, no storage, no clock. Dates stay as the raw
text the rep typed; ``bot.domain.dates`` reads them in the rep's time zone later.

Slack sends the text with ``should_escape: true``, so its own markup (mentions, channel
links, auto-linked emails, phones and URLs) arrives as ``<...>`` while a ``&``, ``<`` or
``>`` the rep typed arrives as ``&amp;``, ``&lt;`` or ``&gt;``. Markup is therefore read
before the entities are unescaped, in one pass, so typed text can never pass as a mention.

Every mistake raises ``GrammarError`` with a message written for the rep, never a trace.
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal, TypeAlias

from bot.domain.hooks import TYPES as HOOK_TYPES
from bot.domain.hooks import is_hook_id
from bot.domain.slack_user import USER_ID_PATTERN
from bot.domain.text import truncate
from bot.domain.vocabulary import BANDS as BAND_NAMES
from bot.domain.vocabulary import KIND_ALIASES as GROUP_KIND_ALIASES
from bot.domain.vocabulary import (
    KIND_WORDS,
    KINDS,
    SOURCE_WORDS,
    SOURCES,
    WEEKDAYS,
    Source,
    Weekday,
)
from bot.domain.working_hours import read_hours

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
}
SOURCE_HINTS = {source: word.hint for source, word in SOURCE_WORDS.items()}
KIND_HINTS = {kind: word.hint for kind, word in KIND_WORDS.items()}
BANDS = (*BAND_NAMES, "all")

MAX_NAME = 200
MAX_NOTE = 2000
MAX_FIELD = 200
MAX_QUIET = 90
MAX_RESPOND = 72
MAX_RELAY = 480
"""Hours: a buying signal unanswered for three days is far past the point."""

MAX_REPS = 50
"""People in one round robin: a small sales team, with room to spare."""

# Mrkdwn-safe (no raw <, > or &) so the help reply can show these as they are.
USAGE = {
    "add": (
        "`/lead add NAME [company:…] [source:…] [email:…] [phone:…] [owner:@someone] [note:…]`"
        " — add a lead (without `source:` it is recorded as `cold`)\n"
        '`/lead add "Omar Haddad" company:Globex source:referral note:"met via Ana"`'
    ),
    "log": (
        '`/lead log LEAD KIND [note…] [when:"…"]` — log a touch: what happened, and when\n'
        '`/lead log "acme" quote asked for 20 seats when:"yesterday 3pm"`'
    ),
    "show": ("`/lead show LEAD` — details, temperature and why, latest touches\n`/lead show #12`"),
    "list": (
        "`/lead list [hot|warm|cold|all] [mine|team|@someone]` — open leads, hottest first\n"
        "`/lead list hot team`"
    ),
    "snooze": (
        "`/lead snooze LEAD WHEN` — no quiet-lead reminders until then (`off` ends it)\n"
        "`/lead snooze #12 in 30 days`"
    ),
    "away": (
        "`/lead away until WHEN` — the relay offers you no leads and passes yours on until then"
        " (`off` when you're back)\n`/lead away until friday`"
    ),
    "edit": (
        "`/lead edit LEAD [name:…] [company:…] [source:…] [email:…] [phone:…]`"
        ' — change fields; `company:""` clears one\n'
        '`/lead edit #12 company:"Globex Corp" source:inbound`'
    ),
    "won": "`/lead won LEAD` — they bought: close the lead as won\n`/lead won #12`",
    "lost": (
        "`/lead lost LEAD [reason…]` — close the lead as lost\n"
        "`/lead lost #12 went with a competitor`"
    ),
    "reopen": "`/lead reopen LEAD` — open a won or lost lead again\n`/lead reopen #12`",
    "history": (
        "`/lead history LEAD` — every touch, newest first, to edit, delete or restore\n"
        "`/lead history #12`"
    ),
    "undo": "`/lead undo` — take back the last touch you logged (within a day)\n`/lead undo`",
    "assign": (
        "`/lead assign LEAD @someone` — give the lead to someone else\n`/lead assign #12 @maria`"
    ),
    "settings": (
        "`/lead settings [channel:#…] [time:9am] [tz:Area/City] [quiet:DAYS] [respond:HOURS] [days:…]"
        " [reps:@…,@…] [weekly:mon|off] [relay:MINUTES|off] [hours:09:00-18:00] [manager:@…]`"
        " — see or change the daily digest and reminders (admins change them)\n"
        "`/lead settings channel:#sales time:9am tz:Europe/Berlin quiet:7 days:mon-fri`"
    ),
    "digest": "`/lead digest` — preview today's digest, only you see it\n`/lead digest`",
    "export": (
        "`/lead export [hot|warm|cold|all]` — a CSV of the leads, sent to you in a DM\n"
        "`/lead export hot`"
    ),
    "help": "`/lead help [command]` — this help, or one command's\n`/lead help log`",
    "hooks": (
        "`/lead hooks [new [generic|typeform|calendly] [kind:…] [owner:@someone] | revoke ID]`"
        " — webhooks that bring leads in from forms and booking tools (admins)\n"
        "`/lead hooks new typeform kind:quote`"
    ),
    "next": (
        "`/lead next LEAD WHAT [due:WHEN]` — the lead's next step (`done` when done);"
        " `/lead next` lists yours, overdue first\n"
        "`/lead next #12 send the proposal due:friday`"
    ),
    "report": (
        "`/lead report [days:90]` — is the score right? win rates of leads closed lately,"
        " by band, source and rep, and speed to lead\n`/lead report days:30`"
    ),
}


class GrammarError(ValueError):
    """A command the rep mistyped; the message is shown to them as it is."""


@dataclass(frozen=True)
class LeadRef:
    """A lead by number (``#12``) or by a case-insensitive fragment of its name or company."""

    number: int | None
    text: str | None


@dataclass(frozen=True)
class Help:
    """Usage, for one command (``topic``) or all; ``unknown`` is a subcommand we don't know."""

    topic: str | None = None
    unknown: str | None = None
    suggestion: str | None = None


@dataclass(frozen=True)
class AddForm:
    """``/lead add`` alone: open the add-a-lead form."""


@dataclass(frozen=True)
class Add:
    """A new lead; ``None`` means not given (the handler picks the default)."""

    name: str
    company: str | None = None
    source: str | None = None
    email: str | None = None
    phone: str | None = None
    owner: str | None = None
    note: str | None = None
    by_comma: bool = False
    """The fields came comma-separated without keys: the reply shows what went where."""
    misspelled: str | None = None
    """The source as typed when it was a known misspelling (``referal``), to say so."""


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


@dataclass(frozen=True)
class Show:
    ref: LeadRef


@dataclass(frozen=True)
class List:
    """Open leads in ``band``; ``scope`` is mine, team or user (then ``user`` is the id)."""

    band: str = "all"
    scope: str = "mine"
    user: str | None = None


@dataclass(frozen=True)
class Snooze:
    """``when`` is raw date text (or a word like ``off``) for the handler to read."""

    ref: LeadRef
    when: str


@dataclass(frozen=True)
class Away:
    """``when`` is the raw day the rep is back (or ``off``) for the handler to read."""

    when: str


@dataclass(frozen=True)
class Edit:
    """Changed fields in the order typed; ``''`` clears company, phone or email."""

    ref: LeadRef
    changes: dict[str, str]


@dataclass(frozen=True)
class Won:
    ref: LeadRef


@dataclass(frozen=True)
class Lost:
    ref: LeadRef
    reason: str = ""


@dataclass(frozen=True)
class Reopen:
    ref: LeadRef


@dataclass(frozen=True)
class History:
    ref: LeadRef


@dataclass(frozen=True)
class Undo:
    """Take back the caller's last touch."""


@dataclass(frozen=True)
class Assign:
    ref: LeadRef
    user: str


@dataclass(frozen=True)
class Settings:
    """The workspace settings typed, read and checked; ``None`` leaves one as it is.

    Named and typed as ``WorkspaceSettings`` holds them, so a value goes from the
    command to storage as it is (``reps=()`` clears the round robin). None given: show.
    """

    channel_id: str | None = None
    digest_time: str | None = None
    tz: str | None = None
    quiet_days: int | None = None
    respond_hours: int | None = None
    digest_days: tuple[Weekday, ...] | None = None
    reps: tuple[str, ...] | None = None
    weekly: Weekday | Literal["off"] | None = None
    relay_minutes: int | None = None
    hours: str | None = None
    manager: str | None = None

    @property
    def changes_nothing(self) -> bool:
        return self == Settings()


@dataclass(frozen=True)
class Digest:
    """Preview today's digest."""


@dataclass(frozen=True)
class Export:
    band: str = "all"


@dataclass(frozen=True)
class Hooks:
    """List the workspace's inbound hooks."""


@dataclass(frozen=True)
class HooksNew:
    type: str = "generic"
    kind: str = ""
    """The kind of touch a delivery without ``kind`` logs; ``''``: the hooks' default."""
    owner: str = ""


@dataclass(frozen=True)
class HooksRevoke:
    hook_id: str


@dataclass(frozen=True)
class Next:
    """The lead's next step; ``due`` is raw date text, ``None`` meaning no date."""

    ref: LeadRef
    what: str
    due: str | None = None


@dataclass(frozen=True)
class NextDone:
    ref: LeadRef


@dataclass(frozen=True)
class NextList:
    """``/lead next`` alone: my next steps, overdue first."""


@dataclass(frozen=True)
class Report:
    days: int = 90


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

# Tokens ----------------------------------------------------------------------------------

_QUOTES = frozenset('"“”„')
_MARKUP = re.compile(r"<[^<>\n]+>")
_MARKUP_OR_ENTITY = re.compile(r"<([^<>\n]+)>|&(amp|lt|gt);")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_KEY = re.compile(r"([A-Za-z]+):")
_USER = re.compile(rf"<@({USER_ID_PATTERN})(?:\|[^<>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^<>]*)?>")
_LEAD_NUMBER = re.compile(r"#([0-9]{1,18})")
_QUIET = re.compile(r"[0-9]{1,3}")
_EMAIL = re.compile(r"[^\s@<>\"(),;:]+@(?:[^\s@<>\"(),;:.]+\.)+[^\W\d_]{2,}")
_TIME = re.compile(r"([01]?[0-9]|2[0-3])(?::([0-5][0-9]))?\s*(am|pm|a\.m\.|p\.m\.)?", re.I)


@dataclass(frozen=True)
class _Word:
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
        return _plain(self.raw)


@dataclass(frozen=True)
class _Option:
    key: str
    raw: str
    quoted: bool

    @property
    def text(self) -> str:
        return _plain(self.raw).strip()


def _tokenize(text: str) -> list[_Word]:
    """Split on whitespace; double quotes (straight or smart) group, Slack markup is whole."""
    words: list[_Word] = []
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
                words.append(_Word("".join(chars), quoted_at, closed))
            chars, quoted_at, started, closed = [], None, False, False
        else:
            chars.append(ch)
            started, closed = True, False
        i += 1
    if opened is not None:
        raise _unclosed(text, opened)
    if started:
        words.append(_Word("".join(chars), quoted_at, closed))
    return words


def _unclosed(text: str, at: int) -> GrammarError:
    after = " ".join(_plain(text[at + 1 :]).split())
    where = f" before “{_short(after)}”" if after else " at the end"
    return GrammarError(
        f'A quote mark{where} is never closed. Close it, like `company:"Acme Inc"`, or take it out.'
    )


def _short(text: str, limit: int = 40) -> str:
    return truncate(text, limit)


def _plain(raw: str) -> str:
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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _split(words: list[_Word], keys: frozenset[str]) -> tuple[list[_Word], dict[str, _Option]]:
    """Options (``key:value`` with a key this command knows) apart from the other words.

    A value runs until the next option or the end of the text, so ``company:Initech LLC``
    needs no quotes; a quoted value (``note:"met via Ana"``) stops at its closing quote.
    """
    rest: list[_Word] = []
    options: dict[str, _Option] = {}
    open_key: str | None = None
    for word in words:
        option = _as_option(word, keys)
        if option is None:
            if open_key is None:
                rest.append(word)
            else:
                grown = options[open_key]
                options[open_key] = _Option(open_key, f"{grown.raw} {word.raw}", grown.quoted)
            continue
        if option.key in options:
            raise GrammarError(f"`{option.key}:` is given twice. Keep just one.")
        options[option.key] = option
        open_key = None if option.quoted and word.quoted_to_end else option.key
    return rest, options


def _as_option(word: _Word, keys: frozenset[str]) -> _Option | None:
    match = _KEY.match(word.raw)
    if not match or match.group(1).lower() not in keys:
        return None
    if word.quoted_at is not None and word.quoted_at < match.end():
        return None
    value = word.raw[match.end() :]
    return _Option(match.group(1).lower(), value, word.quoted_at == match.end())


# Values ----------------------------------------------------------------------------------

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


def _limited(field: str, text: str, limit: int) -> str:
    if len(text) > limit:
        raise GrammarError(
            f"{_LABELS[field]} is too long: {len(text)} characters, and the limit is {limit}."
        )
    return text


def is_email(text: str) -> bool:
    """Loose on purpose: local@domain.tld with no spaces, enough to catch a slip."""
    return _EMAIL.fullmatch(text) is not None


def _email(text: str) -> str:
    text = _limited("email", text, MAX_FIELD)
    if not is_email(text):
        raise GrammarError(
            f"“{_short(text)}” doesn't look like an email address. "
            "Write it like `email:jane@acme.com`."
        )
    return text


def _source(text: str) -> str:
    word = " ".join(_limited("source", text, MAX_FIELD).lower().split())
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


def _kind(word: str) -> str | None:
    word = word.lower()
    kind = KIND_ALIASES.get(word, word)
    return kind if kind in KINDS else None


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
    shown = f"`{_short(_code_safe(typed))}`"
    if guess:
        message = f"I don't know {shown}. Did you mean `{guess}`?"
    else:
        message = f"I don't know the {what} {shown}."
        message += f" {what.capitalize()}s: {listed}." if listed else ""
    return GrammarError(f"{message}\n{short_usage(sub)}" if sub else message)


def short_usage(sub: str) -> str:
    """The first line of a subcommand's usage: how it is typed, without the example."""
    return USAGE[sub].split("\n")[0]


def _code_safe(text: str) -> str:
    return text.replace("`", "'")


def _user(word: _Word, example: str) -> str:
    """A Slack user id from a real mention; a typed ``@name`` can't be told apart."""
    match = _USER.fullmatch(word.raw.strip())
    if match:
        return match.group(1)
    text = word.text.strip()
    if text.startswith("@"):
        raise GrammarError(
            f"I can't tell who “{_short(text)}” is. Type `@` and pick the person from "
            f"Slack's list so it becomes a mention, like `{example}`."
        )
    raise GrammarError(
        f"“{_short(text)}” isn't a person. Mention them, picking the name from Slack's "
        f"@-list, like `{example}`."
    )


def _field(option: _Option, clearable: bool = False) -> str:
    """A validated option value; ``''`` only for a quoted empty value in ``edit``."""
    text = option.text
    if not text:
        return _empty(option, clearable)
    if option.key == "owner":
        return _user(_Word(option.raw), "owner:@maria")
    return checked(option.key, text)


def checked(key: str, text: str) -> str:
    """A lead's field as every door checks it (the command, webhooks): length, email, source.

    ``text`` is plain text, not Slack markup; raises ``GrammarError`` naming the problem.
    """
    if key in ("name", "company", "phone"):
        return _limited(key, _one_line(text), MAX_NAME if key == "name" else MAX_FIELD)
    if key == "email":
        return _email(text)
    if key == "source":
        return _source(text)
    return _limited(key, text, MAX_NOTE if key == "note" else MAX_FIELD)


def known_kind(word: str) -> str | None:
    """The kind a word names, aliases included (``signup`` is ``trial``), or ``None``."""
    return _kind(word)


_CLEARABLE = frozenset({"company", "phone", "email"})


def _empty(option: _Option, clearable: bool) -> str:
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
            f"like {_EXAMPLES[key]}."
        )
    raise GrammarError(f"`{key}:` needs a value after it, like {_EXAMPLES[key]}.")


_EXAMPLES = {
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


def _joined(words: list[_Word]) -> str:
    return " ".join(word.text for word in words).strip()


# Lead references -------------------------------------------------------------------------


def _lead_ref(word: _Word) -> LeadRef:
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
            f"“{_short(text)}” isn't a lead number. Numbers look like `#12`; "
            "to find a lead by name, type part of it, like `acme`."
        )
    return int(match.group(1))


def _need_ref(sub: str, words: list[_Word]) -> tuple[LeadRef, list[_Word]]:
    if not words:
        raise GrammarError(
            f"Which lead? Give its number or part of its name, like `/lead {sub} #12` "
            f"or `/lead {sub} acme`."
        )
    return _lead_ref(words[0]), words[1:]


def _no_more(sub: str, words: list[_Word], hint: str = "") -> None:
    if words:
        raise GrammarError(f"`/lead {sub}` doesn't take “{_short(_joined(words))}”. {hint}".strip())


_SEVERAL_WORDS = 'To name a lead with several words, put them in quotes: `/lead {sub} "acme corp"`.'


# Subcommands -----------------------------------------------------------------------------


def _parse_help(words: list[_Word]) -> Help:
    if not words:
        return Help()
    topic = words[0].text.strip().lower()
    return Help(topic=topic) if topic in USAGE else _unknown_help(words[0].text)


def _unknown_help(typed: str) -> Help:
    return Help(unknown=typed, suggestion=suggest(typed.strip(), tuple(USAGE)))


_ADD_KEYS = frozenset({"company", "source", "email", "phone", "owner", "note"})


def _parse_add(words: list[_Word]) -> Add | AddForm:
    if not words:
        return AddForm()
    rest, options = _split(words, _ADD_KEYS)
    name = _one_line(_joined(rest))
    values = {key: _field(option) for key, option in options.items()}
    by_comma = "," in name and all(word.quoted_at is None for word in rest)
    listed = ""
    if by_comma:
        listed = name
        name, found = _comma_fields(name)
        for key, value in found.items():
            if key in values:
                raise GrammarError(
                    f"The {key} is given twice, as `{key}:` and in the list. Keep one."
                )
            values[key] = value
    if not name:
        raise GrammarError(
            'Who is the lead? Put the name first: `/lead add "Jane Doe" company:Acme`.'
        )
    typed = " ".join(source_typed(options, listed if by_comma else "").lower().split())
    misspelled = typed if typed in MISSPELLED else None
    return Add(
        name=_limited("name", name, MAX_NAME), by_comma=by_comma, misspelled=misspelled, **values
    )


def source_typed(options: dict[str, _Option], listed: str) -> str:
    """The source word as the rep typed it, from ``source:`` or from the comma list."""
    if "source" in options:
        return options["source"].text
    return next((field for field in listed.split(",") if known_source(field)), "")


_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{5,}[0-9]")


def _comma_fields(text: str) -> tuple[str, dict[str, str]]:
    """``Nate Wu, Tyrell, nate@tyrell.io, inbound``: the name first, the rest told by shape.

    An email and a phone look like one, a source is a source word (or alias); the one
    field left over is the company.
    """
    name, *fields = [field.strip() for field in text.split(",")]
    found: dict[str, str] = {}
    for field in filter(None, fields):
        if is_email(field):
            key = "email"
        elif _PHONE.fullmatch(field):
            key = "phone"
        elif known_source(field):
            key = "source"
        else:
            key = "company"
        if key in found:
            raise GrammarError(
                f"I can't tell which of “{_short(found[key])}” and “{_short(field)}” is the "
                f"{key}. Say it with a key: `{key}:…`."
            )
        found[key] = checked(key, field)
    return name, found


_LOG_KEYS = frozenset({"when", "note"})


def _parse_log(words: list[_Word]) -> Log | LogForm:
    if not words:
        return LogForm()
    rest, options = _split(words, _LOG_KEYS)
    ref, rest = _need_ref("log", rest)
    if not rest:
        raise GrammarError(
            f"What happened? Add a kind after the lead, like `/lead log #12 call`. "
            f"Kinds: {', '.join(KINDS)}."
        )
    kind, rest = _log_kind(rest)
    parts = [_joined(rest)]
    if "note" in options:
        parts.append(_field(options["note"]))
    note = " ".join(part for part in parts if part)
    when = _field(options["when"]) if "when" in options else None
    return Log(ref=ref, kind=kind, note=_limited("note", note, MAX_NOTE), when=when)


def _log_kind(words: list[_Word]) -> tuple[str, list[_Word]]:
    """The kind first, one word or two (``no answer``), and the words after it."""
    if len(words) > 1:
        kind = _kind(f"{words[0].text.strip()} {words[1].text.strip()}")
        if kind is not None:
            return kind, words[2:]
    kind = _kind(words[0].text.strip())
    if kind is None:
        raise _unknown_kind(words)
    return kind, words[1:]


def _unknown_kind(words: list[_Word]) -> GrammarError:
    typed = words[0].text.strip()
    if any(_kind(word.text.strip()) for word in words[1:]):
        return GrammarError(
            f"I don't know the kind `{_short(_code_safe(typed))}`. If the lead's name has "
            'several words, quote it: `/lead log "acme corp" call`.'
        )
    return unknown("kind", typed, suggest(typed, KINDS, KIND_ALIASES), "log", ", ".join(KINDS))


def _parse_show(words: list[_Word]) -> Show:
    return Show(ref=_ref_only("show", words))


def _parse_won(words: list[_Word]) -> Won:
    return Won(ref=_ref_only("won", words))


def _parse_reopen(words: list[_Word]) -> Reopen:
    return Reopen(ref=_ref_only("reopen", words))


def _parse_history(words: list[_Word]) -> History:
    return History(ref=_ref_only("history", words))


def _parse_undo(words: list[_Word]) -> Undo:
    _no_more(
        "undo", words, "It takes back your last touch; to fix an older one, use `/lead history`."
    )
    return Undo()


def _ref_only(sub: str, words: list[_Word]) -> LeadRef:
    ref, rest = _need_ref(sub, words)
    _no_more(sub, rest, _SEVERAL_WORDS.format(sub=sub))
    return ref


def _parse_list(words: list[_Word]) -> List:
    band: str | None = None
    scope: str | None = None
    user: str | None = None
    for word in words:
        text = word.text.strip().lower()
        if text in BANDS and band is None:
            band = text
        elif text in ("mine", "team") and scope is None:
            scope = text
        elif _is_person(word) and scope is None:
            scope, user = "user", _user(word, "/lead list hot @maria")
        elif text not in (*BANDS, "mine", "team") and (
            guess := suggest(text, (*BANDS, "mine", "team"))
        ):
            raise unknown("band", word.text, guess, "list")
        else:
            raise GrammarError(
                f"`/lead list` didn't expect “{_short(word.text)}”. It takes one of "
                "hot, warm, cold, all and one of mine, team or an @mention, "
                "like `/lead list hot team`."
            )
    return List(band=band or "all", scope=scope or "mine", user=user)


def _is_person(word: _Word) -> bool:
    return word.raw.startswith("<@") or word.text.startswith("@")


def _parse_away(words: list[_Word]) -> Away:
    when = _joined(words)
    when = re.sub(r"^(until|till|til)\s+", "", when, flags=re.I)
    if not when:
        raise GrammarError(
            "Until when? Like `/lead away until friday` or `/lead away until 2026-01-05`; "
            "`/lead away off` when you're back."
        )
    return Away(when=_limited("when", when, MAX_FIELD))


def _parse_snooze(words: list[_Word]) -> Snooze:
    ref, rest = _need_ref("snooze", words)
    when = _joined(rest)
    if not when:
        raise GrammarError(
            "Until when? Like `/lead snooze #12 in 30 days` or `/lead snooze #12 next monday`; "
            "`/lead snooze #12 off` ends a snooze."
        )
    return Snooze(ref=ref, when=_limited("when", when, MAX_FIELD))


_EDIT_KEYS = frozenset({"name", "company", "source", "email", "phone"})


def _parse_edit(words: list[_Word]) -> Edit:
    rest, options = _split(words, _EDIT_KEYS)
    ref, rest = _need_ref("edit", rest)
    _no_more("edit", rest, _edit_hint(rest))
    if not options:
        raise GrammarError(
            'What should change? Give fields, like `/lead edit #12 company:"Acme Inc"`. '
            "Fields: name, company, source, email, phone."
        )
    return Edit(ref=ref, changes={key: _field(option, True) for key, option in options.items()})


def _edit_hint(stray: list[_Word]) -> str:
    if any(word.raw.lower().startswith("owner:") for word in stray):
        return "To give the lead to someone else, use `/lead assign #12 @maria`."
    return 'It takes fields to change, like `company:"Acme Inc"`; quote values with spaces.'


def _parse_lost(words: list[_Word]) -> Lost:
    ref, rest = _need_ref("lost", words)
    return Lost(ref=ref, reason=_limited("reason", _joined(rest), MAX_NOTE))


def _parse_assign(words: list[_Word]) -> Assign:
    ref, rest = _need_ref("assign", words)
    if not rest:
        raise GrammarError(
            "Who should get it? Mention them, picking the name from Slack's @-list: "
            "`/lead assign #12 @maria`."
        )
    user = _user(rest[0], "/lead assign #12 @maria")
    _no_more("assign", rest[1:], _SEVERAL_WORDS.format(sub="assign"))
    return Assign(ref=ref, user=user)


def _parse_digest(words: list[_Word]) -> Digest:
    _no_more("digest", words)
    return Digest()


def _parse_export(words: list[_Word]) -> Export:
    if not words:
        return Export()
    band = words[0].text.strip().lower()
    if band not in BANDS and (guess := suggest(band, BANDS)):
        raise unknown("band", words[0].text, guess, "export")
    if band not in BANDS:
        raise GrammarError(
            f"`/lead export` takes hot, warm, cold or all, not “{_short(words[0].text)}”: "
            "`/lead export hot`."
        )
    _no_more("export", words[1:])
    return Export(band=band)


MAX_REPORT_DAYS = 3650
_DONE = frozenset({"done", "did", "finished"})


def _parse_next(words: list[_Word]) -> Next | NextDone | NextList:
    """``due:`` takes the rest of the line, so ``due:in 2 weeks`` needs no quotes."""
    if not words:
        return NextList()
    at = next((i for i, w in enumerate(words) if _as_option(w, frozenset({"due"}))), None)
    due = None
    if at is not None:
        option = _as_option(words[at], frozenset({"due"}))
        assert option is not None
        due = " ".join([option.text, _joined(words[at + 1 :])]).strip()
        if not due:
            raise GrammarError(
                "`due:` needs a day after it, like `due:friday` or `due:in 2 weeks`."
            )
        words = words[:at]
    ref, rest = _need_ref("next", words)
    what = _one_line(_joined(rest))
    if what.lower() in _DONE and due is None:
        return NextDone(ref=ref)
    if not what:
        raise GrammarError(
            "What is the next step? Say it after the lead, like "
            "`/lead next #12 send the proposal due:friday`; `/lead next #12 done` when it is done."
        )
    return Next(
        ref=ref,
        what=_limited("what", what, MAX_FIELD),
        due=_limited("when", due, MAX_FIELD) if due else None,
    )


def _parse_report(words: list[_Word]) -> Report:
    rest, options = _split(words, frozenset({"days"}))
    _no_more("report", rest, "It takes `days:`, like `/lead report days:30`.")
    if "days" not in options:
        return Report()
    text = options["days"].text
    if not text.isdigit() or not 1 <= int(text) <= MAX_REPORT_DAYS:
        raise GrammarError(
            f"`days:` is how many days back the report looks: a whole number from 1 to "
            f"{MAX_REPORT_DAYS}, like `days:90`, not “{_short(text)}”."
        )
    return Report(days=int(text))


# Settings --------------------------------------------------------------------------------

_SETTINGS_KEYS = frozenset(
    {"channel", "time", "tz", "quiet", "respond", "days", "reps", "weekly", "relay", "hours"}
    | {"manager"}
)


def _parse_settings(words: list[_Word]) -> Settings:
    rest, options = _split(words, _SETTINGS_KEYS)
    for word in rest:
        typed = _KEY.match(word.raw)
        if typed and (guess := suggest(typed.group(1), tuple(_SETTINGS_KEYS))):
            raise unknown("setting", f"{typed.group(1)}:", f"{guess}:", "settings")
    _no_more(
        "settings",
        rest,
        "It takes `channel:`, `time:`, `tz:`, `quiet:`, `respond:`, `days:`, `reps:`, "
        "`weekly:`, `relay:`, `hours:` and `manager:`, like "
        "`/lead settings time:09:00 days:mon-fri`.",
    )
    change = Settings()
    for key, option in options.items():
        if not option.text:
            raise GrammarError(f"`{key}:` needs a value after it, like {_EXAMPLES[key]}.")
        change = _setting(change, key, option)
    return change


def _setting(change: Settings, key: str, option: _Option) -> Settings:
    """``change`` with one more ``key:value`` read into it (in the order typed: first error wins)."""
    match key:
        case "channel":
            return replace(change, channel_id=_channel(option))
        case "time":
            return replace(change, digest_time=_time(option))
        case "tz":
            return replace(change, tz=_tz(option))
        case "quiet":
            return replace(change, quiet_days=_quiet(option))
        case "respond":
            return replace(change, respond_hours=_respond(option))
        case "days":
            return replace(change, digest_days=_days(option))
        case "reps":
            return replace(change, reps=_reps(option))
        case "weekly":
            return replace(change, weekly=_weekly(option))
        case "relay":
            return replace(change, relay_minutes=_relay(option))
        case "hours":
            return replace(change, hours=_hours(option))
        case "manager":
            return replace(change, manager=_manager(option))
    raise AssertionError(f"not a setting: {key}")


def _channel(option: _Option) -> str:
    match = _CHANNEL.fullmatch(option.raw.strip())
    if not match:
        raise GrammarError(
            f"“{_short(option.text)}” isn't a channel I can post to. Type `#` and pick the "
            "channel from Slack's list so it becomes a link, like `channel:#sales`."
        )
    return match.group(1)


def _time(option: _Option) -> str:
    clock = _clock(option.text.strip())
    if clock is None:
        raise GrammarError(
            f"“{_short(option.text)}” isn't a time. Write it like `time:9am`, "
            "`time:9:30` or `time:17:30`."
        )
    return clock


def _clock(text: str, *, bare_hour: bool = False) -> str | None:
    """``9am``, ``9:30``, ``17:30`` (and ``9`` with ``bare_hour``) as ``HH:MM``."""
    match = _TIME.fullmatch(text)
    if not match:
        return None
    hour = int(match.group(1))
    half = (match.group(3) or "").replace(".", "").lower()
    if (half and not 1 <= hour <= 12) or not (half or match.group(2) or bare_hour):
        return None
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    return f"{hour:02d}:{match.group(2) or '00'}"


def _relay(option: _Option) -> int:
    """Minutes of working time before an unanswered hot lead is offered on; ``off`` is 0."""
    text = option.text.strip().lower()
    if text in ("off", "none", "no"):
        return 0
    minutes = re.fullmatch(r"([0-9]{1,3})\s*(m|min|mins|minutes)?", text)
    if not minutes or not 1 <= int(minutes.group(1)) <= MAX_RELAY:
        raise GrammarError(
            f"`relay:` is how many minutes of working time a hot lead may wait before it is "
            f"offered to the next rep: a whole number from 1 to {MAX_RELAY}, like `relay:15`, "
            f"or `relay:off`, not “{_short(option.text)}”."
        )
    return int(minutes.group(1))


def _hours(option: _Option) -> str:
    """Working hours as ``HH:MM-HH:MM``, opening before closing, from ``9-18`` or ``9am-6pm``."""
    sides = re.split(r"\s*(?:-|\u2013|to)\s*", option.text.strip().lower())
    clocks = [_clock(side, bare_hour=True) for side in sides] if len(sides) == 2 else []
    hours = "-".join(c for c in clocks if c) if all(clocks) and clocks else ""
    if not hours or read_hours(hours) is None:
        raise GrammarError(
            f"`hours:` is when your team works, opening before closing, like "
            f"`hours:09:00-18:00` or `hours:8am-5pm`, not “{_short(option.text)}”."
        )
    return hours


def _manager(option: _Option) -> str:
    """Who hears of a lead unanswered after ``respond:`` hours; ``none``: the digest channel."""
    if option.text.strip().lower() in ("none", "off"):
        return ""
    match = _USER.fullmatch(option.raw.strip())
    if not match:
        raise GrammarError(
            f"“{_short(option.text)}” isn't a person. Pick the manager from Slack's @-list, "
            "like `manager:@maria` (`manager:none` sends escalations to the digest channel)."
        )
    return match.group(1)


@functools.cache
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


# What people call a zone, and the IANA zone (with daylight saving) they nearly always mean.
_ZONE_ABBREVIATIONS = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "eastern": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "central": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "hst": "Pacific/Honolulu",
    "gmt": "Europe/London",
    "bst": "Europe/London",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "eet": "Europe/Athens",
    "ist": "Asia/Kolkata",
    "jst": "Asia/Tokyo",
    "aest": "Australia/Sydney",
}
_FIXED = frozenset({"est", "mst", "hst", "gmt"})
"""Abbreviations that are also IANA names, but fixed offsets without daylight saving."""


@functools.cache
def _cities() -> dict[str, str]:
    """``new york`` and ``sao paulo`` -> their zones: the last part of each name, as written."""
    cities: dict[str, str] = {}
    for name in sorted(_zones().values()):
        if "/" in name and not name.startswith("Etc/"):
            cities.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    return cities


def _tz(option: _Option) -> str:
    typed = " ".join(option.text.split())
    word = typed.lower()
    if word in _ZONE_ABBREVIATIONS:
        meant = _ZONE_ABBREVIATIONS[word]
        why = "has no daylight saving" if word in _FIXED else "isn't a zone name"
        raise GrammarError(f"{_short(typed)} {why}; did you mean `{meant}`? Write `tz:{meant}`.")
    zones = _zones()
    name = zones.get(word.replace(" ", "_"))
    if name is not None:
        return name
    city = _cities().get(word)
    if city is None and "/" in word:
        close = difflib.get_close_matches(word, sorted(zones), n=1)
        city = zones[close[0]] if close else None
    elif city is None:
        close = difflib.get_close_matches(word, list(_cities()), n=1)
        city = _cities()[close[0]] if close else None
    guess = f" Did you mean `{city}`?" if city else ""
    raise GrammarError(
        f"I don't know the time zone “{_short(typed)}”.{guess} "
        "Use a name like `tz:Europe/Berlin` or `tz:America/New_York`."
    )


def _quiet(option: _Option) -> int:
    text = option.text
    if not _QUIET.fullmatch(text) or not 1 <= int(text) <= MAX_QUIET:
        raise GrammarError(
            f"`quiet:` is how many days without a touch before a reminder: a whole number "
            f"from 1 to {MAX_QUIET}, like `quiet:7`, not “{_short(text)}”."
        )
    return int(text)


def _respond(option: _Option) -> int:
    text = option.text
    if not _QUIET.fullmatch(text) or not 1 <= int(text) <= MAX_RESPOND:
        raise GrammarError(
            f"`respond:` is how many hours a buying signal may wait for our answer: a whole "
            f"number from 1 to {MAX_RESPOND}, like `respond:4`, not “{_short(text)}”."
        )
    return int(text)


def _reps(option: _Option) -> tuple[str, ...]:
    """Mentions, comma-separated, as the ids the round robin stores; ``none`` clears it."""
    if option.text.lower() in ("none", "off"):
        return ()
    found: list[str] = []
    for part in option.raw.split(","):
        match = _USER.fullmatch(part.strip())
        if not match:
            raise GrammarError(
                f"“{_short(_plain(part).strip() or option.text)}” isn't a person. List the reps "
                "who take turns with new leads as mentions picked from Slack's @-list, like "
                "`reps:@ana,@ben` (`reps:none` to stop)."
            )
        if match.group(1) not in found:
            found.append(match.group(1))
    if len(found) > MAX_REPS:
        raise GrammarError(f"At most {MAX_REPS} reps take turns; name fewer.")
    return tuple(found)


_DAY_GROUPS = {
    "weekdays": "mon-fri",
    "weekday": "mon-fri",
    "weekends": "sat-sun",
    "weekend": "sat-sun",
    "everyday": "mon-sun",
    "daily": "mon-sun",
}
_DAY_SPELLINGS = (
    ("mon", "monday"),
    ("tue", "tues", "tuesday"),
    ("wed", "weds", "wednesday"),
    ("thu", "thur", "thurs", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
)
_DAY_NAMES = {name: i for i, names in enumerate(_DAY_SPELLINGS) for name in names}


def _days(option: _Option) -> tuple[Weekday, ...]:
    """Any spelling of a set of days, as the ordered list the schedule stores."""
    text = "".join(option.text.lower().split())
    text = _DAY_GROUPS.get(text, text)
    chosen: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.partition("-")
        start, end = _day(first, option), _day(last if dash else first, option)
        chosen.update((start + step) % 7 for step in range((end - start) % 7 + 1))
    return tuple(WEEKDAYS[i] for i in sorted(chosen))


def _weekly(option: _Option) -> Weekday | Literal["off"]:
    """The day of the weekly summary, in any spelling of a weekday, or ``off``."""
    text = "".join(option.text.lower().split())
    if text in ("off", "none", "no"):
        return "off"
    if text not in _DAY_NAMES:
        raise GrammarError(
            f"`weekly:` is the day the weekly summary is posted: a weekday like "
            f"`weekly:mon`, or `weekly:off` to stop it, not “{_short(option.text)}”."
        )
    return WEEKDAYS[_DAY_NAMES[text]]


def _day(name: str, option: _Option) -> int:
    if name not in _DAY_NAMES:
        raise GrammarError(
            f"I can't read the days “{_short(option.text)}”. Use a range or a list, like "
            "`days:mon-fri`, `days:mon,wed,fri` or `days:daily`."
        )
    return _DAY_NAMES[name]


def _parse_hooks(words: list[_Word]) -> Hooks | HooksNew | HooksRevoke:
    action = words[0].text.strip().lower() if words else ""
    if not action:
        return Hooks()
    if action == "revoke":
        if len(words) != 2 or not is_hook_id(words[1].text.strip()):
            raise GrammarError(
                "Say which hook to revoke by its id, as `/lead hooks` lists it: "
                "`/lead hooks revoke Xy3…`."
            )
        return HooksRevoke(hook_id=words[1].text.strip())
    if action != "new":
        raise GrammarError(
            f"`/lead hooks` takes `new` or `revoke`, not “{_short(words[0].text)}”. "
            "Try `/lead hooks new typeform kind:quote`."
        )
    rest, options = _split(words[1:], frozenset({"kind", "owner"}))
    types = [word.text.strip().lower() for word in rest]
    if len(types) > 1 or (types and types[0] not in HOOK_TYPES):
        raise GrammarError(
            f"A hook is `generic`, `typeform` or `calendly`, not “{_short(' '.join(types))}”."
        )
    kind = ""
    if "kind" in options:
        kind = _kind(options["kind"].text) or ""
        if not kind:
            raise GrammarError(
                f"“{_short(options['kind'].text)}” isn't a kind of touch. "
                "Try `kind:quote`, `kind:trial`, `kind:demo` or `kind:download`."
            )
    owner = ""
    if "owner" in options:
        owner = _user(_Word(options["owner"].raw), "owner:@maria")
    return HooksNew(type=types[0] if types else "generic", kind=kind, owner=owner)


_PARSERS: dict[str, Callable[[list[_Word]], Command]] = {
    "help": _parse_help,
    "add": _parse_add,
    "log": _parse_log,
    "show": _parse_show,
    "list": _parse_list,
    "snooze": _parse_snooze,
    "away": _parse_away,
    "edit": _parse_edit,
    "won": _parse_won,
    "lost": _parse_lost,
    "reopen": _parse_reopen,
    "history": _parse_history,
    "undo": _parse_undo,
    "unlog": _parse_undo,
    "assign": _parse_assign,
    "settings": _parse_settings,
    "digest": _parse_digest,
    "export": _parse_export,
    "hooks": _parse_hooks,
    "next": _parse_next,
    "report": _parse_report,
}


def parse(text: str) -> Command:
    """Read the text after ``/lead``; an unknown subcommand asks for help, never fails."""
    words = _tokenize(text)
    first = words[0].text.strip() if words else ""
    if not first:
        return Help()
    parser = _PARSERS.get(first.lower())
    if parser is None:
        return _unknown_help(first)
    return parser(words[1:])

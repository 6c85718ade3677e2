"""The words reps use for leads: sources, kinds of touch, bands, statuses, weekdays.

Each list is written here once. The grammar reads names and help text from it,
temperature gives each name its weight, cards and replies show the labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Source = Literal["referral", "client", "inbound", "event", "remarketing", "cold"]
Kind = Literal[
    "quote",
    "trial",
    "demo",
    "inbound",
    "call",
    "meeting",
    "email",
    "voicemail",
    "reply",
    "download",
    "webinar",
    "event",
    "referral",
    "declined",
    "note",
]
Group = Literal["buying", "engagement", "effort", "outcome"]
Band = Literal["hot", "warm", "cold"]
Status = Literal["open", "won", "lost"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

SOURCES: tuple[Source, ...] = get_args(Source)
KINDS: tuple[Kind, ...] = get_args(Kind)
GROUPS: tuple[Group, ...] = get_args(Group)
BANDS: tuple[Band, ...] = get_args(Band)
STATUSES: tuple[Status, ...] = get_args(Status)
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
"""Monday first, as ``date.weekday()`` counts."""


@dataclass(frozen=True)
class Word:
    label: str
    """How it reads as a reason on a lead card."""
    hint: str
    """How the help explains it."""


SOURCE_WORDS: dict[Source, Word] = {
    "referral": Word("Referred by someone who knows them", "introduced by someone who knows them"),
    "client": Word("Existing customer", "existing customer"),
    "inbound": Word("Came to us", "came to us: form, hotline, quote request"),
    "event": Word("Met at an event", "met at a networking event or trade show"),
    "remarketing": Word("Saw our ads, newsletter or site", "saw our ads, newsletter or site"),
    "cold": Word("Cold outreach", "we reached out first"),
}

KIND_WORDS: dict[Kind, Word] = {
    "quote": Word("Asked for a quote", "asked for a quote"),
    "trial": Word("Signed up for a trial", "signed up for a trial"),
    "demo": Word("Had a demo", "had a demo"),
    "inbound": Word("Called or wrote to us", "they called or wrote to us"),
    "call": Word("Call", "a call with them"),
    "meeting": Word("Met with us", "met in person or video"),
    "email": Word("We emailed them", "we emailed them"),
    "voicemail": Word("We called, no answer", "we called: nobody answered, or we left a message"),
    "reply": Word("Answered our outreach", "they answered our outreach"),
    "download": Word("Downloaded a white paper", "white paper, e-book"),
    "webinar": Word("Attended a webinar", "attended a webinar"),
    "event": Word("Met at an event", "met at an event"),
    "referral": Word("Referral", "referred someone or got referred again"),
    "declined": Word("Said no", "they said no / not interested"),
    "note": Word("Note", "just a note, no signal"),
}

KIND_GROUPS: dict[Group, tuple[Kind, ...]] = {
    "buying": ("quote", "trial", "demo", "inbound", "download"),
    "engagement": ("call", "meeting", "reply", "webinar", "event", "referral"),
    "effort": ("email", "voicemail"),
    "outcome": ("declined",),
}
"""The four groups of touches; ``note`` is in none: it carries no signal."""

GROUP_WORDS: dict[Group, str] = {
    "buying": "buying signals: they show they want to buy",
    "engagement": "engagement: a real two-way contact",
    "effort": "effort: we reached out, no answer yet",
    "outcome": "outcome: how it ended",
}

BUYING: frozenset[str] = frozenset(KIND_GROUPS["buying"])
TWO_WAY: frozenset[str] = frozenset(
    (*KIND_GROUPS["buying"], *KIND_GROUPS["engagement"], *KIND_GROUPS["outcome"])
)
"""Touches where they did something (asked, answered, met, said no), not only us: the
clock of a quiet lead. Our emails, voicemails and notes don't reset it."""
ANSWERS: tuple[Kind, ...] = ("call", "voicemail", "email", "meeting", "demo")
"""What counts as our answer to a buying signal (a demo answers itself)."""

KIND_ALIASES: dict[str, Kind] = {
    "vm": "voicemail",
    "no answer": "voicemail",
    "left message": "voicemail",
}
"""Other words for the kinds added with the four groups; the grammar reads them."""

"""Logging a touch, the same way from the command, the modal and the buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.domain.alerts import deserves_alert
from bot.domain.dates import DateError, Reader, spoken
from bot.domain.grammar import KIND_HINTS, MAX_NOTE, LeadRef
from bot.domain.lead import Lead, NewTouch
from bot.domain.slack_user import SlackUser
from bot.domain.temperature import KINDS, Temperature
from bot.domain.text import truncate
from handlers import relay
from handlers.blocks import Refusal, Reply, band, context, escape, lead_label, section, why
from handlers.buttons import undo_button
from handlers.context import Services
from handlers.lookup import find_lead_in
from storage import leads

JUST_NOW = timedelta(minutes=1)
FRESH_SIGNAL = timedelta(hours=1)
"""A buying signal logged within this of when it happened starts a relay; older is history
(a quote backfilled from last week is not a lead waiting now)."""
KIND_BLOCK, NOTE_BLOCK, WHEN_BLOCK = "kind", "note", "when"
"""The touch fields' blocks, the same in the Log and the Edit modal."""


@dataclass(frozen=True)
class TouchForm:
    """A modal's touch fields as read: what happened, the note, when, and what is wrong."""

    kind: str
    note: str
    when: str
    at: datetime
    assumed: Literal["noon", "now"] | None
    errors: dict[str, str]


def read_touch_form(fields: dict[str, str], person: SlackUser | None, now: datetime) -> TouchForm:
    """The Log and Edit modals' checks, once: a kind picked, a note that fits, a readable when.

    An empty *when* is now; the rest is read as the person writes dates (their zone, locale).
    """
    kind = fields.get(KIND_BLOCK, "")
    note = fields.get(NOTE_BLOCK, "").strip()
    when = fields.get(WHEN_BLOCK, "").strip()
    errors: dict[str, str] = {}
    if kind not in KIND_HINTS:
        errors[KIND_BLOCK] = "Pick what happened."
    if len(note) > MAX_NOTE:
        errors[NOTE_BLOCK] = f"Keep the note under {MAX_NOTE} characters (it has {len(note)})."
    at: datetime = now
    assumed: Literal["noon", "now"] | None = None
    if when:
        try:
            reading = Reader.of_person(person).past(when, now)
            at, assumed = reading.at, reading.assumed
        except DateError as error:
            errors[WHEN_BLOCK] = truncate(str(error), 150)
    return TouchForm(kind, note, when, at, assumed, errors)


@dataclass(frozen=True)
class Logged:
    lead: Lead
    before: Temperature
    after: Temperature
    kind: str
    at: datetime
    touch_id: int | None = None


async def log_touch(
    services: Services,
    *,
    team_id: str,
    lead: int | LeadRef,
    touch: NewTouch,
    now: datetime,
    command: str = "",
) -> Logged:
    """Store one touch on a lead picked by number (modal) or as typed (``command``).

    The lead is read once, inside the write, so concurrent touches all count;
    its temperature is scored once before and once after.
    """
    async with services.db.transaction() as conn:
        if isinstance(lead, LeadRef):
            found: Lead | None = await find_lead_in(conn, team_id, lead, command)
        else:
            found = await leads.get(conn, team_id, lead)
        if found is None:
            raise Refusal("That lead no longer exists.")
        before = found.temperature(now)
        touched, after = await leads.scored_touch(conn, found, touch, now)
        kind, at, by = touch.kind, touch.at, touch.logged_by
        if deserves_alert(kind, before.band, after.band) and now - at <= FRESH_SIGNAL:
            # No alert (whoever logged it knows); the relay waits for the answer all the same.
            await relay.start(conn, touched, kind, at, now, signal_id=None)
        mine = await leads.last_touch_by(conn, team_id, by, now)
    return Logged(touched, before, after, kind, at, mine.id if mine else None)


def _change(before: Temperature, after: Temperature) -> str:
    if before.band == after.band:
        return f"{band(after)} (was {before.score})"
    return f"{band(before)} → {band(after)}"


@dataclass(frozen=True)
class Moment:
    """How the moment of a touch was read, beyond its words: for the reply to say."""

    assumed: Literal["noon", "now"] | None = None
    """A date typed without a time: noon, or now when the date is today."""
    left: tuple[str, ...] = ()
    """Moments in the note that were not used: the reply says they stayed in the note."""


_ASSUMED = {"noon": " (no time given: noon)", "now": " (today: the time now)"}


def recorded_moment(
    at: datetime, now: datetime, tz: str | None, phrase: str | None, how: Moment | None = None
) -> str:
    """``On Mon 30 Nov, 15:00 — from “yesterday 3pm”``, or ``Just now (Tue 1 Dec, 15:46)``.

    A moment that stayed in the note is named: ``Recorded now (…); I left “this morning”
    in the note``, so a misread can't pass silently.
    """
    how = how or Moment()
    left = "; I left " + " and ".join(f"“{escape(p)}”" for p in how.left) + " in the note"
    left = left if how.left else ""
    if phrase:
        assumed = _ASSUMED[how.assumed] if how.assumed else ""
        return f"On {spoken(at, tz, now)} — from “{escape(phrase)}”{assumed}{left}"
    if now - at < JUST_NOW:
        return f"{'Recorded now' if left else 'Just now'} ({spoken(at, tz, now)}){left}"
    return f"On {spoken(at, tz, now)}{left}"


def logged_reply(
    logged: Logged,
    now: datetime,
    tz: str | None = None,
    phrase: str | None = None,
    how: Moment | None = None,
) -> Reply:
    """“Logged a demo for Acme #12: warm (40) → hot (72)”, when it was recorded, and why.

    The moment is always said, on the rep's wall clock, with the words it was read from.
    """
    lead = logged.lead
    text = (
        f":memo: Logged *{KINDS[logged.kind].label.lower()}* for {lead_label(lead)}: "
        f"{_change(logged.before, logged.after)}"
    )
    moment = recorded_moment(logged.at, now, tz, phrase, how)
    more = [context(f"{moment}. Strongest reason now: {why(logged.after, now)}")]
    if lead.status != "open":
        more.append(
            context(f"This lead is {lead.status}; `/lead reopen #{lead.number}` reopens it.")
        )
    if logged.touch_id is not None:
        more.append(undo_button(lead, logged.touch_id))
    return Reply(text, [section(text), *more])

"""Logging a touch, the same way from the command, the modal and the buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.dates import spoken
from bot.domain.lead import Lead
from bot.domain.temperature import KINDS, Temperature
from handlers.context import Services
from handlers.format import band, escape, lead_label
from handlers.lead_views import why
from handlers.replies import Refusal, Reply, context, section
from storage import leads

JUST_NOW = timedelta(minutes=1)


@dataclass(frozen=True)
class Logged:
    lead: Lead
    before: Temperature
    after: Temperature
    kind: str
    at: datetime


async def log_touch(
    services: Services,
    *,
    team_id: str,
    lead_id: int,
    kind: str,
    note: str,
    at: datetime,
    user_id: str,
    now: datetime,
    permalink: str = "",
) -> Logged:
    """Store one touch; the lead is re-read inside the write so concurrent touches all count."""
    async with services.db.transaction() as conn:
        lead = await leads.get_by_id(conn, lead_id)
        if lead is None or lead.team_id != team_id:
            raise Refusal("That lead no longer exists.")
        before = lead.temperature(now)
        lead = await leads.add_touch(
            conn, lead, kind=kind, note=note, at=at, logged_by=user_id, now=now, permalink=permalink
        )
    return Logged(lead, before, lead.temperature(now), kind, at)


def recorded_moment(at: datetime, now: datetime, tz: str | None, phrase: str | None) -> str:
    """``on Mon 30 Nov, 15:00 — from “yesterday 3pm”``, or ``just now (Tue 1 Dec, 15:46)``."""
    if phrase:
        return f"On {spoken(at, tz, now)} — from “{escape(phrase)}”"
    if now - at < JUST_NOW:
        return f"Just now ({spoken(at, tz, now)})"
    return f"On {spoken(at, tz, now)}"


def _change(before: Temperature, after: Temperature) -> str:
    if before.band == after.band:
        return f"{band(after)} (was {before.score})"
    return f"{band(before)} → {band(after)}"


def logged_reply(
    logged: Logged, now: datetime, tz: str | None = None, phrase: str | None = None
) -> Reply:
    """“Logged a demo for Acme #12: warm (40) → hot (72)”, when it was recorded, and why.

    The moment is always said, on the rep's wall clock, with the words it was read from.
    """
    lead = logged.lead
    text = (
        f":memo: Logged *{KINDS[logged.kind].label.lower()}* for {lead_label(lead)}: "
        f"{_change(logged.before, logged.after)}"
    )
    more = [
        context(
            f"{recorded_moment(logged.at, now, tz, phrase)}. Strongest reason now: "
            f"{why(logged.after, now)}"
        )
    ]
    if lead.status != "open":
        more.append(
            context(f"This lead is {lead.status}; `/lead reopen #{lead.number}` reopens it.")
        )
    return Reply(text, [section(text), *more])

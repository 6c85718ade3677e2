"""Logging a touch, the same way from the command, the modal and the buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.grammar import LeadRef
from bot.domain.lead import Lead
from bot.domain.temperature import KINDS, Temperature
from handlers.blocks import Refusal, Reply, band, context, lead_label, local_date, section, why
from handlers.context import Services
from handlers.lookup import find_lead_in
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
    lead: int | LeadRef,
    kind: str,
    note: str,
    at: datetime,
    user_id: str,
    now: datetime,
    permalink: str = "",
    command: str = "",
) -> Logged:
    """Store one touch on a lead picked by id (modal) or as typed (``command``).

    The lead is read once, inside the write, so concurrent touches all count;
    its temperature is scored once before and once after.
    """
    async with services.db.transaction() as conn:
        if isinstance(lead, LeadRef):
            found: Lead | None = await find_lead_in(conn, team_id, lead, command)
        else:
            found = await leads.get_by_id(conn, lead)
        if found is None or found.team_id != team_id:
            raise Refusal("That lead no longer exists.")
        before = found.temperature(now)
        touched, after = await leads.scored_touch(
            conn,
            found,
            kind=kind,
            note=note,
            at=at,
            logged_by=user_id,
            now=now,
            permalink=permalink,
        )
    return Logged(touched, before, after, kind, at)


def _change(before: Temperature, after: Temperature) -> str:
    if before.band == after.band:
        return f"{band(after)} (was {before.score})"
    return f"{band(before)} → {band(after)}"


def logged_reply(logged: Logged, now: datetime) -> Reply:
    """“Logged a demo for Acme #12: warm (40) → hot (72)”, and the reason behind it."""
    when = "" if now - logged.at < JUST_NOW else f" on {local_date(logged.at)}"
    lead = logged.lead
    text = (
        f":memo: Logged *{KINDS[logged.kind].label.lower()}*{when} for {lead_label(lead)}: "
        f"{_change(logged.before, logged.after)}"
    )
    more = [context(f"Strongest reason now: {why(logged.after, now)}")]
    if lead.status != "open":
        more.append(
            context(f"This lead is {lead.status}; `/lead reopen #{lead.number}` reopens it.")
        )
    return Reply(text, [section(text), *more])

"""``/lead list``: leads ranked hottest first, each with the reason it is where it is."""

from __future__ import annotations

from datetime import datetime

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.grammar.lists import parse_list
from bot.domain.lead import Lead
from bot.domain.ranking import Ranked
from bot.domain.temperature import Temperature
from handlers import subcommands
from handlers.blocks import (
    Reply,
    band,
    context,
    last_touch,
    lead_label,
    mention,
    section,
    sections,
    why,
)
from handlers.invocation import Invocation
from handlers.subcommands import Answer, Subcommand
from storage import pipeline

LIST_LIMIT = 25


def list_line(lead: Lead, temperature: Temperature, now: datetime) -> str:
    last = last_touch(lead, now)
    return (
        f"{band(temperature)} {lead_label(lead, 60)} · {mention(lead.owner)}\n"
        f"      {why(temperature, now)} · {last}"
    )


def lead_list(title: str, found: Ranked, now: datetime, empty_hint: str) -> Reply:
    if not found.shown:
        return Reply(f"{title}: none. {empty_hint}", [section(f"*{title}*: none. {empty_hint}")])
    plural = "s" if found.total != 1 else ""
    blocks = [section(f"*{title}* — {found.total} open lead{plural}")]
    blocks += sections([list_line(s.lead, s.temperature, now) for s in found.shown])
    if found.more > 0:
        blocks.append(context(f"…and {found.more} more. Narrow it: `/lead list hot mine`."))
    return Reply(f"{title}: {found.total} open leads", blocks)


async def list_leads(cmd: grammar.List, call: Invocation) -> Reply:
    owner = {"mine": call.user_id, "team": None}.get(cmd.scope, cmd.user)
    found = await pipeline.ranked(
        call.services.db.reader, call.team_id, call.now, LIST_LIMIT, band=cmd.band, owner=owner
    )
    whose = {"mine": "Your", "team": "The team's"}.get(cmd.scope, f"{mention(cmd.user or '')}'s")
    title = f"{whose} {'' if cmd.band == 'all' else cmd.band + ' '}leads"
    return lead_list(title, found, call.now, "Add one with `/lead add`.")


SUBCOMMANDS = (Subcommand("list", parse_list, (Answer.of(grammar.List, list_leads),)),)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)

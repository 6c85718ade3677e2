"""Finding the one lead a rep means by ``#12`` or a piece of its name."""

from __future__ import annotations

import json
from typing import Any

from bot.domain import grammar, references
from bot.domain.grammar import LeadRef
from bot.domain.lead import Lead
from handlers.blocks import Refusal, context, escape, lead_label, mention, plain, section
from handlers.context import Services
from storage import leads
from storage.engine import Connection

MAX_MATCHES_SHOWN = 10
CANDIDATES = 200
"""Enough to rank by tier: a name is rarely a fragment of more leads than this."""
PICK_ACTION = "lead_pick_match"
"""A match picked from an ambiguous reply; ``lead_command`` runs the command again on it."""


class NoSuchLead(Refusal):
    """Nothing matches ``ref``: no lead has that number, or that name."""

    def __init__(self, message: str, ref: LeadRef):
        super().__init__(message)
        self.ref = ref


class Ambiguous(Refusal):
    """``text`` fits several open leads equally well: ``matches``, best first."""

    def __init__(self, message: str, blocks: list[dict[str, Any]], text: str, matches: list[Lead]):
        super().__init__(message, blocks)
        self.text, self.matches = text, matches


class OnlyClosed(Refusal):
    """``text`` fits only ``lead``, which is won or lost, where only an open lead will do."""

    def __init__(self, message: str, lead: Lead):
        super().__init__(message)
        self.lead = lead


async def names_typed(services: Services, team_id: str, text: str) -> list[str]:
    """Names of open leads the command text may name unquoted, for ``grammar.parse``."""
    start = grammar.name_start(text)
    return await leads.names_starting(services.db.reader, team_id, start) if start else []


async def find_lead(
    services: Services, team_id: str, ref: LeadRef, command: str = "", *, closed_too: bool = False
) -> Lead:
    """The lead meant, or a Refusal listing the candidates (nothing is changed).

    ``closed_too``: won and lost leads count too (``show``, ``reopen``, ``history``).
    """
    return await find_lead_in(services.db.reader, team_id, ref, command, closed_too=closed_too)


async def find_lead_in(
    conn: Connection, team_id: str, ref: LeadRef, command: str = "", *, closed_too: bool = False
) -> Lead:
    """``find_lead`` on ``conn``: inside a write, the lead found is the lead changed."""
    if ref.number is not None:
        lead = await leads.get(conn, team_id, ref.number)
        if lead is None:
            raise NoSuchLead(
                f"There is no lead #{ref.number}. `/lead list team` shows them all.", ref
            )
        return lead
    text = ref.text or ""
    candidates = await leads.search(conn, team_id, text, limit=CANDIDATES)
    picked = references.pick(text, candidates, closed_too=closed_too)
    if picked.lead is not None:
        return picked.lead
    if picked.matches:
        raise ambiguous(text, picked.matches, command)
    closed = references.pick(text, candidates, closed_too=True)
    if closed.matches:
        first = closed.matches[0]
        raise OnlyClosed(
            f"“{escape(text)}” is only {lead_label(first)}, which is {first.status}. "
            f"`/lead reopen #{first.number}` opens it again.",
            first,
        )
    raise NoSuchLead(
        f"No lead matches “{escape(text)}”. `/lead list all team` shows them all, "
        "`/lead add` creates one.",
        ref,
    )


def ambiguous(text: str, matches: list[Lead], command: str) -> Ambiguous:
    """Nothing done; each match listed, with a button that finishes ``command`` on it."""
    message = (
        f"“{escape(text)}” matches more than one lead, so I did nothing. "
        f"Pick one, or say which by number, e.g. `#{matches[0].number}`:"
    )
    blocks = [section(message)]
    for match in matches[:MAX_MATCHES_SHOWN]:
        closed = "" if match.status == "open" else f" · {match.status}"
        line = section(f"{lead_label(match, 80)} · {mention(match.owner)}{closed}")
        button = pick_button(match, command) if command else None
        if button:
            line["accessory"] = button
        blocks.append(line)
    if len(matches) > MAX_MATCHES_SHOWN:
        blocks.append(context("…and more: type more of the name."))
    return Ambiguous(message, blocks, text, matches)


def pick_button(lead: Lead, command: str) -> dict[str, Any] | None:
    """A button that finishes an ambiguous command on this lead; None if it can't fit."""
    value = json.dumps({"lead": lead.number, "command": command})
    if len(value) > 2000:
        return None
    return {
        "type": "button",
        "action_id": PICK_ACTION,
        "text": plain(f"#{lead.number}"),
        "value": value,
    }

"""``/lead edit #12 email:jane@acme.com``: change a lead's fields, never into a duplicate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.grammar.edit import parse_edit
from bot.domain.lead import Lead
from handlers import subcommands
from handlers.blocks import Refusal, Reply, band, escape, lead_label, section
from handlers.invocation import Invocation
from handlers.lookup import find_lead
from handlers.subcommands import Answer, Subcommand
from storage import leads

if TYPE_CHECKING:
    from storage.engine import Connection


async def edit(cmd: grammar.Edit, call: Invocation) -> Reply:
    lead = await find_lead(call.services, call.team_id, cmd.ref, call.text)
    async with call.services.db.transaction() as conn:
        fresh = await leads.get(conn, call.team_id, lead.number)
        assert fresh is not None
        await _refuse_duplicate(conn, fresh, cmd.changes)
        updated = await leads.update(conn, fresh, cmd.changes, call.now)
    call.changed(updated)
    changed = ", ".join(
        f"{field} → “{escape(value) or '—'}”" for field, value in cmd.changes.items()
    )
    text = f":pencil2: Updated {lead_label(updated)}: {changed}. Now {band(updated.temperature(call.now))}."
    return Reply(text, [section(text)])


async def _refuse_duplicate(conn: Connection, lead: Lead, changes: dict[str, str]) -> None:
    name = changes.get("name", lead.name)
    company = changes.get("company", lead.company)
    email = changes.get("email", lead.email)
    other = await leads.find_duplicate(conn, lead.team_id, name, company, email)
    if other and other.id != lead.id:
        raise Refusal(
            f"That would make it a duplicate of {lead_label(other)}, so I changed nothing."
        )


SUBCOMMANDS = (Subcommand("edit", parse_edit, (Answer.of(grammar.Edit, edit),)),)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)

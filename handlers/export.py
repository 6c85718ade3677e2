"""``/lead export``: the team's leads as CSV, uploaded into the caller's DM with the app."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.grammar.export import parse_export
from bot.domain.lead_csv import write_leads
from bot.domain.text import plural
from handlers import subcommands
from handlers.blocks import Reply
from handlers.invocation import Invocation
from handlers.subcommands import Answer, Subcommand
from storage import leads, pipeline, snapshot
from storage.engine import Address


def _csv(where: Address, team_id: str, now: datetime, band: str) -> tuple[str, int]:
    out = io.StringIO()
    written = write_leads(snapshot.leads_of(where, team_id), now, out, band)
    return out.getvalue(), written


async def export(cmd: grammar.Export, call: Invocation) -> Reply | None:
    reader = call.services.db.reader
    if cmd.band == "all":
        what, expected = "lead", await leads.count(reader, call.team_id)
    else:
        what = f"open {cmd.band} lead"
        expected = (await pipeline.band_counts(reader, call.team_id, call.now))[cmd.band]
    await call.ack(
        response_type="ephemeral",
        text=f":outbox_tray: Exporting {plural(expected, what)}; the CSV will be in your DM with me.",
    )
    # Reading every lead and uploading are slow: after the ack, the reading in a thread.
    content, written = await asyncio.to_thread(
        _csv, call.services.db.address, call.team_id, call.now, cmd.band
    )
    opened = await call.client.conversations_open(users=call.user_id)
    stamp = call.now.strftime("%Y-%m-%d")
    await call.client.files_upload_v2(
        channel=opened["channel"]["id"],
        content=content,
        filename=f"hotleads-{cmd.band}-{stamp}.csv",
        title=f"hotleads export ({what}s, {stamp})",
        initial_comment=f"Here {'is' if written == 1 else 'are'} {plural(written, what)}, "
        f"as of {stamp} (UTC).",
    )
    return None


SUBCOMMANDS = (Subcommand("export", parse_export, (Answer.of(grammar.Export, export),)),)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)

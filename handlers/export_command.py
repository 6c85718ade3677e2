"""``/lead export``: the team's leads as CSV, uploaded into the caller's DM with the app."""

from __future__ import annotations

import io

from bot import grammar
from bot.lead_csv import export_row, write_csv
from handlers.replies import Reply
from handlers.subcommands import Invocation, subcommand
from storage import leads


def csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    write_csv(rows, out)
    return out.getvalue()


@subcommand(grammar.Export)
async def export(cmd: grammar.Export, call: Invocation) -> Reply | None:
    everyone = await leads.all_leads(call.services.db.reader, call.team_id)
    rows = [
        export_row(lead, call.now)
        for lead in everyone
        if cmd.band == "all"
        or (lead.status == "open" and lead.temperature(call.now).band == cmd.band)
    ]
    what = "all leads" if cmd.band == "all" else f"open {cmd.band} leads"
    await call.ack(
        response_type="ephemeral",
        text=f":outbox_tray: Exporting {len(rows)} {what}; the CSV will be in your DM with me.",
    )
    # Uploading is slow Web API work: it happens after the ack.
    opened = await call.client.conversations_open(users=call.user_id)
    stamp = call.now.strftime("%Y-%m-%d")
    await call.client.files_upload_v2(
        channel=opened["channel"]["id"],
        content=csv_text(rows),
        filename=f"hotleads-{cmd.band}-{stamp}.csv",
        title=f"hotleads export ({what}, {stamp})",
        initial_comment=f"Here are {len(rows)} {what}, as of {stamp} (UTC).",
    )
    return None

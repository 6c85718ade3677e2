"""``/lead report [days:90]``: is the score right? The CLI's report, only for the caller.

The words come from ``bot.domain.report``, as ``python -m bot report`` prints them;
here reps show as mentions, so Slack writes their names. Its pictures (the weekly
one, and the win rates by band) follow in the caller's DM (``handlers.weekly``).
"""

from __future__ import annotations

from datetime import timedelta

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.grammar.report import parse_report
from bot.domain.report import report as report_text
from bot.domain.report import speed_lines
from bot.domain.working_hours import WorkingHours
from handlers import subcommands, weekly
from handlers.blocks import Reply, context, mention, sections
from handlers.invocation import Invocation
from handlers.subcommands import Answer, Subcommand
from storage import deliveries
from storage import report as report_rows


async def report(cmd: grammar.Report, call: Invocation) -> None:
    reader, since = call.services.db.reader, call.now - timedelta(days=cmd.days)
    closed = await report_rows.closed_since(reader, [call.team_id], since)
    answers = await report_rows.answers_since(reader, [call.team_id], since)
    settings = await deliveries.get_settings(reader, call.team_id)
    hours = WorkingHours.of(settings.hours, settings.digest_days, settings.tz)
    speeds = speed_lines(
        await report_rows.answered_since(reader, [call.team_id], since),
        await report_rows.passed_on_since(reader, [call.team_id], since),
        lambda _: hours,
        name_of=mention,
    )
    text = report_text(closed, answers, cmd.days, name_of=mention, speeds=speeds)
    lines = text.split("\n")
    blocks = [
        *sections(lines),
        context(
            "Only you see this; its pictures are in your DM with me. "
            "`/lead report days:30` looks back 30 days."
        ),
    ]
    await call.ack(**Reply(lines[0], blocks).as_ack())
    # Drawing and uploading take a second: after the ack.
    await weekly.send_report_pictures(call, closed, cmd.days)


SUBCOMMANDS = (Subcommand("report", parse_report, (Answer.of(grammar.Report, report),)),)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)

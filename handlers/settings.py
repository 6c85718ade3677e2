"""``/lead settings``: see the digest schedule; admins change it."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.dates import zone
from bot.domain.grammar.settings import parse_settings
from bot.domain.schedule import WorkspaceSettings
from bot.domain.vocabulary import Weekday
from bot.domain.weekly import DAY_NAMES
from handlers import people, subcommands
from handlers.blocks import Reply, context, local_date, mention, section
from handlers.invocation import Invocation
from handlers.notifications import away_line
from handlers.send_once import explain
from handlers.subcommands import Answer, Subcommand
from handlers.weekly import last_weekly_line
from storage import deliveries, notifications

T = TypeVar("T")


def _days(days: tuple[Weekday, ...]) -> str:
    return ", ".join(days) if days else "no days"


def _relay_line(settings: WorkspaceSettings) -> str:
    """The relay as a rep would explain it, and how to change it."""
    hours = f"{settings.hours} ({settings.tz}) on {_days(settings.digest_days)}"
    escalate = mention(settings.manager) if settings.manager else "the digest channel"
    if not settings.relay_minutes:
        return (
            f"off — a hot lead nobody answers is not passed on (`relay:15` starts it); "
            f"working hours {hours}"
        )
    return (
        f"a hot lead unanswered for {settings.relay_minutes} min of working time "
        f"({hours}) is offered to the next rep; after {settings.respond_hours} working hours, "
        f"{escalate} hears of it (`relay:off`, `hours:`, `manager:@…` change it)"
    )


async def _last_digest_line(call: Invocation, settings: WorkspaceSettings) -> str:
    last = await deliveries.latest(call.services.db.reader, call.team_id, "digest")
    if last is None:
        return "No digest sent yet."
    if last.status == "sent" and last.sent_at:
        return f"Last digest: sent {local_date(last.sent_at)} to <#{last.recipient}>."
    if last.status == "refused":
        return f":warning: Last digest ({last.local_date}) was refused by Slack: {explain(last.error)}."
    if last.status == "failed":
        return f":warning: Last digest ({last.local_date}) failed ({explain(last.error)}); it will be retried."
    return f"Digest for {last.local_date} is being sent."


async def settings_reply(call: Invocation, settings: WorkspaceSettings, changed: str = "") -> Reply:
    channel = (
        f"<#{settings.channel_id}>"
        if settings.channel_id
        else "not set — choose one: `/lead settings channel:#sales`"
    )
    reader = call.services.db.reader
    today = call.now.astimezone(zone(settings.tz)).date()
    lines = [
        f"*Digest channel:* {channel}",
        f"*Sent at:* {settings.digest_time} ({settings.tz}) on {_days(settings.digest_days)}",
        f"*Quiet after:* {settings.quiet_days} days without a touch "
        "(each rep gets reminders at the same hour in their own time zone)",
        f"*Answer buying signals within:* {settings.respond_hours} hours "
        "(after that the lead is waiting, first in its owner's daily message)",
        "*Weekly summary:* "
        + (
            f"{DAY_NAMES[settings.weekly]}s at {settings.digest_time}, a picture of the "
            "last 8 weeks in the digest channel (`weekly:off` stops it)"
            if settings.weekly != "off"
            else "off — `weekly:mon` posts a picture of the pipeline on Mondays"
        ),
        "*Relay:* " + _relay_line(settings),
        f"*Away:* {away_line(await notifications.of_team(reader, call.team_id), today)}",
        "*Reps for new leads with no owner:* "
        + (
            ", ".join(mention(rep) for rep in settings.reps) + " (taking turns)"
            if settings.reps
            else "none — leads from hooks with no owner go to the digest channel to be claimed"
        ),
    ]
    title = changed or "*hotleads settings* for this workspace"
    blocks = [
        section(title),
        section("\n".join(lines)),
        context(await _last_digest_line(call, settings)),
        context(
            last_weekly_line(
                await deliveries.latest(call.services.db.reader, call.team_id, "weekly"), explain
            )
        ),
    ]
    if not changed:
        blocks.append(
            context(
                "Admins change them: `/lead settings channel:#sales time:09:00 "
                "tz:Europe/Berlin quiet:7 days:mon-fri`"
            )
        )
    return Reply(title, blocks)


async def settings(cmd: grammar.Settings, call: Invocation) -> Reply | None:
    current = await deliveries.get_settings(call.services.db.reader, call.team_id)
    if cmd.changes_nothing:
        return await settings_reply(call, current)
    # Changing settings needs a fresh answer from Slack on who is an admin: after the ack.
    await call.ack(response_type="ephemeral", text="Checking your permissions…")
    reply = await _change(cmd, call)
    await call.respond(
        response_type="ephemeral", replace_original=True, text=reply.text, blocks=reply.blocks
    )
    return None


async def _change(cmd: grammar.Settings, call: Invocation) -> Reply:
    allowed = await people.is_admin(
        call.client, call.services, call.team_id, call.user_id, call.known
    )
    if allowed is None:
        return Reply(people.NOT_CONFIRMED, [section(people.NOT_CONFIRMED)])
    if not allowed:
        text = (
            ":lock: Only workspace admins and owners (or people listed in HOTLEADS_ADMINS) "
            "can change settings, so nothing changed. `/lead settings` shows them."
        )
        return Reply(text, [section(text)])
    async with call.services.db.transaction() as conn:
        current = await deliveries.get_settings(conn, call.team_id)
        updated = _apply(current, cmd)
        await deliveries.save_settings(conn, updated, call.user_id, call.now)
    changed = f":white_check_mark: Settings changed by {mention(call.user_id)}."
    if cmd.channel_id is not None:
        changed += (
            f" Invite the app to <#{updated.channel_id}> if it isn't there: `/invite @hotleads`."
        )
    return await settings_reply(call, updated, changed)


def _apply(current: WorkspaceSettings, change: grammar.Settings) -> WorkspaceSettings:
    return replace(
        current,
        channel_id=_given(change.channel_id, current.channel_id),
        digest_time=_given(change.digest_time, current.digest_time),
        tz=_given(change.tz, current.tz),
        quiet_days=_given(change.quiet_days, current.quiet_days),
        respond_hours=_given(change.respond_hours, current.respond_hours),
        digest_days=_given(change.digest_days, current.digest_days),
        reps=_given(change.reps, current.reps),
        weekly=_given(change.weekly, current.weekly),
        relay_minutes=_given(change.relay_minutes, current.relay_minutes),
        hours=_given(change.hours, current.hours),
        manager=_given(change.manager, current.manager),
    )


def _given(new: T | None, old: T) -> T:
    """The value typed, or the one kept when the setting wasn't given (``()`` is given)."""
    return old if new is None else new


SUBCOMMANDS = (Subcommand("settings", parse_settings, (Answer.of(grammar.Settings, settings),)),)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)

"""The ``/lead`` slash command: parse, answer from the database, ack with the reply.

Each feature adds the subcommands it serves to the app's table (``handlers.subcommands``);
this module reads the command, routes it by the parsed type and knows no feature.
Only local database work happens before ``ack``; anything that talks to Slack
(refreshing the caller's time zone, opening modals, uploads) comes after.
"""

from __future__ import annotations

from dataclasses import is_dataclass, replace

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import grammar
from bot.domain.dates import DateError
from bot.domain.grammar.help import parse_help
from bot.domain.text import truncate
from bot.domain.vocabulary import GROUP_WORDS, KIND_GROUPS
from handlers import door, payloads, people, subcommands, surfaces
from handlers.blocks import (
    Refusal,
    Reply,
    context,
    divider,
    escape,
    refusal_reply,
    section,
    sections,
)
from handlers.context import Services
from handlers.door import Tools
from handlers.invocation import Invocation
from handlers.lookup import PICK_ACTION
from handlers.subcommands import Answer, Subcommand, Subcommands

COMMAND = "/lead"


def help_reply(
    unknown: str | None = None, topic: str | None = None, suggestion: str | None = None
) -> Reply:
    """All of the help, one command's, or for a mistyped subcommand one suggestion only."""
    if unknown:
        return _unknown_reply(unknown, suggestion)
    intro = "*/lead* keeps your leads and tells you which are hot, and why."
    usage = [grammar.USAGE[topic]] if topic in grammar.USAGE else list(grammar.USAGE.values())
    blocks = [section(intro), *sections(usage), divider()]
    blocks += sections(
        ["*Sources* (where the lead came from)"]
        + [f"• `{name}` — {hint}" for name, hint in grammar.SOURCE_HINTS.items()]
    )
    kinds = ["*Kinds of touch*, in four groups"]
    for group, members in KIND_GROUPS.items():
        kinds.append(f"_{GROUP_WORDS[group]}_")
        kinds += [f"• `{name}` — {grammar.KIND_HINTS[name]}" for name in members]
    kinds.append(f"• `note` — {grammar.KIND_HINTS['note']}")
    blocks += sections(kinds)
    return Reply(intro, blocks)


def _unknown_reply(unknown: str, suggestion: str | None) -> Reply:
    typed = escape(truncate(unknown, 50)).replace("`", "'")
    if suggestion:
        text = f"I don't know `{typed}`. Did you mean `{suggestion}`?"
        return Reply(text, [section(text), context(grammar.short_usage(suggestion))])
    text = f"I don't know `{typed}`. `/lead help` shows what `/lead` does."
    names = ", ".join(f"`{name}`" for name in grammar.USAGE)
    return Reply(text, [section(text), context(f"Commands: {names}")])


async def show_help(cmd: grammar.Help, call: Invocation) -> Reply:
    return help_reply(unknown=cmd.unknown, topic=cmd.topic, suggestion=cmd.suggestion)


async def on_lead(table: Subcommands, command: payloads.Command, tools: Tools) -> None:
    services, client = tools.services, tools.client
    team_id, user_id = command.team_id, command.user_id
    call = await invocation(
        services,
        client,
        tools.ack,
        tools.respond,  # type: ignore[arg-type]
        team_id=team_id,
        user_id=user_id,
        channel_id=command.channel_id,
        trigger_id=command.trigger_id,
        text=command.text,
    )
    now = call.now
    reply = await answer(table, call)
    if reply is not None:
        await tools.ack(**reply.as_ack())
    known = await people.refresh_if_stale(client, services, team_id, user_id, now, call.known)
    await surfaces.after_command(client, services, team_id, user_id, call.changes, known)


async def on_pick(table: Subcommands, click: payloads.PickClick, tools: Tools) -> None:
    """A match picked from an ambiguous reply: run the original command on it."""
    services, clicker = tools.services, click.clicker
    call = await invocation(
        services,
        tools.client,
        tools.ack,
        tools.respond,  # type: ignore[arg-type]
        team_id=clicker.team_id,
        user_id=clicker.user_id,
        channel_id=clicker.channel_id,
        trigger_id=clicker.trigger_id,
        text=click.pick.command,
    )
    reply = await answer(table, call, picked=click.pick.lead)
    if reply is not None and tools.respond is not None:
        await tools.respond(replace_original=True, text=reply.text, blocks=reply.blocks)
    await surfaces.after_command(
        tools.client, services, clicker.team_id, clicker.user_id, call.changes, call.known
    )


async def invocation(
    services: Services,
    client: AsyncWebClient,
    ack: AsyncAck,
    respond: AsyncRespond,
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    trigger_id: str,
    text: str,
) -> Invocation:
    """One call of ``/lead``, typed or re-run from a button, at the clock's now."""
    known = await people.cached(services, team_id, user_id)
    return Invocation(
        services=services,
        client=client,
        ack=ack,
        respond=respond,
        team_id=team_id,
        user_id=user_id,
        channel_id=channel_id,
        trigger_id=trigger_id,
        now=services.clock.now(),
        known=known,
        text=text,
    )


async def answer(table: Subcommands, call: Invocation, picked: int | None = None) -> Reply | None:
    """The reply to ``call.text``, or ``None`` when the subcommand acked by itself.

    ``picked`` is a lead number chosen from an ambiguous reply's buttons: the
    command runs again on that lead.
    """
    try:
        parsed = table.parse(call.text)
        if picked is not None and isinstance(getattr(parsed, "ref", None), grammar.LeadRef):
            assert is_dataclass(parsed) and not isinstance(parsed, type)
            parsed = replace(parsed, ref=grammar.LeadRef(number=picked, text=None))
        return await table.handler(parsed)(parsed, call)
    except (grammar.GrammarError, DateError) as error:
        message = f":warning: {escape(str(error))}"
        return Reply(message, [section(message)])
    except Refusal as refusal:
        return refusal_reply(refusal)


def register(app: AsyncApp) -> None:
    """``/lead`` and its pick-a-match buttons, over the app's table; help is served here."""
    table = subcommands.of(app)
    table.add(Subcommand("help", parse_help, (Answer.of(grammar.Help, show_help),)))

    @door.command(payloads.command)
    async def on_lead_command(command: payloads.Command, tools: Tools) -> None:
        await on_lead(table, command, tools)

    @door.action(payloads.pick_click)
    async def on_pick_click(click: payloads.PickClick, tools: Tools) -> None:
        await on_pick(table, click, tools)

    app.command(COMMAND)(on_lead_command)
    app.action(PICK_ACTION)(on_pick_click)

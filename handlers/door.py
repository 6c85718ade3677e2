"""The one rule for every listener: read the payload at the door, ack first, then work.

A payload that fails ``handlers.payloads`` changes nothing and gets a short
"out of date" answer; typed text the text rule refuses is told why, on its
field in a modal. An exception after the ack is logged once, with its
traceback, and answered where the user is waiting; it never reaches Bolt, which
would reset the ack and leave Slack to show an error after three seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.text import truncate
from handlers import payloads
from handlers.context import Services
from handlers.payloads import BadText, Invalid, Where
from storage.db import storage_failure

OUT_OF_DATE = ":warning: That button is out of date — run the command again."
FORM_OUT_OF_DATE = (
    ":warning: That form is out of date and nothing was saved — run the command again."
)
COMMAND_GARBLED = (
    ":warning: That command arrived incomplete, so I did nothing. Please run it again."
)
FAILED = (
    ":warning: Something went wrong on our side. "
    "Please try again; if it keeps happening, tell your Slack admin."
)
COULD_NOT_SAVE = (
    ":warning: Couldn't save, nothing changed: hotleads can't write to its database right now. "
    "Please try again in a few minutes; if it keeps happening, tell your Slack admin."
)

log = logging.getLogger(__name__)

P = TypeVar("P")


@dataclass(frozen=True)
class Tools:
    """What a listener works with once its payload is read."""

    services: Services
    client: AsyncWebClient
    ack: AsyncAck
    respond: AsyncRespond | None
    """Only when Slack sent a usable ``response_url``."""


Listener = Callable[[P, Tools], Awaitable[None]]
BoltListener = Callable[..., Awaitable[None]]


def _tools(ack: AsyncAck, client: AsyncWebClient, context: dict, where: Where) -> Tools:
    respond = AsyncRespond(response_url=where.response_url) if where.response_url else None
    return Tools(context["services"], client, ack, respond)


async def tell(tools: Tools, where: Where, text: str) -> None:
    """A short word to whoever is waiting: in place of the click, in the channel, or by DM."""
    try:
        if tools.respond is not None:
            await tools.respond(text=text, response_type="ephemeral", replace_original=False)
        elif where.user_id and where.channel_id:
            await tools.client.chat_postEphemeral(
                channel=where.channel_id, user=where.user_id, text=text
            )
        elif where.user_id:
            await tools.client.chat_postMessage(channel=where.user_id, text=text)
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("could not tell %s: %s", where.user_id, error)


Answer = Callable[[Tools, Where], Awaitable[None]]
"""What the door says back: to a payload it can't read, or after the listener failed."""
Failed = Callable[[str], Answer]
"""The answer after a failure, given what to say (``FAILED``, ``COULD_NOT_SAVE``)."""
Unreadable = Callable[[Tools, Where, BadText], Awaitable[None]]
"""What the door says to typed text the text rule refused."""


async def _told_why(tools: Tools, where: Where, error: BadText) -> None:
    if tools.ack.response is None:
        await tools.ack()
    await tell(tools, where, f":warning: {error.message}")


def _door(
    parse: Callable[[dict], P],
    refuse: Answer,
    fail: Failed,
    *,
    ack_first: bool = False,
    unreadable: Unreadable = _told_why,
) -> Callable[[Listener[P]], BoltListener]:
    """The one shape of every door: (ack,) read, refuse what can't be read, work, answer a failure."""

    def wrap(listener: Listener[P]) -> BoltListener:
        async def door(ack: AsyncAck, body: dict, client: AsyncWebClient, context: dict) -> None:
            if ack_first:
                await ack()
            where = payloads.where(body)
            tools = _tools(ack, client, context, where)
            try:
                payload = parse(body)
            except BadText as error:
                log.info("unreadable text in %s: %s", listener.__name__, error.field)
                await unreadable(tools, where, error)
                return
            except Invalid as error:
                log.info("unreadable %s: %s", listener.__name__, error)
                await refuse(tools, where)
                return
            try:
                await listener(payload, tools)
            except Invalid as error:  # what it names isn't the clicker's (any more)
                log.info("out of date %s: %s", listener.__name__, error)
                await refuse(tools, where)
            except Exception as error:
                cause = storage_failure(error)
                if cause is None:
                    log.exception("%s failed", listener.__name__)
                else:  # full, read-only or gone: the operator's to fix, one line says it
                    log.error("%s couldn't save: %s", listener.__name__, cause)
                await fail(COULD_NOT_SAVE if cause else FAILED)(tools, where)

        door.__name__ = door.__qualname__ = listener.__name__  # for Bolt's logs
        return door

    return wrap


def _acked_then_told(text: str | None) -> Answer:
    async def answer(tools: Tools, where: Where) -> None:
        if tools.ack.response is None:
            await tools.ack()
        if text is not None:
            await tell(tools, where, text)

    return answer


async def _no_options(tools: Tools, where: Where) -> None:
    if tools.ack.response is None:
        await tools.ack(options=[])


async def _garbled(tools: Tools, where: Where) -> None:
    await tools.ack(response_type="ephemeral", text=COMMAND_GARBLED)


async def _command_unreadable(tools: Tools, where: Where, error: BadText) -> None:
    await tools.ack(response_type="ephemeral", text=f":warning: {error.message}")


async def _on_the_field(tools: Tools, where: Where, error: BadText) -> None:
    await tools.ack(response_action="errors", errors={error.field: truncate(error.message, 150)})


async def _no_options_for(tools: Tools, where: Where, error: BadText) -> None:
    await _no_options(tools, where)


async def _nobody_waits(tools: Tools, where: Where, error: BadText) -> None:
    """An event: Bolt has acked it and nobody waits for an answer."""


def _command_failed(text: str) -> Answer:
    async def answer(tools: Tools, where: Where) -> None:
        if tools.ack.response is None:
            await tools.ack(response_type="ephemeral", text=text)
        else:
            await tell(tools, where, text)

    return answer


def action(parse: Callable[[dict], P]) -> Callable[[Listener[P]], BoltListener]:
    """A button or select: acked at once; an out-of-date value is told so and changes nothing."""
    return _door(parse, _acked_then_told(OUT_OF_DATE), _acked_then_told, ack_first=True)


def shortcut(parse: Callable[[dict], P]) -> Callable[[Listener[P]], BoltListener]:
    """A shortcut is answered like a button: ack, then read, then work."""
    return action(parse)


def view(parse: Callable[[dict], P]) -> Callable[[Listener[P]], BoltListener]:
    """A modal submit: the listener acks, with field errors or to close; a bad payload closes."""
    return _door(
        parse, _acked_then_told(FORM_OUT_OF_DATE), _acked_then_told, unreadable=_on_the_field
    )


def options(parse: Callable[[dict], P]) -> Callable[[Listener[P]], BoltListener]:
    """A select's search: anything unreadable, or any failure, offers no options."""
    return _door(parse, _no_options, lambda _: _no_options, unreadable=_no_options_for)


def event(parse: Callable[[dict], P]) -> Callable[[Listener[P]], BoltListener]:
    """An Events API event: Bolt has acked it; nobody waits, so failures are only logged."""
    return _door(
        parse,
        _acked_then_told(None),
        lambda _: _acked_then_told(None),
        unreadable=_nobody_waits,
    )


def command(parse: Callable[[dict], P]) -> Callable[[Listener[P]], BoltListener]:
    """A slash command: the listener acks with its reply; a garbled form is told so."""
    return _door(parse, _garbled, _command_failed, unreadable=_command_unreadable)

"""The weekly summary: pipeline history kept each morning, and the manager's picture.

Each morning at the digest time ``keep_history`` keeps the day just ended, and any
day missed while the app was down (``storage.snapshots``). On the ``weekly:``
day, ``send_due`` posts one message to the digest channel: the picture of the last
eight weeks with three lines in words, claimed like the digest so it goes out once.
When the picture can't be uploaded (no ``files:write``, uploads turned off), the
lines go out alone, and why is kept for ``/lead settings``; nothing is retried.
``/lead report`` sends the same picture, and one of its own numbers, to the caller.

The pictures are drawn in a thread (``handlers.pictures``, imported only where
one is drawn), so neither start-up nor the answering loop pays for matplotlib.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import weekly as summary
from bot.domain.report import BandRate, by_band, win_rates_words
from bot.domain.schedule import WorkspaceSettings
from bot.domain.weekly import Weekly
from handlers.blocks import Reply, context, mention, section
from handlers.clients import TOKEN_DEAD
from handlers.context import Services
from handlers.invocation import Invocation
from handlers.send_once import Outcome, deliver
from storage import deliveries, snapshots

if TYPE_CHECKING:
    from bot.domain.report import Closed

KIND = "weekly"
PICTURE_PROBLEMS = {
    "missing_scope": "the app lacks the files:write permission: reinstall it from the manifest",
    "file_uploads_disabled": "file uploads are turned off in this workspace",
    "file_uploads_except_images_disabled": "file uploads are turned off in this workspace",
    "invalid_channel": "the digest channel no longer exists: pick another with "
    "`/lead settings channel:#sales`",
    "not_in_channel": "the app is not in the digest channel: invite it with `/invite @hotleads`",
    "posting_to_channel_denied": "the app may not post files in the digest channel",
    "storage_limit_reached": "the workspace's file storage is full",
}

log = logging.getLogger(__name__)


async def keep_history(services: Services, settings: WorkspaceSettings, now: datetime) -> int:
    """The pipeline's history for the days now due (``storage.snapshots.keep_due``)."""
    return await snapshots.keep_due(services.db, settings, now)


# What the message says --------------------------------------------------------------------


def message(weekly: Weekly) -> str:
    """The text beside the picture: a title, the three lines, and a note while history is short."""
    first = weekly.last_day - timedelta(days=6)
    hot, closed, speed = weekly.lines(name_of=mention)
    lines = [
        f"*Your pipeline this week* ({first.day} {first:%b} to "
        f"{weekly.last_day.day} {weekly.last_day:%b})",
        f":fire: {hot}",
        f":trophy: {closed}",
        f":stopwatch: {speed}",
    ]
    if weekly.note():
        lines.append(f"_{weekly.note()}_")
    return "\n".join(lines)


def picture_problem(error: str) -> str:
    """Why a picture was not attached, in words, with what to do."""
    return PICTURE_PROBLEMS.get(error, f"Slack said {error}")


def _error(failure: Exception) -> str:
    if isinstance(failure, SlackApiError):
        data = failure.response.data
        return str(data.get("error") if isinstance(data, dict) else "") or (
            f"HTTP {failure.response.status_code}"
        )
    if isinstance(failure, SlackRequestError):
        return "upload_failed"
    return f"could not reach Slack: {failure.__class__.__name__}"


# Drawing, off the loop --------------------------------------------------------------------


async def weekly_png(weekly: Weekly, tz: str) -> bytes:
    from handlers import pictures  # matplotlib loads here, when a picture is drawn

    return await asyncio.to_thread(pictures.weekly_png, weekly, tz)


async def win_rates_png(rates: Sequence[BandRate], days: int) -> bytes:
    from handlers import pictures

    return await asyncio.to_thread(pictures.win_rates_png, rates, days)


def filename(what: str, day: date) -> str:
    return f"hotleads-{what}-{day.isoformat()}.png"


# The weekly post --------------------------------------------------------------------------


async def send_due(
    services: Services,
    client: AsyncWebClient,
    settings: WorkspaceSettings,
    now: datetime,
) -> list[Outcome]:
    """The weekly summary, on its day from the digest time, once; ``[]`` on any other."""
    day = summary.due(settings, now)
    channel = settings.channel_id
    if day is None or not channel:
        return []
    if await deliveries.settled(services.db.reader, settings.team_id, KIND, channel, day):
        return []

    async def send() -> tuple[str, str | None, dict[str, Any]]:
        weekly = await snapshots.weekly(services.db.reader, settings.team_id, day)
        return await post(client, channel, weekly, settings.tz, day)

    outcome = await deliver(services, settings, KIND, channel, day, now, send)
    return [outcome] if outcome else []


async def post(
    client: AsyncWebClient, channel: str, weekly: Weekly, tz: str, day: date
) -> tuple[str, str | None, dict[str, Any]]:
    """One message: the picture with the lines as its comment, or the lines alone.

    A failed upload leaves the lines to go out without it; a token Slack refuses for
    good is not worked around (the delivery records it). The error is kept in the
    delivery's detail for ``/lead settings``.
    """
    text = message(weekly)
    try:
        picture = await weekly_png(weekly, tz)
        uploaded = await client.files_upload_v2(
            channel=channel,
            file=picture,
            filename=filename("weekly", day),
            title=f"Pipeline, 8 weeks to {weekly.last_day:%a %d %b}",
            alt_txt=weekly.alt_text(),
            initial_comment=text,
        )
        return channel, None, {"file": uploaded["file"]["id"]}
    except (SlackApiError, SlackRequestError, TimeoutError, aiohttp.ClientError) as failure:
        error = _error(failure)
        if error in TOKEN_DEAD:
            raise
        log.warning("weekly picture for %s not uploaded: %s", channel, error)
    reply = without_picture(text, error)
    response = await client.chat_postMessage(
        channel=channel, text=reply.text, blocks=reply.blocks, unfurl_links=False
    )
    return response["channel"], response["ts"], {"picture_error": error}


def without_picture(text: str, error: str) -> Reply:
    return Reply(
        text,
        [
            section(text),
            context(
                f":warning: The picture couldn't be attached: {picture_problem(error)}. "
                "`/lead settings` shows it too."
            ),
        ],
    )


def last_weekly_line(last: deliveries.Delivery | None, explain: Callable[[str | None], str]) -> str:
    """How the last weekly summary went, for ``/lead settings`` (``explain``: Slack's errors)."""
    if last is None:
        return "No weekly summary sent yet."
    picture_error = last.detail.get("picture_error")
    if last.status == "sent" and picture_error:
        return (
            f":warning: Last weekly summary ({last.local_date}) went out without its picture: "
            f"{picture_problem(str(picture_error))}."
        )
    if last.status == "sent":
        return f"Last weekly summary: sent {last.local_date} to <#{last.recipient}>."
    if last.status == "refused":
        return f":warning: Last weekly summary ({last.local_date}) was refused by Slack: {explain(last.error)}."
    if last.status == "failed":
        return f":warning: Last weekly summary ({last.local_date}) failed ({explain(last.error)}); it will be retried."
    return f"Weekly summary for {last.local_date} is being sent."


# /lead report's pictures ------------------------------------------------------------------


async def send_report_pictures(call: Invocation, closed: Sequence[Closed], days: int) -> None:
    """The weekly picture and the win rates by band, into the caller's DM with the app."""
    settings = await deliveries.get_settings(call.services.db.reader, call.team_id)
    today = summary.today(settings, call.now)
    weekly = await snapshots.weekly(call.services.db.reader, call.team_id, today)
    rates = by_band(closed)
    pictures = [
        {
            "file": await weekly_png(weekly, settings.tz),
            "filename": filename("weekly", today),
            "title": f"Pipeline, 8 weeks to {weekly.last_day:%a %d %b}",
            "alt_txt": weekly.alt_text(),
        },
        {
            "file": await win_rates_png(rates, days),
            "filename": filename("win-rates", today),
            "title": f"Win rate by band, last {days} days",
            "alt_txt": win_rates_words(rates, days),
        },
    ]
    try:
        opened = await call.client.conversations_open(users=call.user_id)
        await call.client.files_upload_v2(
            channel=opened["channel"]["id"],
            file_uploads=pictures,
            initial_comment=f"Your report as pictures, as of {today:%a %d %b}:\n" + message(weekly),
        )
    except (SlackApiError, SlackRequestError, TimeoutError, aiohttp.ClientError) as failure:
        error = _error(failure)
        log.warning("report pictures for %s not uploaded: %s", call.user_id, error)
        await call.respond(
            response_type="ephemeral",
            replace_original=False,
            text=f":warning: I couldn't send you the report's pictures: {picture_problem(error)}.",
        )

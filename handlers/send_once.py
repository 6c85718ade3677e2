"""Sending one message once: claim it, send it, record how it went.

Every scheduled message (digest, reminder, hook alert, weekly post) is claimed
in the database before it is sent, so any number of runners send it once. A
send that fails gives its claim back for the next run; a permanent refusal
(channel gone, app not invited) is recorded for ``/lead settings`` to show.
Features that send import this; ``delivery`` decides when each is due.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.domain.schedule import WorkspaceSettings
from handlers.context import Services
from storage import deliveries

PERMANENT_ERRORS = {
    "channel_not_found": "the digest channel no longer exists: pick another with "
    "`/lead settings channel:#sales`",
    "not_in_channel": "the app is not in the digest channel: invite it there with "
    "`/invite @hotleads`",
    "is_archived": "the digest channel is archived: pick another with `/lead settings channel:#sales`",
    "account_inactive": "that Slack account is deactivated",
    "user_not_found": "that Slack user no longer exists",
    "cannot_dm_bot": "that user is a bot",
    "invalid_auth": "the bot token is no longer valid: reinstall the app",
    "token_revoked": "the bot token was revoked: reinstall the app",
    "missing_scope": "the app lacks a permission: reinstall it from the manifest",
}

Send = Callable[[], Awaitable[tuple[str, str | None, dict[str, Any]]]]
"""Posts the message: the channel, the message's ``ts`` (none for an upload) and a detail to keep."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """How one send went, as a line for ``run-due`` to print."""

    team_id: str
    kind: str
    recipient: str
    day: date
    status: str
    error: str | None = None

    def line(self) -> str:
        what = f"{self.kind} {self.team_id}/{self.recipient} {self.day.isoformat()}"
        return f"{self.status}: {what}" + (f" ({self.error})" if self.error else "")


def explain(error: str | None) -> str:
    """A Slack error code in words, with what to do about it."""
    if not error:
        return ""
    return PERMANENT_ERRORS.get(error, error)


async def deliver(
    services: Services,
    settings: WorkspaceSettings,
    kind: str,
    recipient: str,
    day: date,
    now: datetime,
    send: Send,
) -> Outcome | None:
    """Claim, send, record; ``None`` when someone else has it or it is done."""
    team_id = settings.team_id
    async with services.db.transaction() as conn:
        if not await deliveries.claim(conn, team_id, kind, recipient, day, now):
            return None
    status, error, channel, ts = "failed", None, None, None
    detail: dict[str, Any] = {}
    try:
        channel, ts, detail = await send()
        status = "sent"
    except SlackApiError as failure:
        data = failure.response.data  # a 5xx may carry a plain-text body, not JSON
        error = (data.get("error") if isinstance(data, dict) else None) or (
            f"HTTP {failure.response.status_code}"
        )
        status = "refused" if error in PERMANENT_ERRORS else "failed"
    except (TimeoutError, aiohttp.ClientError, OSError) as failure:
        error = f"could not reach Slack: {failure.__class__.__name__}"
    async with services.db.transaction() as conn:
        await deliveries.finish(
            conn,
            team_id,
            kind,
            recipient,
            day,
            status=status,
            now=now,
            error=error,
            channel=channel,
            ts=ts,
            detail=detail,
        )
    if status != "sent":
        log.warning("%s for %s/%s not sent: %s", kind, team_id, recipient, error)
    return Outcome(team_id, kind, recipient, day, status, error)

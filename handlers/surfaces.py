"""The one place that decides which surfaces to draw again after a change.

A ``/lead`` command reports the leads it changed (``Invocation.changed``); once
its answer is sent, the Home tab of the rep who typed it and of each owner of a
changed lead is drawn again (``bot.domain.changes.homes``). Nothing is decided by
the words of the command.
"""

from __future__ import annotations

from collections.abc import Iterable

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.changes import Change, homes
from bot.domain.slack_user import SlackUser
from handlers import home
from handlers.context import Services


async def after_command(
    client: AsyncWebClient,
    services: Services,
    team_id: str,
    user_id: str,
    changes: Iterable[Change],
    known: SlackUser | None = None,
) -> None:
    """Draw again every Home a command's changes show on; ``known`` is the caller's user row."""
    for rep in homes(changes, user_id):
        await home.redraw(client, services, team_id, rep, known if rep == user_id else None)

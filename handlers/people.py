"""Slack users as hotleads needs them: their time zone and admin rights, cached.

Reading the cache is local and fast, so it may happen before ``ack``;
asking Slack (``users.info``) happens after, to keep the next request right.
A time zone may be a day old; admin rights may not: a demoted admin loses the
team view and settings within minutes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.slack_user import SlackUser
from handlers.context import Services
from storage import users

STALE_AFTER = timedelta(days=1)
ADMIN_FRESH_FOR = timedelta(minutes=5)
NOT_CONFIRMED = (
    ":warning: Slack couldn't confirm your permissions just now, so nothing changed. "
    "Please try again in a moment."
)
"""The answer when ``is_admin`` is ``None``: never "only admins may", which tells an admin they aren't one."""

log = logging.getLogger(__name__)


async def cached(services: Services, team_id: str, user_id: str) -> SlackUser | None:
    return await users.get(services.db.reader, team_id, user_id)


def slack_error(error: SlackApiError) -> str | None:
    """Slack's error code, if its answer was JSON (a 5xx page is not)."""
    data = error.response.data
    return data.get("error") if isinstance(data, dict) else None


class SlackUnsure(Exception):
    """Slack couldn't say (down, rate limited, any error but "no such user")."""


async def _profile(client: AsyncWebClient, user_id: str) -> dict[str, Any] | None:
    """What ``users.info`` says of the user; ``None`` when Slack says there's no such user."""
    try:
        response = await client.users_info(user=user_id, include_locale=True)
    except SlackApiError as error:
        if slack_error(error) == "user_not_found":
            return None
        log.warning("users.info %s failed: %s", user_id, error)
        raise SlackUnsure from error
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("users.info %s failed: %s", user_id, error)
        raise SlackUnsure from error
    profile: dict[str, Any] = response["user"]
    return profile


async def fetch(
    client: AsyncWebClient, services: Services, team_id: str, user_id: str
) -> SlackUser | None:
    """Ask Slack about a user and cache the answer; ``None`` when Slack can't say."""
    try:
        profile = await _profile(client, user_id)
    except SlackUnsure:
        return None
    return None if profile is None else await _save(services, team_id, user_id, profile)


async def _save(
    services: Services, team_id: str, user_id: str, profile: dict[str, Any]
) -> SlackUser:
    user = SlackUser(
        team_id=team_id,
        user_id=user_id,
        tz=profile.get("tz"),
        is_admin=bool(profile.get("is_admin") or profile.get("is_owner")),
        fetched_at=services.clock.now(),
        locale=profile.get("locale"),
    )
    async with services.db.transaction() as conn:
        await users.save(conn, user)
    return user


async def is_member(
    client: AsyncWebClient, services: Services, team_id: str, user_id: str
) -> bool | None:
    """Is this user one of the workspace's people, and active? ``None`` when Slack can't say.

    Trusted like admin rights: Slack's answer for ``ADMIN_FRESH_FOR``, then asked
    again. Only members are cached, so a cached row is a member.
    """
    known = await cached(services, team_id, user_id)
    if known is not None and services.clock.now() - known.fetched_at <= ADMIN_FRESH_FOR:
        return True
    try:
        profile = await _profile(client, user_id)
    except SlackUnsure:
        return None
    if profile is None or profile.get("deleted") or not _in_workspace(profile, team_id):
        return False
    await _save(services, team_id, user_id, profile)
    return True


def _in_workspace(profile: dict[str, Any], team_id: str) -> bool:
    """Slack Connect shows people of other workspaces too; Enterprise Grid lists a user's teams."""
    grid = profile.get("enterprise_user") or {}
    return profile.get("team_id") == team_id or team_id in (grid.get("teams") or ())


async def refresh_if_stale(
    client: AsyncWebClient,
    services: Services,
    team_id: str,
    user_id: str,
    now: datetime,
    known: SlackUser | None = None,
) -> SlackUser | None:
    """The user as cached (``known``, if the caller read it already), asked again when stale."""
    known = known or await cached(services, team_id, user_id)
    if known is None or now - known.fetched_at > STALE_AFTER:
        return await fetch(client, services, team_id, user_id)
    return known


async def is_admin(
    client: AsyncWebClient,
    services: Services,
    team_id: str,
    user_id: str,
    known: SlackUser | None = None,
) -> bool | None:
    """May this user do what only admins may? ``None`` when Slack can't say right now.

    People in HOTLEADS_ADMINS always may; anyone else as Slack said at most
    ``ADMIN_FRESH_FOR`` ago, asking again (after the ack) when that answer is older.
    """
    if user_id in services.settings.admins:
        return True
    known = known or await cached(services, team_id, user_id)
    if known is None or services.clock.now() - known.fetched_at > ADMIN_FRESH_FOR:
        try:
            profile = await _profile(client, user_id)
        except SlackUnsure:
            return None
        if profile is None:  # Slack knows no such user: not an admin of anything
            return False
        known = await _save(services, team_id, user_id, profile)
    return known.is_admin

"""Where every Web API client comes from: one place, whatever the mode.

With one workspace, the one client with ``SLACK_BOT_TOKEN``. With many, each
workspace's own installation, its token renewed before it expires through one
locked path (``Installed.installation``), so two processes never both spend
the same refresh token: Slack accepts a refresh token once.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.installation import REFRESH_BEFORE, Installation
from handlers.context import Services
from storage import installations
from storage.db import Database
from storage.sealing import Sealer

TOKEN_DEAD = frozenset({"token_revoked", "account_inactive", "invalid_auth"})
"""Errors after which a workspace's token will never work again: stop using it."""

log = logging.getLogger(__name__)


class NotInstalled(Exception):
    """The workspace never installed hotleads, uninstalled it, or its token is dead."""


class Clients(Protocol):
    async def for_team(self, team_id: str) -> AsyncWebClient:
        """A client with the workspace's bot token; raises ``NotInstalled``."""
        ...

    async def token_dead(self, team_id: str, error: str) -> None:
        """Slack refused the workspace's token for good (one of ``TOKEN_DEAD``)."""
        ...


class OneWorkspace:
    """Single-workspace mode: the one client, for whichever team asks, until Slack takes its
    token back (``app_uninstalled``, ``tokens_revoked``, or a refusal in ``TOKEN_DEAD``)."""

    def __init__(self, client: AsyncWebClient, services: Services) -> None:
        self.client = client
        self.services = services
        self.fingerprint = fingerprint(client.token)

    async def for_team(self, team_id: str) -> AsyncWebClient:
        if await installations.token_revoked(self.services.db.reader, self.fingerprint):
            raise NotInstalled(team_id)
        return self.client

    async def token_dead(self, team_id: str, error: str) -> None:
        await switch_off(self.services, self.client.token, team_id, error)


def of(clients: Clients | AsyncWebClient, services: Services) -> Clients:
    """An ``AsyncWebClient`` on its own is the one workspace's client."""
    return OneWorkspace(clients, services) if isinstance(clients, AsyncWebClient) else clients


def fingerprint(token: str | None) -> str:
    """What is kept of a token Slack took back: its hash, never the token."""
    return hashlib.sha256((token or "").encode()).hexdigest()


async def switch_off(services: Services, token: str | None, team_id: str, reason: str) -> None:
    """Single-workspace mode: send nothing more with ``token``, and say so once in the log.

    The workspace's leads stay; a new ``SLACK_BOT_TOKEN`` (a reinstall) starts afresh.
    """
    now = services.clock.now()
    async with services.db.transaction() as conn:
        first = await installations.revoke_token(conn, fingerprint(token), team_id, reason, now)
    if first:
        log.warning(
            "workspace %s switched off (%s): nothing more is sent with this SLACK_BOT_TOKEN; "
            "its leads are kept. Reinstall the app and set the new token to start again.",
            team_id,
            reason,
        )


class Installed:
    """Multi-workspace mode: each team's client from its stored installation."""

    def __init__(
        self,
        db: Database,
        sealer: Sealer,
        *,
        client_id: str,
        client_secret: str,
        new_client: Callable[[str | None], AsyncWebClient],
    ) -> None:
        self.db = db
        self.sealer = sealer
        self.new_client = new_client
        self.rotator = AsyncTokenRotator(
            client_id=client_id, client_secret=client_secret, client=new_client(None)
        )

    @staticmethod
    def _now() -> datetime:
        """Token expiry is Slack's wall-clock time, as slack_sdk's rotator reckons it."""
        return datetime.fromtimestamp(time.time(), UTC)

    async def for_team(self, team_id: str) -> AsyncWebClient:
        return self.new_client((await self.installation(team_id)).bot_token)

    async def installation(self, team_id: str) -> Installation:
        """The workspace's usable installation, its token renewed first if it is about to end."""
        found = await installations.find(self.db.reader, team_id, self.sealer)
        if found is None or not found.usable:
            raise NotInstalled(team_id)
        if found.needs_refresh(self._now()):
            return await self._renew(team_id)
        return found

    async def teams(self) -> list[str]:
        return await installations.active_teams(self.db.reader)

    async def token_dead(self, team_id: str, error: str) -> None:
        async with self.db.transaction() as conn:
            if await installations.deactivate(conn, team_id, error):
                log.warning("workspace %s switched off: Slack says %s", team_id, error)

    async def _renew(self, team_id: str) -> Installation:
        """The one path that spends a refresh token: under the workspace's lock, read again first."""
        async with self.db.transaction() as conn:
            await installations.hold_refresh_lock(conn, team_id)
            current = await installations.find(conn, team_id, self.sealer)
            if current is None or not current.usable:
                raise NotInstalled(team_id)
            if not current.needs_refresh(self._now()):
                return current  # another process or task renewed it while we waited
            assert current.refresh_token is not None and current.token_expires_at is not None
            try:
                bot = await self.rotator.perform_bot_token_rotation(
                    bot=_bot(current),
                    minutes_before_expiration=int(REFRESH_BEFORE.total_seconds() // 60),
                )
            except SlackTokenRotationError as error:
                failed = error
            else:
                if bot is None or bot.bot_token_expires_at is None:
                    return current  # not a bot token's answer: keep the one still valid
                expires_at = datetime.fromtimestamp(bot.bot_token_expires_at, UTC)
                await installations.renewed(
                    conn,
                    team_id,
                    old_refresh_token=current.refresh_token,
                    bot_token=bot.bot_token,
                    refresh_token=bot.bot_refresh_token,
                    expires_at=expires_at,
                    sealer=self.sealer,
                )
                return replace(
                    current,
                    bot_token=bot.bot_token,
                    refresh_token=bot.bot_refresh_token or current.refresh_token,
                    token_expires_at=expires_at,
                )
        # Outside the failed block: a refused refresh token is dead, and so is the workspace.
        reason = f"token refresh refused: {failed.api_error.response.get('error')}"
        await self.token_dead(team_id, reason)
        raise NotInstalled(team_id) from failed


def _bot(installation: Installation) -> Bot:
    expires_at = installation.token_expires_at
    return Bot(
        app_id=installation.app_id or None,
        enterprise_id=installation.enterprise_id or None,
        team_id=installation.team_id,
        bot_token=installation.bot_token or "",
        bot_id=installation.bot_id,
        bot_user_id=installation.bot_user_id,
        bot_scopes=list(installation.scopes),
        bot_refresh_token=installation.refresh_token,
        bot_token_expires_at=int(expires_at.timestamp()) if expires_at else None,
        installed_at=installation.installed_at.timestamp(),
    )

"""slack_sdk's store interfaces over hotleads' own tables, for Bolt's OAuth flow.

Bolt's ``AsyncOAuthFlow`` issues and consumes states and saves what
``oauth.v2.access`` returned through these; the SQL, the sealing and the
atomic consume live in ``storage.installations`` and ``storage.oauth_states``.
hotleads installs a bot only (no user scopes), so there is one installation per
workspace and ``find_installation`` and ``find_bot`` read the same row.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store import Installation as SlackInstallation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.domain.clock import Clock
from bot.domain.installation import Installation
from storage import installations, oauth_states
from storage.db import Database
from storage.sealing import Sealer

log = logging.getLogger(__name__)


class InstallationStore(AsyncInstallationStore):
    def __init__(self, db: Database, sealer: Sealer, clock: Clock) -> None:
        self.db, self.sealer, self.clock = db, sealer, clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: SlackInstallation) -> None:
        if installation.team_id is None:
            raise ValueError("hotleads installs into a workspace, not org-wide")
        async with self.db.transaction() as conn:
            await installations.save(conn, _ours(installation, self.clock.now()), self.sealer)

    async def async_save_bot(self, bot: Bot) -> None:
        raise NotImplementedError("bot rows are saved with their installation")

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> SlackInstallation | None:
        if team_id is None:
            return None
        found = await installations.find(self.db.reader, team_id, self.sealer, enterprise_id or "")
        return _theirs(found) if found and found.usable else None

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = await self.async_find_installation(enterprise_id=enterprise_id, team_id=team_id)
        return found.to_bot() if found else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        if team_id is not None:
            async with self.db.transaction() as conn:
                await installations.revoke_bot(conn, team_id, enterprise_id or "")

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is not None:
            return  # no user tokens are stored: a revoked user token leaves nothing to delete
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


class StateStore(AsyncOAuthStateStore):
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        async with self.db.transaction() as conn:
            return await oauth_states.issue(conn, self.clock.now())

    async def async_consume(self, state: str) -> bool:
        async with self.db.transaction() as conn:
            return await oauth_states.consume(conn, state or "", self.clock.now())


def _ours(installation: SlackInstallation, now: datetime) -> Installation:
    expires_at = installation.bot_token_expires_at
    return Installation(
        enterprise_id=installation.enterprise_id or "",
        team_id=installation.team_id or "",
        team_name=installation.team_name or "",
        app_id=installation.app_id or "",
        bot_token=installation.bot_token,
        refresh_token=installation.bot_refresh_token,
        token_expires_at=datetime.fromtimestamp(expires_at, UTC) if expires_at else None,
        scopes=tuple(installation.bot_scopes or ()),
        bot_user_id=installation.bot_user_id or "",
        bot_id=installation.bot_id or "",
        installer=installation.user_id or "",
        installed_at=now,
    )


def _theirs(installation: Installation) -> SlackInstallation:
    expires_at = installation.token_expires_at
    return SlackInstallation(
        app_id=installation.app_id or None,
        enterprise_id=installation.enterprise_id or None,
        team_id=installation.team_id,
        team_name=installation.team_name,
        bot_token=installation.bot_token,
        bot_id=installation.bot_id,
        bot_user_id=installation.bot_user_id,
        bot_scopes=list(installation.scopes),
        bot_refresh_token=installation.refresh_token,
        bot_token_expires_at=int(expires_at.timestamp()) if expires_at else None,
        user_id=installation.installer,
        installed_at=installation.installed_at.timestamp(),
    )

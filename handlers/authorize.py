"""Who Bolt acts as for each request, from the stored installation: no ``auth.test`` per request.

Bolt's own ``AsyncInstallationStoreAuthorize`` calls ``auth.test`` on every
request to learn the bot's user id; hotleads stored it at install time, so a
busy workspace costs Slack no extra call. The token comes from
``clients.Installed.installation``, which renews it first when it is about to end.
"""

from __future__ import annotations

import logging

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext

from handlers.clients import Installed, NotInstalled

log = logging.getLogger(__name__)


class StoredAuthorize(AsyncAuthorize):
    def __init__(self, clients: Installed) -> None:
        self.clients = clients

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        if team_id is None:
            return None  # an org-wide install: hotleads installs per workspace
        try:
            installed = await self.clients.installation(team_id)
        except NotInstalled:
            log.info("request from workspace %s, which has no usable installation", team_id)
            return None
        return AuthorizeResult(
            enterprise_id=installed.enterprise_id or enterprise_id,
            team_id=installed.team_id,
            team=installed.team_name,
            bot_id=installed.bot_id,
            bot_user_id=installed.bot_user_id,
            bot_token=installed.bot_token,
            bot_scopes=list(installed.scopes),
            user_id=user_id,
        )

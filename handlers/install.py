"""Installing into many workspaces: the pages around Slack's OAuth, and leaving again.

Bolt's ``AsyncOAuthFlow`` serves ``GET /slack/install`` (its "Add to Slack"
page, setting the state cookie) and ``GET /slack/oauth_redirect`` (checks the
cookie and the state, calls ``oauth.v2.access``, saves the installation); the
pages it ends on are hotleads' own, saying plainly what happened.

``app_uninstalled`` deletes everything of the workspace, at once and for good;
``tokens_revoked`` drops only the revoked tokens (the data stays for a reinstall).
With one workspace and one ``SLACK_BOT_TOKEN`` (``register_one``), both switch
that token off and keep the data: the operator owns it, and a reinstall's new
token starts again.
"""

from __future__ import annotations

import html
import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from handlers import clients
from handlers.context import Services
from storage import installations

FAILURES = {
    "access_denied": "You cancelled the installation, so nothing was installed.",
    "invalid_browser": "This browser did not start the installation (its cookie is missing), "
    "or it took longer than 10 minutes.",
    "invalid_state": "This installation link was already used, has expired (links last 10 "
    "minutes), or did not come from this server.",
    "missing_code": "Slack did not send an authorisation code.",
    "invalid_code": "Slack refused the authorisation code; it may have been used already.",
    "storage_error": "The installation could not be saved on our side.",
}

log = logging.getLogger(__name__)


def callback_options() -> AsyncCallbackOptions:
    return AsyncCallbackOptions(success=_installed, failure=_not_installed)


async def _installed(args: AsyncSuccessArgs) -> BoltResponse:
    team = args.installation.team_name or args.installation.team_id or "your workspace"
    log.info("installed into %s (%s)", team, args.installation.team_id)
    body = (
        f"<p>hotleads is installed in <b>{html.escape(team)}</b>.</p>"
        "<p>Open Slack and type <code>/lead help</code> to start; set the digest channel "
        "with <code>/lead settings channel:#sales</code>.</p>"
    )
    return _page(args.settings.state_utils.build_set_cookie_for_deletion(), 200, body)


async def _not_installed(args: AsyncFailureArgs) -> BoltResponse:
    # The reason may be the redirect's own ``error`` parameter: anyone's text, kept short
    # and quoted in the log (no forged lines), escaped on the page.
    log.warning("installation failed: %.100r", args.reason)
    why = FAILURES.get(args.reason, f"Slack said: {args.reason[:100]}.")
    body = (
        f"<p>hotleads was not installed. {html.escape(why)}</p>"
        f'<p><a href="{html.escape(args.settings.install_path)}">Start again</a>.</p>'
    )
    cookie = args.settings.state_utils.build_set_cookie_for_deletion()
    return _page(cookie, args.suggested_status_code, body)


def _page(cookie: str, status: int, body: str) -> BoltResponse:
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>hotleads</title>'
        f"</head><body>{body}</body></html>"
    )
    headers = {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": [cookie]}
    return BoltResponse(status=status, body=page, headers=headers)


async def forget_workspace(context: AsyncBoltContext) -> None:
    """Slack says the app was uninstalled: delete all of the workspace's data, in one go."""
    services: Services = context["services"]
    team_id = context.team_id
    if not team_id:
        return
    async with services.db.transaction() as conn:
        deleted = await installations.forget_workspace(conn, team_id)
    log.info("uninstalled from %s: %s rows deleted", team_id, deleted)


async def drop_revoked_tokens(event: dict, context: AsyncBoltContext) -> None:
    """Only the bot's tokens are stored; users' revoked tokens leave nothing to delete."""
    services: Services = context["services"]
    tokens = event.get("tokens")
    if context.team_id and isinstance(tokens, dict) and tokens.get("bot"):
        async with services.db.transaction() as conn:
            await installations.revoke_bot(conn, context.team_id, context.enterprise_id or "")
        log.info("bot token of %s revoked", context.team_id)


async def switch_off(event: dict, context: AsyncBoltContext, client: AsyncWebClient) -> None:
    """One workspace: Slack took the token back. Nothing more is sent with it (``clients``)."""
    tokens = event.get("tokens")
    if event.get("type") == "tokens_revoked" and not (
        isinstance(tokens, dict) and tokens.get("bot")
    ):
        return  # only users' tokens: the bot's still works
    services: Services = context["services"]
    why = "app uninstalled" if event.get("type") == "app_uninstalled" else "tokens revoked"
    await clients.switch_off(services, client.token, context.team_id or "", why)


def register(app: AsyncApp) -> None:
    app.event("app_uninstalled")(forget_workspace)
    app.event("tokens_revoked")(drop_revoked_tokens)


def register_one(app: AsyncApp) -> None:
    """Single-workspace mode: the same two events, answered 200, switching the token off."""
    app.event("app_uninstalled")(switch_off)
    app.event("tokens_revoked")(switch_off)

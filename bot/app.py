"""Wiring: the Bolt app, its Web API client, and the ways to serve it."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import cast

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.config import Settings
from bot.signatures import signed_requests_only
from handlers import install
from handlers.authorize import StoredAuthorize
from handlers.clients import Clients, Installed, OneWorkspace
from handlers.context import Services
from handlers.door import COULD_NOT_SAVE
from handlers.inbound_hooks import HookReceiver
from handlers.install_store import InstallationStore, StateStore
from storage.db import storage_failure
from storage.oauth_states import LIFETIME
from storage.sealing import Sealer

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
SLACK_CONNECTIONS = 64
"""Connections to Slack kept at most by a process's session: workers run workspaces at once."""
BOT_SCOPES = ("commands", "chat:write", "im:write", "users:read", "users:read.email", "files:write")
"""What hotleads asks each workspace for: the manifests' ``oauth_config.scopes.bot``."""

SLACK_TIMEOUT = 10
"""Seconds a Web API call may take, retries apart."""

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def web_session() -> AsyncIterator[aiohttp.ClientSession]:
    """One HTTP session for every Web API call of a process, closed when the process stops."""
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=SLACK_TIMEOUT),
        connector=aiohttp.TCPConnector(limit=SLACK_CONNECTIONS),
    ) as session:
        yield session


def web_client(services: Services) -> AsyncWebClient:
    """The client with ``SLACK_BOT_TOKEN`` (none in multi-workspace mode)."""
    return _client(services, _settings(services).bot_token or None)


def _settings(services: Services) -> Settings:
    """The process settings; listeners see only the part they read (``ListenerSettings``)."""
    return cast(Settings, services.settings)


def _client(services: Services, token: str | None) -> AsyncWebClient:
    """A client that waits out rate limits and retries dropped connections and 5xx, over the
    process's shared session when there is one (``web_session``)."""
    return AsyncWebClient(
        token=token,
        base_url=_settings(services).slack_api_url,
        session=services.http,
        timeout=SLACK_TIMEOUT,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=1),
        ],
    )


def team_clients(services: Services) -> Clients:
    """The one place run-due, hooks and requests get a workspace's client from."""
    settings = _settings(services)
    if not settings.multi_workspace:
        return OneWorkspace(web_client(services), services)
    assert settings.client_id and settings.client_secret
    return Installed(
        services.db,
        Sealer(settings.encryption_keys),
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        new_client=lambda token: _client(services, token),
    )


def build_app(services: Services) -> AsyncApp:
    """The one Bolt app that production and the tests both run, in the mode the settings chose.

    One workspace: the client's bot token, no OAuth. Many: Bolt's OAuth flow over
    hotleads' own stores. Nothing else decides: see ``_unseen_by_bolt``.
    """
    settings = _settings(services)
    with _unseen_by_bolt():
        app = AsyncApp(
            client=web_client(services),
            signing_secret=settings.signing_secret,
            # A slash command must be answered in 3 s; keep work after ack out of the way.
            process_before_response=False,
            **(_oauth(services) if settings.multi_workspace else {}),
        )

    async def inject_services(context: dict, next: Callable[[], Awaitable[None]]) -> None:
        context["services"] = services
        await next()

    app.middleware(inject_services)
    app.error(on_error)
    handlers.register_all(app)
    if settings.multi_workspace:
        install.register(app)
    else:
        install.register_one(app)
    return app


@contextlib.contextmanager
def _unseen_by_bolt() -> Iterator[None]:
    """Build Bolt with no ``SLACK_*`` variable in sight.

    Bolt reads some on its own: a ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET``, even
    empty ones, switch on its OAuth with file-based stores and make it ignore the bot
    token; ``SLACK_REDIRECT_URI``, ``SLACK_SCOPES`` and others change that flow. hotleads
    has already decided the mode from its settings (``bot.config.mode_of``), so while
    Bolt is built it sees none of them.
    """
    hidden = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("SLACK_")}
    try:
        yield
    finally:
        os.environ.update(hidden)


def _oauth(services: Services) -> dict:
    """Bolt's OAuth flow over hotleads' stores, and authorization from the stored rows."""
    settings = _settings(services)
    assert settings.client_id and settings.client_secret
    clients = team_clients(services)
    assert isinstance(clients, Installed)
    oauth_settings = AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=settings.public_url + REDIRECT_PATH if settings.public_url else None,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=install.callback_options(),
        installation_store=InstallationStore(services.db, clients.sealer, services.clock),
        installation_store_bot_only=True,
        state_store=StateStore(services.db, services.clock),
        state_expiration_seconds=int(LIFETIME.total_seconds()),
    )
    return {"oauth_settings": oauth_settings, "authorize": StoredAuthorize(clients)}


async def on_error(
    error: Exception, request: AsyncBoltRequest, response: BoltResponse | None
) -> BoltResponse | None:
    """Log with the traceback; if the user is still waiting, tell them nothing was saved.

    A database that refused the write (full, read-only, gone) is one log line with
    its cause: the operator's to fix, and no traceback would say more.
    """
    cause = storage_failure(error)
    if cause is None:
        log.error("listener failed: %s", error, exc_info=error)
    else:
        log.error("couldn't save: %s", cause)
    if response is None or request.body.get("command") is None:
        return None
    body = {
        "response_type": "ephemeral",
        "text": COULD_NOT_SAVE
        if cause
        else ":warning: Something went wrong on our side and nothing was saved. "
        "Please try again; if it keeps happening, tell your Slack admin.",
    }
    return BoltResponse(
        status=200, body=json.dumps(body), headers={"content-type": "application/json"}
    )


def http_app(
    app: AsyncApp, signing_secret: str, services: Services | None = None
) -> web.Application:
    """Bolt's aiohttp application, behind a signature check, plus a health check.

    With ``services``, inbound hooks too: they carry their own secrets, so Slack's
    signature check (which covers only ``/slack/events``) never sees them.
    """
    web_app = app.web_app(path=EVENTS_PATH)
    web_app.middlewares.append(signed_requests_only(signing_secret, EVENTS_PATH))
    web_app.router.add_get("/healthz", _health)
    if services is not None:
        _receive_hooks(web_app, services)
    return web_app


def hooks_app(services: Services) -> web.Application:
    """In Socket Mode, the only HTTP there is: the health check and inbound hooks."""
    web_app = web.Application()
    web_app.router.add_get("/healthz", _health)
    _receive_hooks(web_app, services)
    return web_app


def _receive_hooks(web_app: web.Application, services: Services) -> None:
    """The hook route, and its alert queue's worker for as long as the app runs."""
    receiver = HookReceiver(services, team_clients(services))
    web_app.add_routes(receiver.routes())
    web_app.middlewares.append(_unsaved_hooks)

    def alerts(_: web.Application) -> contextlib.AbstractAsyncContextManager[None]:
        return receiver.alerts.running()

    web_app.cleanup_ctx.append(alerts)


UNSAVED = "Couldn't save, nothing changed: the database isn't taking writes right now. Try again."


@web.middleware
async def _unsaved_hooks(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A hook whose write the database refused: 503 and one log line, so the sender retries."""
    try:
        return await handler(request)
    except Exception as error:
        cause = storage_failure(error)
        if cause is None:
            raise
        log.error("couldn't save %s %s: %s", request.method, request.path, cause)
        return web.json_response(
            {"ok": False, "error": UNSAVED}, status=503, headers={"Retry-After": "30"}
        )


def health_app() -> web.Application:
    """A worker's only HTTP: the health check, for a platform that wants one."""
    web_app = web.Application()
    web_app.router.add_get("/healthz", _health)
    return web_app


async def _health(_: web.Request) -> web.Response:
    return web.json_response({"ok": True})

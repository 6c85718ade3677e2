"""Wiring: the Bolt app, its Web API client, and the ways to serve it."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.signatures import signed_requests_only
from handlers.context import Services
from handlers.inbound_hooks import HookReceiver

EVENTS_PATH = "/slack/events"

log = logging.getLogger(__name__)


def web_client(services: Services) -> AsyncWebClient:
    """A client that waits out rate limits and retries dropped connections and 5xx."""
    return AsyncWebClient(
        token=services.settings.bot_token,
        base_url=services.settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=1),
        ],
    )


def build_app(services: Services) -> AsyncApp:
    """The one Bolt app that production and the tests both run."""
    app = AsyncApp(
        client=web_client(services),
        signing_secret=services.settings.signing_secret or None,
        # A slash command must be answered in 3 s; keep work after ack out of the way.
        process_before_response=False,
    )

    async def inject_services(context: dict, next: Callable[[], Awaitable[None]]) -> None:
        context["services"] = services
        await next()

    app.middleware(inject_services)
    app.error(on_error)
    handlers.register_all(app)
    return app


async def on_error(
    error: Exception, request: AsyncBoltRequest, response: BoltResponse | None
) -> BoltResponse | None:
    """Log with the traceback; if the user is still waiting, tell them nothing was saved."""
    log.error("listener failed: %s", error, exc_info=error)
    if response is None or request.body.get("command") is None:
        return None
    body = {
        "response_type": "ephemeral",
        "text": ":warning: Something went wrong on our side and nothing was saved. "
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
        web_app.add_routes(HookReceiver(services, web_client(services)).routes())
    return web_app


def hooks_app(services: Services) -> web.Application:
    """In Socket Mode, the only HTTP there is: the health check and inbound hooks."""
    web_app = web.Application()
    web_app.router.add_get("/healthz", _health)
    web_app.add_routes(HookReceiver(services, web_client(services)).routes())
    return web_app


async def _health(_: web.Request) -> web.Response:
    return web.json_response({"ok": True})

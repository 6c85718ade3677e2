"""Running the app: over HTTP on $PORT, or over Socket Mode when an app token is set."""

from __future__ import annotations

import asyncio
import logging
import signal

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.app import EVENTS_PATH, build_app, hooks_app, http_app
from bot.config import ConfigError, Settings
from bot.domain.clock import SystemClock
from bot.runner import every_minute
from handlers.context import Services
from storage.db import Database

log = logging.getLogger(__name__)

SOCKET_PING_SECONDS = 3.0
"""How often the Socket Mode connection is pinged: a dropped one is noticed within seconds."""
STOP_WITHIN = 1.0
"""How long closing the Socket Mode connection may take once a signal has come."""
TOKEN_REFUSALS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "not_allowed_token_type",
        "token_revoked",
        "token_expired",
        "account_inactive",
    }
)
"""What Slack answers for an app token that will never work: retrying can't help."""


async def serve(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT, then close the database cleanly."""
    db = await Database.open(settings.database)
    try:
        db.serve_alone()
    except BaseException:
        await db.close()
        raise
    services = Services(settings=settings, db=db, clock=SystemClock())
    app = build_app(services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    scheduler = asyncio.create_task(every_minute(services, stop))
    checkpoints = asyncio.create_task(db.keep_wal_short(stop))
    try:
        if settings.app_token:
            runner = await _listen(hooks_app(services), settings.port)
            log.info("hotleads taking inbound hooks on http://0.0.0.0:%s/hooks/", settings.port)
            try:
                await _socket_mode(app, settings.app_token, stop)
            finally:
                await runner.cleanup()
        else:
            runner = await _listen(http_app(app, settings.signing_secret, services), settings.port)
            log.info("hotleads listening on http://0.0.0.0:%s%s", settings.port, EVENTS_PATH)
            await stop.wait()
            await runner.cleanup()
    finally:
        stop.set()
        await scheduler
        await checkpoints
        await _finish_work_after_acks()
        await db.close()


async def _socket_mode(app: AsyncApp, app_token: str, stop: asyncio.Event) -> None:
    """Connect over Socket Mode and stay until ``stop``; a signal stops it at any moment.

    slack_sdk retries a refused connection forever; the token is therefore tried once
    first, and one Slack will never accept stops the app with a ConfigError (exit 2).
    """
    handler = AsyncSocketModeHandler(app, app_token, ping_interval=SOCKET_PING_SECONDS)
    handler.client.wss_uri = await _first_url(app, app_token)
    connecting = asyncio.create_task(handler.connect_async())
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if connecting.done():
            connecting.result()
            log.info("hotleads connected to Slack over Socket Mode")
            await stopping
    finally:
        connecting.cancel()
        stopping.cancel()
        try:
            await asyncio.wait_for(handler.close_async(), STOP_WITHIN)
        except TimeoutError:
            log.warning("the Socket Mode connection did not close within %ss", STOP_WITHIN)


async def _first_url(app: AsyncApp, app_token: str) -> str | None:
    """A WebSocket URL from ``apps.connections.open``; ``None`` leaves retrying to slack_sdk."""
    try:
        opened = await app.client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        code = error.response.get("error") if error.response else None
        if code in TOKEN_REFUSALS:
            raise ConfigError(
                f"Slack refused SLACK_APP_TOKEN ({code}): set it to the app-level token "
                "(xapp-…) with connections:write from your app's Basic Information page."
            ) from None
        log.warning("apps.connections.open failed (%s); retrying", code)
        return None
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("could not reach Slack for Socket Mode (%s); retrying", error)
        return None
    url = opened.get("url")
    return url if isinstance(url, str) else None


async def _listen(web_app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, host="0.0.0.0", port=port).start()
    return runner


async def _finish_work_after_acks(grace: float = 5.0) -> None:
    """Let listeners still running after their ack (DMs, Home redraws) finish first."""
    others = asyncio.all_tasks() - {asyncio.current_task()}
    if others:
        await asyncio.wait(others, timeout=grace)

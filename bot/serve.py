"""Running the app: over HTTP on $PORT, or over Socket Mode when an app token is set."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.app import EVENTS_PATH, build_app, health_app, hooks_app, http_app, web_session
from bot.config import ConfigError, Settings
from bot.domain.clock import SystemClock
from bot.runner import every_minute
from handlers.context import Services
from storage.db import Database, storage_failure

log = logging.getLogger(__name__)

SOCKET_PING_SECONDS = 3.0
"""How often the Socket Mode connection is pinged: a dropped one is noticed within seconds."""
STOP_WITHIN = 10.0
"""The contract: after SIGTERM or Ctrl-C the process is gone within this many seconds.
The budgets below (and the alert queue's ``FINISHING``) add up to less, one after the
other, with room for closing the database; each is there only if something overstays."""
REQUESTS_FINISH = 2.0
"""Seconds requests under way get to finish once the listening socket is closed."""
SOCKET_CLOSE = 1.0
"""How long closing the Socket Mode connection may take."""
BACKGROUND_FINISH = 1.5
"""Seconds the minute loop and checkpoints get, after the requests, to finish their round."""
AFTER_ACKS = 5.0
"""Seconds, last, for the work listeners do after their ack (DMs, a Home redraw settling
for a second): whatever of ``STOP_WITHIN`` the steps before left, less ``CLOSING``."""
CLOSING = 1.0
"""Seconds kept for closing the database and leaving the process."""
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
    """Serve until SIGTERM or SIGINT, then stop within ``STOP_WITHIN`` seconds.

    The first log line says how this server runs. A database that can't be used
    stops it at once (``DatabaseUnavailable``, one sentence from the CLI).
    """
    log.info("%s", settings.describe())
    quiet_about_junk()
    db = await Database.open(settings.database, pool=(settings.pool_min, settings.pool_max))
    try:
        db.serve_alone()
        async with web_session() as http:
            services = Services(settings=settings, db=db, clock=SystemClock(), http=http)
            await _serve(settings, services)
    finally:
        await db.close()


async def work(settings: Settings) -> None:
    """``python -m bot worker``: send what falls due until SIGTERM or SIGINT; serve no Slack.

    Any number of workers (and servers with ``HOTLEADS_WORKER=inline``) share the
    work through the due index. With ``PORT`` set, ``/healthz`` answers on it.
    """
    health = f"/healthz on port {settings.port}" if settings.port_set else "no HTTP"
    log.info("hotleads worker; database %s; %s", settings.database, health)
    db = await Database.open(settings.database, pool=(settings.pool_min, settings.pool_max))
    try:
        async with web_session() as http:
            services = Services(settings=settings, db=db, clock=SystemClock(), http=http)
            await _work(settings, services)
    finally:
        await db.close()


async def _work(settings: Settings, services: Services) -> None:
    """The health app owns the minute loop, as the server's web app does."""
    stop = _stop_on_signals()
    web_app = health_app()
    web_app.cleanup_ctx.append(_background("minute loop", lambda: every_minute(services, stop)))
    runner = web.AppRunner(web_app, shutdown_timeout=REQUESTS_FINISH)
    try:
        await runner.setup()
        if settings.port_set:
            await _listen(runner, settings.port)
        await stop.wait()
        log.info("stopping: finishing the workspaces under way")
    finally:
        stop.set()
        await runner.cleanup()


def _stop_on_signals() -> asyncio.Event:
    """Set by SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def _serve(settings: Settings, services: Services) -> None:
    """The web app owns every background task: started by its startup, stopped by its cleanup.

    On a signal: the listening socket closes, requests under way get
    ``REQUESTS_FINISH`` seconds, Socket Mode disconnects, the minute loop and the
    alert queue finish what they are sending (what they hold but haven't started
    stays for ``run-due``), and the work listeners do after their ack gets the rest.
    """
    resident = asyncio.all_tasks()  # the pool's own workers: they stop with the database
    app = build_app(services)
    stop = _stop_on_signals()
    loop = asyncio.get_running_loop()
    web_app = (
        hooks_app(services)
        if settings.app_token
        else http_app(app, settings.signing_secret, services)
    )
    web_app.cleanup_ctx.append(_background("checkpoints", lambda: services.db.keep_wal_short(stop)))
    if settings.worker == "inline":
        web_app.cleanup_ctx.append(_background("minute loop", lambda: every_minute(services, stop)))
    if settings.app_token:
        web_app.cleanup_ctx.append(_socket_mode(app, settings.app_token))
    runner = web.AppRunner(web_app, shutdown_timeout=REQUESTS_FINISH)
    try:
        await runner.setup()
        await _listen(runner, settings.port)
        where = "inbound hooks on" if settings.app_token else "listening on"
        path = "/hooks/" if settings.app_token else EVENTS_PATH
        log.info("hotleads %s http://0.0.0.0:%s%s", where, settings.port, path)
        await stop.wait()
        log.info("stopping: no new requests; finishing what is under way")
    finally:
        stop.set()
        stopping = loop.time()
        await runner.cleanup()
        left = STOP_WITHIN - CLOSING - (loop.time() - stopping)
        await _finish_work_after_acks(max(0.0, min(AFTER_ACKS, left)), resident)


CleanupContext = Callable[[web.Application], AbstractAsyncContextManager[None]]


def _background(name: str, work: Callable[[], Coroutine[Any, Any, None]]) -> CleanupContext:
    """A task that runs from the app's startup until ``stop``; cut off if it overstays."""

    @asynccontextmanager
    async def running(_: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(work(), name=name)
        task.add_done_callback(_said_if_failed)
        try:
            yield
        finally:
            await _finish(task, BACKGROUND_FINISH)

    return running


async def _finish(task: asyncio.Task[None], grace: float) -> None:
    """Wait for a task told to stop; cancel it after ``grace`` seconds. Never swallows our own
    cancellation: ``asyncio.wait`` doesn't raise the task's, and raises ours."""
    done, _ = await asyncio.wait({task}, timeout=grace)
    if not done:
        log.warning("%s did not stop within %gs: cut off", task.get_name(), grace)
        task.cancel()
        await asyncio.wait({task})


def _said_if_failed(task: asyncio.Task[None]) -> None:
    """A background task that dies says so when it does, not at shutdown."""
    if task.cancelled() or task.exception() is None:
        return
    error = task.exception()
    cause = storage_failure(error) if isinstance(error, Exception) else None
    if cause is None:
        log.error("%s stopped", task.get_name(), exc_info=error)
    else:
        log.error("%s stopped: the database refused it (%s)", task.get_name(), cause)


def _socket_mode(app: AsyncApp, app_token: str) -> CleanupContext:
    """The Socket Mode connection, for as long as the app runs.

    slack_sdk retries a refused connection forever; the token is therefore tried once
    first, and one Slack will never accept stops the app with a ConfigError (exit 2).
    """

    @asynccontextmanager
    async def connected(_: web.Application) -> AsyncIterator[None]:
        first_url = await _first_url(app, app_token)  # before the handler: nothing to close
        handler = AsyncSocketModeHandler(app, app_token, ping_interval=SOCKET_PING_SECONDS)
        handler.client.wss_uri = first_url
        connecting = asyncio.create_task(_connect(handler), name="socket mode")
        try:
            yield
        finally:
            connecting.cancel()
            await asyncio.wait({connecting})
            try:
                async with asyncio.timeout(SOCKET_CLOSE):
                    await handler.close_async()
            except TimeoutError:
                log.warning("the Socket Mode connection did not close within %gs", SOCKET_CLOSE)

    return connected


async def _connect(handler: AsyncSocketModeHandler) -> None:
    await handler.connect_async()
    log.info("hotleads connected to Slack over Socket Mode")


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


async def _listen(runner: web.AppRunner, port: int) -> None:
    try:
        await web.TCPSite(runner, host="0.0.0.0", port=port).start()
    except OSError as error:
        raise ConfigError(
            f"Can't listen on PORT {port} ({error.strerror or error}): stop what uses it, "
            "or set PORT to another number."
        ) from None


async def _finish_work_after_acks(grace: float, resident: set[asyncio.Task[Any]]) -> None:
    """Let listeners still running after their ack (DMs, Home redraws) finish first.

    Only tasks started while serving are waited for: ``resident`` ones (the PostgreSQL
    pool's workers) run until the database closes. What overstays the grace is
    cancelled before the database and the HTTP session close under it, and said in
    one line, not in a traceback per task.
    """
    others = asyncio.all_tasks() - resident - {asyncio.current_task()}
    if not others:
        return
    _, late = await asyncio.wait(others, timeout=grace)
    if late:
        log.warning(
            "stopped %d unfinished task(s) after %.1f s: %s",
            len(late),
            grace,
            ", ".join(sorted(task.get_name() for task in late))[:300],
        )
        for task in late:
            task.cancel()
        await asyncio.wait(late, timeout=CLOSING / 2)


class _JunkRequests(logging.Filter):
    """aiohttp answers a request it can't parse with 400 and logs its traceback.

    Anyone who can reach the port could fill the log that way. The access log
    already has one line for each such request (``"UNKNOWN / HTTP/1.0" 400``);
    the traceback stays for ``LOG_LEVEL=DEBUG``. Real errors are untouched.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if not isinstance(exc, HttpProcessingError):
            return True
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def quiet_about_junk() -> None:
    """One access-log line per malformed request, no traceback (see ``_JunkRequests``)."""
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, _JunkRequests) for f in server.filters):
        server.addFilter(_JunkRequests())

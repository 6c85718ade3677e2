"""Running the app: over HTTP on $PORT, or over Socket Mode when an app token is set."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.app import EVENTS_PATH, build_app, hooks_app, http_app
from bot.config import Settings
from bot.domain.clock import SystemClock
from bot.runner import every_minute
from handlers.context import Services
from storage.db import Database

log = logging.getLogger(__name__)


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
            handler = AsyncSocketModeHandler(app, settings.app_token)
            await handler.connect_async()
            log.info("hotleads connected to Slack over Socket Mode")
            runner = await _listen(hooks_app(services), settings.port)
            log.info("hotleads taking inbound hooks on http://0.0.0.0:%s/hooks/", settings.port)
            await stop.wait()
            await runner.cleanup()
            await handler.close_async()
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

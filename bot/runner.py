"""Running what is due: once from the command line, or every minute beside the server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from bot.app import team_clients
from bot.config import Settings
from bot.domain.clock import FixedClock
from handlers.context import Services
from handlers.delivery import run_due
from storage import events
from storage.db import Database, storage_failure

EVERY = 60.0
EVENTS_KEPT = timedelta(days=1)
"""How long an event id is remembered, so Slack's retries (within the hour) are known."""
TRIGGERS_KEPT = timedelta(minutes=10)
"""How long a trigger id is remembered: past Slack's 5-minute signature window, a replay is refused anyway."""

log = logging.getLogger(__name__)


async def run_due_once(settings: Settings, now: datetime) -> int:
    """``run-due``: one line per message sent or failed; exit 0 even if Slack refused one."""
    db = await Database.open(settings.database)
    try:
        services = Services(settings=settings, db=db, clock=FixedClock(now))
        clients = team_clients(services)
        for outcome in await run_due(services, clients, now):
            print(outcome.line(), flush=True)
    finally:
        await db.close()
    return 0


async def every_minute(services: Services, stop: asyncio.Event) -> None:
    """The server's own scheduler: the same check as ``run-due``, once a minute."""
    clients = team_clients(services)
    while not stop.is_set():
        try:
            now = services.clock.now()
            for outcome in await run_due(services, clients, now):
                log.info("run-due %s", outcome.line())
            async with services.db.transaction() as conn:
                await events.forget_before(conn, now - EVENTS_KEPT)
                await events.forget_triggers_before(conn, now - TRIGGERS_KEPT)
        except Exception as error:
            cause = storage_failure(error)
            if cause is None:
                log.exception("run-due failed; trying again in a minute")
            else:  # full, read-only or gone: one line a minute says it
                log.error("run-due couldn't use the database (%s); trying again in a minute", cause)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=EVERY)

"""Running what is due: once from the command line, or all along in a worker or beside the server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from bot.app import team_clients
from bot.config import Settings
from bot.domain.clock import FixedClock
from handlers.context import Services
from handlers.delivery import run_due, send_what_is_due
from storage import events
from storage.db import Database, storage_failure

EVERY = 60.0
TICK = 20.0
"""Seconds between looks at the due index: with ``delivery.LEASE``, a workspace whose worker
died is taken by another within a minute."""
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
    """The scheduler of a worker, or of a server with ``HOTLEADS_WORKER=inline``.

    Every ``TICK`` seconds it sends what the due index says is due (one statement
    when nothing is); once a minute it forgets old event and trigger ids.
    """
    clients = team_clients(services)
    forgotten_at: datetime | None = None
    while not stop.is_set():
        try:
            now = services.clock.now()
            for outcome in await send_what_is_due(services, clients, now):
                log.info("run-due %s", outcome.line())
            if forgotten_at is None or now - forgotten_at >= timedelta(seconds=EVERY):
                async with services.db.transaction() as conn:
                    await events.forget_before(conn, now - EVENTS_KEPT)
                    await events.forget_triggers_before(conn, now - TRIGGERS_KEPT)
                forgotten_at = now
        except Exception as error:
            cause = storage_failure(error)
            if cause is None:
                log.exception("run-due failed; trying again shortly")
            else:  # full, read-only or gone: one line a tick says it
                log.error("run-due couldn't use the database (%s); trying again shortly", cause)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=TICK)

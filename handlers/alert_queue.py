"""Instant alerts wait their turn behind the answers to the senders.

Each alert is several Slack calls and two short writes; started as a task per
signal, a burst of them shares the event loop and the write lock with the
answers still being worked out, and those answers waited (p99 224 ms at 50 a
second, see BENCHMARKS.md). Here one worker sends them one at a time, and only
while no answer is being worked out (or after ``PATIENCE`` seconds, so it never
starves). A full queue drops the alert: its signal is stored, and the next
``run-due`` sends it, claimed once like every delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator

WAITING = 1000
"""Alerts that may wait at once; past this, run-due sends them."""
PATIENCE = 0.5
"""Seconds an alert waits for a moment with no answer in the works before it goes anyway."""

Alert = Callable[[], Awaitable[None]]

log = logging.getLogger(__name__)


class AlertQueue:
    """A bounded queue of alerts, one worker, answers first."""

    def __init__(self, waiting: int = WAITING) -> None:
        self._queue: asyncio.Queue[Alert] = asyncio.Queue(waiting)
        self._answering = 0
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._worker: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Around the work of one answer: the worker waits while any is under way."""
        self._answering += 1
        self._quiet.clear()
        try:
            yield
        finally:
            self._answering -= 1
            if not self._answering:
                self._quiet.set()

    def put(self, alert: Alert) -> bool:
        """Queue an alert for after the answer; ``False`` when full (run-due will send it)."""
        try:
            self._queue.put_nowait(alert)
        except asyncio.QueueFull:
            log.warning("%d alerts waiting: this one waits for run-due", self._queue.qsize())
            return False
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._work())
        return True

    async def _work(self) -> None:
        while True:
            alert = await self._queue.get()
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._quiet.wait(), PATIENCE)
                await asyncio.sleep(0)  # the answer just worked out is written first
                await alert()
            except Exception:
                log.exception("an alert failed; run-due will retry it")
            finally:
                self._queue.task_done()

    async def drain(self) -> None:
        """Wait until every queued alert has been sent (tests, shutdown)."""
        await self._queue.join()

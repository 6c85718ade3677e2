"""Instant alerts wait their turn behind the answers to the senders.

Each alert is several Slack calls and two short writes; started as a task per
signal, a burst of them shares the event loop and the write lock with the
answers still being worked out, and those answers waited (p99 224 ms at 50 a
second, see BENCHMARKS.md). Here one worker sends them one at a time, and only
while no answer is being worked out (or after ``PATIENCE`` seconds, so it never
starves). A full queue drops the alert: its signal is stored, and the next
``run-due`` sends it, claimed once like every delivery.

The worker lives as long as the app (``running``, in the app's startup and
shutdown). Stopping, the queue takes no more alerts, lets the one being sent
finish, and leaves the others to ``run-due`` exactly as a full queue does: an
alert is claimed only when its sending starts, so none is ever half-sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

WAITING = 1000
"""Alerts that may wait at once; past this, run-due sends them."""
PATIENCE = 0.5
"""Seconds an alert waits for a moment with no answer in the works before it goes anyway."""
FINISHING = 2.0
"""Seconds, on shutdown, the alert being sent has to finish before it is cut off."""

Alert = Callable[[], Awaitable[None]]

log = logging.getLogger(__name__)


class AlertQueue:
    """A bounded queue of alerts, one worker, answers first."""

    def __init__(self, waiting: int = WAITING) -> None:
        self._queue: asyncio.Queue[Alert] = asyncio.Queue(waiting)
        self._answering = 0
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._open = False
        self._sending = False

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
        """Queue an alert for after the answer; ``False`` when full or stopped (run-due sends it)."""
        if not self._open:
            log.info("alerts are stopped: this one waits for run-due")
            return False
        try:
            self._queue.put_nowait(alert)
        except asyncio.QueueFull:
            log.warning("%d alerts waiting: this one waits for run-due", self._queue.qsize())
            return False
        return True

    @contextlib.asynccontextmanager
    async def running(self, finishing: float = FINISHING) -> AsyncIterator[None]:
        """The worker, from the app's startup to its shutdown (an aiohttp ``cleanup_ctx``)."""
        self._open = True
        worker = asyncio.create_task(self._work(), name="alert queue")
        try:
            yield
        finally:
            self._open = False
            await self._stop(worker, finishing)

    async def _stop(self, worker: asyncio.Task[None], finishing: float) -> None:
        if not self._sending:  # waiting for an alert, or for a quiet moment: nothing held
            worker.cancel()
        done, _ = await asyncio.wait({worker}, timeout=finishing)
        if not done:
            log.warning("an alert was still being sent after %gs: cut off", finishing)
            worker.cancel()
            await asyncio.wait({worker})
        left = self._queue.qsize()
        if left:
            log.info("%d alerts left for run-due to send", left)

    async def _work(self) -> None:
        while self._open:
            alert = await self._queue.get()
            try:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(PATIENCE):
                        await self._quiet.wait()
                await asyncio.sleep(0)  # the answer just worked out is written first
                if not self._open:
                    return
                self._sending = True
                await alert()
            except Exception:
                log.exception("an alert failed; run-due will retry it")
            finally:
                self._sending = False
                self._queue.task_done()

    async def drain(self) -> None:
        """Wait until every queued alert has been sent (tests)."""
        await self._queue.join()

"""Run a job at most once at a time per key; asks that arrive meanwhile share one rerun.

A rep logging ten touches in a minute needs their Home drawn once after the
last of them, not ten times: Slack rate-limits ``views.publish`` per user, and
every draw is database work that competes with the next command's ack.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable

Job = Callable[[], Awaitable[None]]


class Coalescer:
    def __init__(self) -> None:
        self._next: dict[Hashable, Job | None] = {}
        """Keys whose job is waiting or running, and the job last asked for meanwhile."""

    async def run(self, key: Hashable, job: Job, settle: float = 0.0) -> None:
        """Run ``job`` after ``settle`` seconds, or, if one for ``key`` is on its way,
        leave it to that one: a job asked for while another runs runs once more after it.
        """
        if key in self._next:
            self._next[key] = job
            return
        self._next[key] = None
        due: Job | None = job
        try:
            while due is not None:
                if settle:
                    await asyncio.sleep(settle)
                due, self._next[key] = self._next[key] or due, None
                await due()
                due, self._next[key] = self._next[key], None
        finally:
            del self._next[key]

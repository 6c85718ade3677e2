"""``python -m bot`` as an operator runs it: a real process, its output kept line by line.

Its environment is the one given, whole (``conftest.bot_env``), and it starts in a
folder without ``.env``: nothing of the developer's machine reaches it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp


class BotProcess:
    def __init__(
        self,
        env: dict[str, str],
        *args: str,
        cwd: Path | None = None,
        python: Sequence[str] = (sys.executable,),
    ) -> None:
        from conftest import NO_DOTENV

        self.env, self.args, self.cwd = env, args, cwd or NO_DOTENV
        self.python = list(python)
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reading: asyncio.Task[None] | None = None

    async def start(self) -> BotProcess:
        self.process = await asyncio.create_subprocess_exec(
            *self.python,
            "-m",
            "bot",
            *self.args,
            env=self.env,
            cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reading = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        while line := await self.process.stdout.readline():
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    @property
    def returncode(self) -> int | None:
        return self.process.returncode if self.process else None

    async def exited(self, within: float = 30) -> int:
        """Wait for the process to end by itself; its exit code."""
        assert self.process is not None and self._reading is not None
        await asyncio.wait_for(self.process.wait(), within)
        await self._reading
        return self.process.returncode or 0

    async def ready(self, port: int, within: float = 30) -> None:
        """Until ``GET /healthz`` answers 200; fails with the output if the process ends."""
        async with aiohttp.ClientSession() as session, asyncio.timeout(within):
            while True:
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as answer:
                        if answer.status == 200:
                            return
                assert self.returncode is None, self.output
                await asyncio.sleep(0.05)

    async def stop(self, signum: int = signal.SIGTERM, within: float = 10) -> float:
        """Send ``signum``; the seconds the process took to end (fails past ``within``)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signum)
        await self.exited(within)
        return time.monotonic() - started

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        if self._reading is not None:
            await self._reading

"""Socket Mode with Slack's side played on loopback: apps.connections.open, a WebSocket that
says hello and sends envelopes, a refused connection, and signals while it is refused.

``python -m bot serve`` runs as a real process, as an operator starts it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from conftest import SIGNING_SECRET, TEAM
from slack_requests import new_trigger_id

ROOT = Path(__file__).parent.parent
APP_TOKEN = "xapp-1-A0001-test"


class SlackSocket:
    """Slack's WebSocket end: hello first, then the envelopes queued; the app's acks kept."""

    def __init__(self) -> None:
        self.refuse = False
        self.attempts = 0
        self.envelopes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"ws://127.0.0.1:{port}/link"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        self.attempts += 1
        if self.refuse:
            return web.Response(status=503, text="refused")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        sender = asyncio.create_task(self._send(ws))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self.acks.put(json.loads(message.data))
        finally:
            sender.cancel()
        return ws

    async def _send(self, ws: web.WebSocketResponse) -> None:
        while True:
            await ws.send_json(await self.envelopes.get())


@pytest.fixture
async def slack_socket():
    fake = SlackSocket()
    await fake.start()
    yield fake
    await fake.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def serve(tmp_path: Path, slack, app_token: str = APP_TOKEN) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": app_token,
        "SLACK_API_URL": slack.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
        "PORT": str(free_port()),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def until(condition, timeout: float = 20) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def stopped_within(process: asyncio.subprocess.Process, signum: int) -> float:
    started = time.monotonic()
    process.send_signal(signum)
    await asyncio.wait_for(process.wait(), timeout=10)
    return time.monotonic() - started


def slash_command(text: str) -> dict[str, Any]:
    return {
        "envelope_id": "env-1",
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "acme",
            "channel_id": "C0001",
            "channel_name": "sales",
            "user_id": "U1",
            "user_name": "alice",
            "command": "/lead",
            "text": text,
            "api_app_id": "A0001",
            "response_url": "https://hooks.slack.com/commands/T0001/1/x",
            "trigger_id": new_trigger_id(),
        },
    }


async def test_hello_then_a_command_is_answered_over_the_socket(tmp_path, slack, slack_socket):
    slack.socket_url = slack_socket.url
    process = await serve(tmp_path, slack)
    try:
        await until(lambda: slack_socket.attempts >= 1)
        await slack_socket.envelopes.put(slash_command("add Jane Doe company:Acme source:referral"))
        ack = await asyncio.wait_for(slack_socket.acks.get(), timeout=20)
        assert ack["envelope_id"] == "env-1"
        assert "Added *Jane Doe* (Acme) #1" in json.dumps(ack["payload"])
        (opened,) = slack.calls_to("apps.connections.open")
        assert opened.headers["authorization"] == f"Bearer {APP_TOKEN}"
        assert await stopped_within(process, signal.SIGTERM) < 3
        assert process.returncode == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_refused_app_token_stops_with_one_sentence_and_exit_2(tmp_path, slack):
    process = await serve(tmp_path, slack, app_token="xapp-0-revoked")
    _, err = await asyncio.wait_for(process.communicate(), timeout=20)
    lines = [line for line in err.decode().splitlines() if line.startswith("hotleads:")]
    assert process.returncode == 2
    assert len(lines) == 1 and "SLACK_APP_TOKEN" in lines[0] and "invalid_auth" in lines[0]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_stops_it_within_a_second_while_slack_refuses(
    tmp_path, slack, slack_socket, signum
):
    slack.socket_url = slack_socket.url
    slack_socket.refuse = True
    process = await serve(tmp_path, slack)
    try:
        await until(lambda: slack_socket.attempts >= 2)  # refused, and retrying
        took = await stopped_within(process, signum)
        assert took < 1.5, f"took {took:.2f}s to stop"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

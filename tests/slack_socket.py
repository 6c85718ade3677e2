"""Slack's end of Socket Mode on loopback: a WebSocket that says hello, sends the envelopes
queued, and keeps the app's acks. The fake Web API's ``apps.connections.open`` hands out
its URL (``FakeSlack.socket_url``)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import WSMsgType, web
from slack_requests import new_trigger_id

TEAM = "T0001"


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


def slash_command(text: str, envelope_id: str = "env-1") -> dict[str, Any]:
    """A ``/lead`` command as Socket Mode wraps it."""
    return {
        "envelope_id": envelope_id,
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

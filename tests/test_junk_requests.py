"""Malformed HTTP from anyone who can reach the port: a 400, and at most one log line each.

aiohttp used to log a full traceback for every request it could not parse, so a
script could fill the log at will. The server is the real ``python -m bot`` at
``LOG_LEVEL=INFO`` (where the access log is on), fed raw bytes over a socket.
"""

from __future__ import annotations

import asyncio

import pytest
from bot_process import BotProcess
from conftest import SIGNING_SECRET, bot_env
from test_faults import free_port

KEY = "m14-t5ps54Nq3QsqhTqPrerpHEn1acJTF5FvboKhjUE="
CLIENT_HELLO = bytes.fromhex(
    "160301012c010001280303" + "5a" * 32 + "20" + "7b" * 32 + "003e130213031301c02cc030"
) + bytes(200)
JUNK = {
    "bad request line": b"GARBAGE\r\n\r\n",
    "negative length": b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "tls on the plain port": CLIENT_HELLO,
    "length and chunked": (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    ),
    "10 kB oauth state": (
        b"GET /slack/oauth_redirect?code=1234.5678&state=" + b"s" * 10_240 + b" HTTP/1.1\r\n"
        b"Host: x\r\n\r\n"
    ),
    "10 kB header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"j" * 10_240 + b"\r\n\r\n",
    "bad header name": b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n",
}


async def raw(port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(200), 10)
    finally:
        writer.close()


def environment(mode: str, port: int, slack_url: str, tmp_path) -> dict[str, str]:
    tokens = (
        {"SLACK_BOT_TOKEN": "xoxb-junk"}
        if mode == "one"
        else {
            "SLACK_CLIENT_ID": "1111.2222",
            "SLACK_CLIENT_SECRET": "fake-client-secret",
            "HOTLEADS_ENCRYPTION_KEY": KEY,
            "PUBLIC_URL": "https://hotleads.example.com",
        }
    )
    return bot_env(
        **tokens,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'h.db'}",
        PORT=str(port),
        LOG_LEVEL="INFO",
    )


@pytest.mark.parametrize("mode", ["one", "many"])
async def test_junk_gets_400_and_at_most_one_log_line(tmp_path, slack, mode):
    port = free_port()
    bot = await BotProcess(environment(mode, port, slack.url, tmp_path)).start()
    try:
        await bot.ready(port)
        await asyncio.sleep(0.2)
        for name, data in JUNK.items():
            before = len(bot.lines)
            answer = await raw(port, data)
            assert answer.split(b"\r\n")[0].endswith(b"400 Bad Request"), (name, answer)
            await asyncio.sleep(0.2)  # whatever the server logs about it
            logged = bot.lines[before:]
            assert len(logged) <= 1, (name, logged)
        assert "Traceback" not in bot.output, bot.output
        assert await raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") != b""  # still up
        await bot.stop()
        assert bot.returncode == 0
    finally:
        await bot.kill()


async def test_a_long_but_parseable_oauth_state_is_refused_in_one_line(tmp_path, slack):
    port = free_port()
    bot = await BotProcess(environment("many", port, slack.url, tmp_path)).start()
    try:
        await bot.ready(port)
        await asyncio.sleep(0.2)
        before = len(bot.lines)
        request = (
            b"GET /slack/oauth_redirect?code=1234.5678&state=" + b"s" * 6_000 + b" HTTP/1.1\r\n"
            b"Host: x\r\nConnection: close\r\n\r\n"
        )
        answer = await raw(port, request)
        status = answer.split(b"\r\n")[0]
        assert status.split()[1] in (b"400", b"401", b"403"), answer
        await asyncio.sleep(0.2)
        logged = bot.lines[before:]  # the install page's refusal, and the access line
        assert len(logged) <= 2 and "installation failed" in logged[0], logged
        assert "Traceback" not in bot.output, bot.output
    finally:
        await bot.kill()

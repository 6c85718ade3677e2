"""One workspace or many: hotleads decides, once, from its own variables; Bolt never does.

Every combination of the three mode variables (unset, empty, set) starts the real
``python -m bot``: it runs in the mode the table says, answering as that mode
answers, or stops with one sentence naming the variables and exit code 2. Bolt
reads ``SLACK_CLIENT_ID`` and friends on its own and, seeing even empty ones,
used to switch on its OAuth and ignore the bot token: every ``/lead`` then failed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import aiohttp
import pytest
from bot_process import BotProcess
from conftest import SIGNING_SECRET, bot_env, reply_text, running_hotleads
from slack_requests import SlackSender
from test_faults import free_port

KEY = "m14-t5ps54Nq3QsqhTqPrerpHEn1acJTF5FvboKhjUE="
VALUES = {
    "SLACK_BOT_TOKEN": "xoxb-mode-token",
    "SLACK_CLIENT_ID": "1111.2222",  # what the fake Slack issues tokens for
    "SLACK_CLIENT_SECRET": "fake-client-secret",
}
STATES = ("unset", "empty", "set")
COMBINATIONS = list(itertools.product(STATES, repeat=3))


def expected(token: str, client_id: str, secret: str) -> tuple[str, set[str]]:
    """The table: ``("one" | "many", set())`` or ``("refused", variables the sentence names)``."""
    pair = {"SLACK_CLIENT_ID"} if client_id == "set" else set()
    pair |= {"SLACK_CLIENT_SECRET"} if secret == "set" else set()
    if token == "set" and pair:
        return "refused", {"SLACK_BOT_TOKEN", *pair}
    if len(pair) == 1:
        return "refused", {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"}
    if pair:
        return "many", set()
    if token == "set":
        return "one", set()
    return "refused", {"SLACK_BOT_TOKEN"}


def environment(states: tuple[str, str, str], api_url: str, database: Path, port: int) -> dict:
    env = bot_env(
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        HOTLEADS_ENCRYPTION_KEY=KEY,
        SLACK_API_URL=api_url,
        DATABASE_URL=f"sqlite:///{database}",
        PORT=str(port),
        LOG_LEVEL="INFO",
    )
    for name, state in zip(VALUES, states, strict=True):
        if state == "unset":
            del env[name]
        else:
            env[name] = VALUES[name] if state == "set" else ""
    return env


@pytest.mark.parametrize("states", COMBINATIONS, ids=["-".join(states) for states in COMBINATIONS])
async def test_every_combination_of_the_mode_variables(tmp_path, slack, states):
    mode, named = expected(*states)
    port = free_port()
    bot = await BotProcess(environment(states, slack.url, tmp_path / "h.db", port)).start()
    try:
        if mode == "refused":
            assert await bot.exited() == 2, bot.output
            assert len(bot.lines) == 1 and bot.lines[0].startswith("hotleads: "), bot.lines
            assert all(name in bot.lines[0] for name in named), bot.lines
            return
        await bot.ready(port)
        first = bot.lines[0]
        assert ("many workspaces" if mode == "many" else "one workspace (SLACK_BOT_TOKEN)") in first
        assert f"HTTP on port {port}" in first and str(tmp_path / "h.db") in first
        if mode == "one":
            url = f"http://127.0.0.1:{port}/slack/events"
            async with SlackSender(url, SIGNING_SECRET) as sender:
                status, reply = await sender.command("help")
            assert status == 200 and "keeps your leads" in reply_text(reply), reply
            # The rep is looked up after the ack, with the bot token, not an installation's.
            (asked,) = await slack.wait_for("users.info")
            assert asked.token == VALUES["SLACK_BOT_TOKEN"]
        else:
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{port}/slack/install") as answer,
            ):
                page = await answer.text()
            assert answer.status == 200 and "client_id=1111.2222" in page, page
        await bot.stop()
        assert bot.returncode == 0 and "Traceback" not in bot.output, bot.output
    finally:
        await bot.kill()


BOLT_READS_ON_ITS_OWN = {
    "SLACK_CLIENT_ID": "",
    "SLACK_CLIENT_SECRET": "",
    "SLACK_SCOPES": "channels:history",
    "SLACK_USER_SCOPES": "admin",
    "SLACK_REDIRECT_URI": "https://evil.example.com/",
    "SLACK_INSTALL_PATH": "/elsewhere",
    "SLACK_REDIRECT_URI_PATH": "/elsewhere/redirect",
    "SLACK_SIGNING_SECRET": "not-the-secret",
    "SLACK_BOT_TOKEN": "xoxb-not-this-one",
    "SLACK_VERIFICATION_TOKEN": "legacy",
    "SLACK_APP_TOKEN": "xapp-not-this-one",
}
"""What slack_bolt's ``AsyncApp`` and ``AsyncOAuthSettings`` read from the environment."""


@pytest.mark.parametrize("client_pair", ["", "set"])
async def test_slack_variables_in_the_process_environment_change_nothing(
    tmp_path, slack, monkeypatch, client_pair
):
    """The app under test is built from its settings; the process's SLACK_* are Bolt's bait."""
    for name, value in BOLT_READS_ON_ITS_OWN.items():
        monkeypatch.setenv(name, value)
    if client_pair:
        monkeypatch.setenv("SLACK_CLIENT_ID", VALUES["SLACK_CLIENT_ID"])
        monkeypatch.setenv("SLACK_CLIENT_SECRET", VALUES["SLACK_CLIENT_SECRET"])
    async with running_hotleads(tmp_path / "h.db", slack) as hotleads:
        reply = await hotleads.command("add Jane Doe company:Acme source:referral")
        assert "Added *Jane Doe* (Acme) #1" in reply_text(reply), reply
        async with (
            aiohttp.ClientSession() as session,
            session.get(hotleads.url.replace("/slack/events", "/slack/install")) as answer,
        ):
            assert answer.status == 404  # no OAuth in one-workspace mode
    assert {c.token for c in slack.calls if c.token} == {"xoxb-test-token"}

"""Arbitrary text through ``/lead``, end to end: the handler never fails a rep.

One real app (and one fake Slack) serves every example: hypothesis runs its
examples inside this test, which owns the event loop, because function-scoped
async fixtures would be set up once and shared across examples anyway.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web
from conftest import SIGNING_SECRET, START, TEAM, reply_text
from fake_slack import FakeSlack, Refusal, check_content
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_requests import SlackSender

from bot.app import build_app, http_app
from bot.config import Settings
from bot.domain.clock import FixedClock
from handlers.context import Services
from storage.db import Database
from storage.engine import Address

WORDS = [
    "add", "log", "show", "list", "snooze", "edit", "won", "lost", "reopen", "assign",
    "settings", "digest", "export", "help", "hot", "warm", "cold", "all", "mine", "team",
    "call", "quote", "demo", "note", "off", "in 3 days", "next monday", "#1", "#2", "#0",
    "#99999999999999999999", "company:", "source:", "email:", "phone:", "owner:", "note:",
    "when:", "name:", "channel:", "time:", "tz:", "quiet:", "days:", "referral", "Acme",
    "<@U2|bob>", "<@U1>", "<#C1|sales>", '"', '""', "\\", "*", "_", "~", "`", "<", ">", "&",
    ":fire:", "\u200b", "\n", "🔥", "ÄÖÜ", "x" * 300, "yesterday 3pm", "tomorrow",
]  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(WORDS) | st.text(max_size=12), max_size=12).map(" ".join),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map("".join),
)
FAILED = "Something went wrong"


class Running:
    """The real app on loopback with a fake Slack, started once for all examples."""

    async def start(self, path) -> None:
        self.slack = FakeSlack(team_id=TEAM)
        await self.slack.start()
        self.slack.default_user = {"tz": "Europe/Berlin", "is_admin": True}
        config = Settings(
            bot_token="xoxb-fuzz",
            signing_secret=SIGNING_SECRET,
            slack_api_url=self.slack.url,
            database=Address.sqlite(path),
            admins=frozenset({"UADMIN"}),
        )
        self.db = await Database.open(path)
        services = Services(settings=config, db=self.db, clock=FixedClock(START))
        self.runner = web.AppRunner(http_app(build_app(services), config.signing_secret))
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/slack/events"
        self.sender = SlackSender(url, SIGNING_SECRET, response_url=self.slack.response_url("c"))
        await self.sender.command('add Jane Doe company:Acme source:referral note:"first"')

    async def stop(self) -> None:
        await asyncio.sleep(0.5)  # work after the last ack (uploads, users.info) to finish
        await self.sender.close()
        await self.runner.cleanup()
        await self.db.close()
        await self.slack.stop()


async def ask(app: Running, text: str) -> None:
    started = time.perf_counter()
    status, body = await app.sender.command(text)
    took = time.perf_counter() - started
    assert status == 200, (text, status, body)
    assert took < 3, f"{text!r} took {took:.1f}s"
    if body == "":  # acked empty: the subcommand opened a modal or answers after the ack
        return
    assert isinstance(body, dict) and body.get("response_type") == "ephemeral", body
    assert FAILED not in reply_text(body), (text, body)
    try:
        check_content(body)
    except Refusal as refusal:
        raise AssertionError(
            f"{text!r}: Slack would refuse the reply: {refusal.messages}"
        ) from None


def test_any_text_gets_an_answer_slack_accepts(tmp_path, caplog):
    loop = asyncio.new_event_loop()
    app = Running()
    loop.run_until_complete(app.start(tmp_path / "fuzz.db"))
    try:

        @settings(
            max_examples=60,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(text=TEXT)
        def one(text: str) -> None:
            loop.run_until_complete(ask(app, text))

        with caplog.at_level(logging.ERROR):
            one()
    finally:
        loop.run_until_complete(app.stop())
        loop.close()
    assert app.slack.rejections == [], app.slack.rejections
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []

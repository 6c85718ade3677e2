"""The generic hook against its own OpenAPI document, with schemathesis generating requests.

Every answer must be one the document describes (status, content type, body),
never a 5xx, and a refused request must store nothing. The server runs in its
own thread and loop, since schemathesis calls it synchronously.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import threading
from pathlib import Path

import pytest
import schemathesis
from fake_slack import FakeSlack
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot import openapi
from bot.app import build_app, http_app
from bot.config import Settings
from bot.domain.clock import SystemClock
from bot.domain.hooks import new_hook
from handlers.context import Services
from storage import hooks
from storage.db import Database
from storage.engine import Address

ROOT = Path(__file__).parent.parent
schema = schemathesis.openapi.from_dict(openapi.document())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
"""What the document promises; which valid-looking bodies the lead rules refuse (a 400) it can't say."""
HOOKS = 8
"""Live hooks the cases take turns on: schemathesis sends a few hundred requests (its
coverage phase comes on top of the 30 examples), more than one hook's 120 a minute."""
TABLES = ("leads", "interactions", "lead_signals", "hook_deliveries", "hook_signals")


class Server:
    """hotleads and a fake Slack on loopback, in a thread of their own."""

    def __init__(self, path: Path) -> None:
        self.path, self.loop = path, asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=30)

    async def _start(self) -> None:
        from aiohttp import web

        self.slack = FakeSlack(team_id="T0001")
        await self.slack.start()
        config = Settings(
            bot_token="xoxb-test",
            signing_secret="s" * 32,
            slack_api_url=self.slack.url,
            database=Address.sqlite(self.path),
            admins=frozenset(),
        )
        self.db = await Database.open(self.path)
        services = Services(settings=config, db=self.db, clock=SystemClock())
        made = [
            new_hook(
                team_id="T0001",
                type="generic",
                kind="quote",
                owner="UANA",
                created_by="UADMIN",
                now=services.clock.now(),
            )
            for _ in range(HOOKS)
        ]
        async with self.db.transaction() as conn:
            for one in made:
                await hooks.create(conn, one.hook)
        self.live = [(one.hook.id, one.secret) for one in made]
        self.turns = itertools.count()
        self.runner = web.AppRunner(http_app(build_app(services), config.signing_secret, services))
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    def stop(self) -> None:
        async def _stop() -> None:
            await self.runner.cleanup()
            await self.db.close()
            await self.slack.stop()

        asyncio.run_coroutine_threadsafe(_stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()  # left open, its garbage collection fails the run at exit


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("schema") / "hotleads.db")
    running.start()
    yield running
    running.stop()


def stored(path: Path) -> list:
    with sqlite3.connect(path) as conn:
        return [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]


@schema.include(path="/hooks/{hook_id}").parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_generic_hook_answers_only_as_its_document_says(case, server):
    turn = next(server.turns)
    hook_id, secret = server.live[turn % HOOKS]
    live = bool(case.path_parameters and case.path_parameters.get("hook_id")) and turn % 4 != 3
    if live:  # three cases in four on a live hook, the fourth on the generated id
        case.path_parameters["hook_id"] = hook_id
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {secret}"}
    before = stored(server.path)
    response = case.call(base_url=server.url, timeout=10)
    assert response.status_code < 500, response.text
    assert not (live and response.status_code == 429), "the hooks ran out of rate: add more"
    case.validate_response(response, checks=CHECKS)
    if response.status_code != 200:
        assert stored(server.path) == before, "a refused request stored something"

"""The real app on loopback, a fake Slack beside it, and a clock the tests move."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from fake_slack import FakeSlack
from slack_requests import SlackSender

from bot.app import build_app, http_app, web_client
from bot.config import Settings
from bot.domain.clock import FixedClock
from bot.domain.lead import Lead
from handlers.context import Services
from handlers.delivery import Outcome, run_due
from storage import leads, snapshot, users
from storage.db import Database

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0001"
# Monday 23 November 2026, 10:00 UTC.
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@dataclass
class Hotleads:
    """A running hotleads and the means to talk to it as Slack would."""

    services: Services
    clock: FixedClock
    slack: FakeSlack
    sender: SlackSender
    url: str

    @property
    def db(self) -> Database:
        return self.services.db

    async def command(self, text: str, **fields: str) -> dict:
        """Send ``/lead <text>``; return the ephemeral reply it was acked with."""
        status, body = await self.sender.command(text, **fields)
        assert status == 200, body
        return body

    async def user_cached(self, user_id: str = "U1", timeout: float = 5) -> None:  # noqa: ASYNC109
        """Wait until the app has stored what Slack said of ``user_id`` (its zone, its rights).

        The app asks ``users.info`` after the ack and saves the answer after that:
        seeing the call in the fake is not yet seeing the row.
        """
        async with asyncio.timeout(timeout):
            while await users.get(self.db.reader, TEAM, user_id) is None:  # noqa: ASYNC110 (a row, not an event)
                await asyncio.sleep(0.01)

    async def run_due(self) -> list[Outcome]:
        """What ``run-due`` does, at the fake clock's time."""
        return await run_due(self.services, web_client(self.services), self.clock.now())


def reply_text(reply: dict) -> str:
    """Everything a reply shows, flattened, for assertions on wording."""
    parts = [reply.get("text", "")]
    for block in reply.get("blocks", []):
        parts += _texts(block)
    return "\n".join(parts)


def mrkdwn_text(reply: dict) -> str:
    """Only what Slack parses for mentions and links: the fallback text and mrkdwn objects."""
    return "\n".join([reply.get("text", ""), *_texts(reply.get("blocks", []), only_mrkdwn=True)])


def _texts(node, only_mrkdwn: bool = False) -> list[str]:
    if isinstance(node, dict):
        found = []
        if isinstance(node.get("text"), str) and (not only_mrkdwn or node.get("type") == "mrkdwn"):
            found.append(node["text"])
        for value in node.values():
            if isinstance(value, dict | list):
                found += _texts(value, only_mrkdwn)
        return found
    if isinstance(node, list):
        return [t for item in node for t in _texts(item, only_mrkdwn)]
    return []


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(team_id=TEAM)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def hotleads(tmp_path, slack) -> AsyncIterator[Hotleads]:
    async with running_hotleads(tmp_path / "hotleads.db", slack) as running:
        yield running


@asynccontextmanager
async def running_hotleads(path: Path, slack: FakeSlack) -> AsyncIterator[Hotleads]:
    """The app on loopback over the database at ``path``, opened (and migrated) as serve does."""
    settings = Settings(
        bot_token="xoxb-test-token",
        signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        database_path=path,
        admins=frozenset({"UADMIN"}),
    )
    db = await Database.open(settings.database_path)
    clock = FixedClock(START)
    services = Services(settings=settings, db=db, clock=clock)
    runner = web.AppRunner(http_app(build_app(services), settings.signing_secret, services))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}/slack/events"
    sender = SlackSender(url, SIGNING_SECRET, response_url=slack.response_url("cmd"))
    try:
        yield Hotleads(services, clock, slack, sender, url)
    finally:
        await sender.close()
        await runner.cleanup()
        await db.close()
        assert slack.rejections == [], f"the app sent what Slack would refuse: {slack.rejections}"


async def every_lead(db: Database, team_id: str) -> list[Lead]:
    """Every lead of a workspace, by number: what the tests check the app against."""
    batches = await asyncio.to_thread(lambda: list(snapshot.leads_of(db.path, team_id)))
    return [lead for batch in batches for lead in batch]


STORED_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
"""``now`` for storage tests that need no clock."""


@pytest.fixture
async def db(tmp_path) -> AsyncIterator[Database]:
    """A fresh database file, migrated by the real code."""
    database = await Database.open(tmp_path / "hotleads.db")
    yield database
    await database.close()


async def add_lead(
    db: Database,
    team: str = "T1",
    name: str = "Jane Doe",
    company: str = "Acme",
    email: str = "",
    source: str = "referral",
    at: datetime = STORED_NOW,
) -> Lead:
    async with db.transaction() as conn:
        return await leads.create(
            conn,
            team_id=team,
            name=name,
            company=company,
            email=email,
            source=source,
            owner="U1",
            created_by="U1",
            now=at,
        )

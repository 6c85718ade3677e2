"""The real app on loopback, a fake Slack beside it, and a clock the tests move.

The ``db`` and ``hotleads`` fixtures run each test on SQLite and, when
``TEST_DATABASE_URL`` names a PostgreSQL database, again on PostgreSQL, in a
schema of its own that is dropped after. ``HOTLEADS_REQUIRE_POSTGRES=1`` (CI)
makes a missing PostgreSQL a failure rather than a skip.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp import web
from fake_slack import WAIT, FakeSlack
from slack_requests import SlackSender

from bot.app import build_app, http_app, web_client
from bot.config import VARIABLES, Settings
from bot.domain.clock import FixedClock
from bot.domain.lead import Lead
from handlers.context import Services
from handlers.delivery import run_due
from handlers.send_once import Outcome
from storage import leads, snapshot, users
from storage.db import Database
from storage.engine import Address

ROOT = Path(__file__).parent.parent
NO_DOTENV = Path(tempfile.mkdtemp(prefix="hotleads-cwd-"))
"""Where the ``python -m bot`` processes the tests start run: a folder without ``.env``
(the CLI reads ``.env`` from its working directory only, so the project's is never seen)."""
atexit.register(shutil.rmtree, NO_DOTENV, True)


def bot_env(**values: str) -> dict[str, str]:
    """The whole environment of a ``python -m bot`` a test starts.

    Every variable hotleads reads is set, empty unless given, so neither the
    caller's environment nor a ``.env`` (which never overrides a variable already
    set) can add one: a developer's own tokens or database change no test.
    """
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}
    return {**base, **dict.fromkeys(VARIABLES, ""), **values}


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

    async def change_settings(self, text: str, user_id: str = "UADMIN") -> dict:
        """``/lead settings <text>`` by an admin; the answer, which comes after the ack.

        The change is made after Slack confirms the rights, so a test reading the
        settings must wait for this answer, not the "Checking…" ack.
        """
        self.slack.responses["cmd"].clear()
        await self.command(f"settings {text}", user_id=user_id)
        (answer,) = await self.slack.wait_for_responses("cmd")
        return answer

    async def user_cached(self, user_id: str = "U1", timeout: float = WAIT) -> None:  # noqa: ASYNC109
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


TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
REQUIRE_POSTGRES = os.environ.get("HOTLEADS_REQUIRE_POSTGRES") == "1"
NO_POSTGRES = (
    "PostgreSQL tests need TEST_DATABASE_URL=postgresql://user@host:5432/db "
    "(e.g. postgresql://root@127.0.0.1:5432/test); each test gets a schema of its own"
)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line for the PostgreSQL half of the suite, instead of a line per skipped test."""
    skipped = terminalreporter.stats.get("skipped", [])
    without = sum(1 for report in skipped if NO_POSTGRES in str(report.longrepr))
    if without:
        terminalreporter.write_line(f"{without} tests skipped without PostgreSQL. {NO_POSTGRES}.")


def need_postgres() -> str:
    """The test database's URL, or a skip (a failure in CI) saying how to get one."""
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    if REQUIRE_POSTGRES:
        pytest.fail(f"HOTLEADS_REQUIRE_POSTGRES=1 but no PostgreSQL: {NO_POSTGRES}")
    pytest.skip(NO_POSTGRES)


@asynccontextmanager
async def fresh_schema() -> AsyncIterator[Address]:
    """A new, empty schema in the test database, as a URL that uses it; dropped after."""
    import psycopg

    url = need_postgres()
    name = f"t_{uuid.uuid4().hex[:12]}"
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as admin:
        await admin.execute(f"CREATE SCHEMA {name}")
        try:
            joiner = "&" if "?" in url else "?"
            yield Address(f"{url}{joiner}options={quote(f'-csearch_path={name}')}")
        finally:
            await admin.execute(f"DROP SCHEMA {name} CASCADE")


@asynccontextmanager
async def fresh_database(backend: str, tmp_path: Path) -> AsyncIterator[Address]:
    """Where a test's database goes: a file in ``tmp_path``, or a fresh PostgreSQL schema."""
    if backend == "postgres":
        async with fresh_schema() as address:
            yield address
    else:
        yield Address.sqlite(tmp_path / "hotleads.db")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
async def hotleads(tmp_path, slack, backend) -> AsyncIterator[Hotleads]:
    async with (
        fresh_database(backend, tmp_path) as address,
        running_hotleads(address, slack) as running,
    ):
        yield running


@asynccontextmanager
async def running_hotleads(where: Path | Address, slack: FakeSlack) -> AsyncIterator[Hotleads]:
    """The app on loopback over the database at ``where``, opened (and migrated) as serve does."""
    settings = Settings(
        bot_token="xoxb-test-token",
        signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        database=where if isinstance(where, Address) else Address.sqlite(where),
        admins=frozenset({"UADMIN"}),
    )
    db = await Database.open(settings.database)
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


async def lead_no(hotleads, number: int, team: str = TEAM) -> Lead:
    """Lead ``number`` of ``team``, as stored now."""
    lead = await leads.get(hotleads.db.reader, team, number)
    assert lead is not None, f"no lead #{number}"
    return lead


async def every_lead(db: Database, team_id: str) -> list[Lead]:
    """Every lead of a workspace, by number: what the tests check the app against."""
    batches = await asyncio.to_thread(lambda: list(snapshot.leads_of(db.address, team_id)))
    return [lead for batch in batches for lead in batch]


STORED_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
"""``now`` for storage tests that need no clock."""


@pytest.fixture
async def db(tmp_path, backend) -> AsyncIterator[Database]:
    """A fresh database, migrated by the real code, on each engine."""
    async with fresh_database(backend, tmp_path) as address:
        database = await Database.open(address)
        yield database
        await database.close()


@pytest.fixture
async def sqlite_db(tmp_path) -> AsyncIterator[Database]:
    """A fresh database file, for what only SQLite has (pragmas, the log)."""
    database = await Database.open(tmp_path / "hotleads.db")
    yield database
    await database.close()


def plain_lead(number: int, at: datetime, **fields: object) -> Lead:
    """A lead as the pure core sees it, never stored: numbered ``number``, every time ``at``,
    no contact fields; ``fields`` say what a test cares about."""
    values: dict[str, object] = {
        "id": number,
        "team_id": "T1",
        "number": number,
        "name": f"L{number}",
        "company": "",
        "email": "",
        "phone": "",
        "source": "cold",
        "owner": "U1",
        "status": "open",
        "lost_reason": "",
        "created_by": "U1",
        "created_at": at,
        "updated_at": at,
        "last_touch_at": None,
        "snoozed_until": None,
        "score": 0,
        "scored_at": at,
        "hot_until": at,
        "warm_until": at,
        "signals": {},
    }
    return Lead(**{**values, **fields})  # type: ignore[arg-type]


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

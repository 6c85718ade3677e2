"""Scheduled work off the answering loop: workspaces run side by side, each on its own.

In one process (many workspaces, the fake Slack): a workspace whose token was revoked
is skipped without holding up the others, and a 429 for one delays no other. Then as
an operator runs it, on PostgreSQL: ``python -m bot worker`` processes beside a web
process with ``HOTLEADS_WORKER=off`` send each digest once, and a worker killed with
SIGKILL has its workspaces taken over within a minute.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta

import pytest
from bot_process import BotProcess
from conftest import SIGNING_SECRET, bot_env, fresh_schema
from test_faults import free_port
from test_oauth import MONDAY_0900, hosted  # noqa: F401 -- the fixture, for many workspaces

from bot.app import team_clients
from bot.domain.schedule import WorkspaceSettings
from handlers.delivery import AT_ONCE, LEASE, send_what_is_due
from storage import deliveries, due, leads
from storage.db import Database
from storage.engine import Address

TEAMS = ("TACME", "TBETA", "TGAMMA")


async def installed_with_a_digest_due(hosted) -> None:  # noqa: F811
    for team in TEAMS:
        await hosted.install(team, team.title())
        async with hosted.sender(team) as sender:
            await sender.command("settings channel:<#CSALES|sales>", user_id="UADMIN", team_id=team)
            await sender.command("add Jane Doe source:referral", team_id=team)
            await hosted.slack.wait_for_responses(team)
    hosted.clock.moment = MONDAY_0900 + timedelta(days=1)


async def minute(hosted) -> list:  # noqa: F811
    clients = team_clients(hosted.services)
    return await send_what_is_due(hosted.services, clients, hosted.clock.now())


def team_of(hosted, call) -> str:  # noqa: F811
    return hosted.slack.tokens[call.token]["team"]["id"]


async def test_a_revoked_workspace_is_skipped_and_the_others_get_their_digests(hosted):  # noqa: F811
    await installed_with_a_digest_due(hosted)
    hosted.slack.revoke("TBETA")
    sent = {(o.team_id, o.kind): (o.status, o.error) for o in await minute(hosted)}
    assert sent == {
        ("TACME", "digest"): ("sent", None),
        ("TBETA", "digest"): ("refused", "token_revoked"),
        ("TGAMMA", "digest"): ("sent", None),
    }
    later = hosted.clock.now() + timedelta(days=1)
    assert await due.due_at(hosted.db.reader, "TBETA") == later  # switched off: looked at daily
    hosted.slack.calls.clear()
    assert await minute(hosted) == []  # and nothing again in the same minute
    assert hosted.slack.calls == []


async def test_a_429_for_one_workspace_delays_no_other(hosted):  # noqa: F811
    await installed_with_a_digest_due(hosted)
    hosted.slack.fail_next("chat.postMessage", status=429, retry_after=2)
    sent = await minute(hosted)
    assert sorted((o.team_id, o.status) for o in sent if o.kind == "digest") == [
        (team, "sent") for team in TEAMS
    ]
    posts = hosted.slack.calls_to("chat.postMessage")
    (limited,) = [n for n, call in enumerate(posts) if call.error == "ratelimited"]
    waited = team_of(hosted, posts[limited])
    retried = next(
        n for n, call in enumerate(posts) if n > limited and team_of(hosted, call) == waited
    )
    others = {team_of(hosted, call) for call in posts[limited + 1 : retried] if call.ok}
    assert others == set(TEAMS) - {waited}  # both went out while it waited out Retry-After


# Processes on PostgreSQL ----------------------------------------------------------------

MANY = 24


@pytest.fixture
async def pg_due():
    """``MANY`` workspaces, each with a lead and a digest due today (00:00 UTC, every day)."""
    async with fresh_schema() as pg:
        await _digests_due(pg)
        yield pg


async def _digests_due(pg) -> None:
    db = await Database.open(pg)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    every_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    try:
        async with db.transaction() as conn:
            for n in range(MANY):
                team = f"T{n:03d}"
                await leads.create(
                    conn,
                    team_id=team,
                    name="Jane Doe",
                    source="referral",
                    owner="U1",
                    created_by="U1",
                    now=today,
                )
                settings = WorkspaceSettings(
                    team, f"C{team}", "00:00", "UTC", digest_days=every_day
                )
                await deliveries.save_settings(conn, settings, "UADMIN", today)
    finally:
        await db.close()


def process_env(pg, slack, **more: str) -> dict[str, str]:
    return bot_env(
        SLACK_BOT_TOKEN="xoxb-workers",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.url,
        DATABASE_URL=pg.url,
        LOG_LEVEL="WARNING",
        **more,
    )


def digests_by_channel(slack) -> dict[str, int]:
    counted: dict[str, int] = {}
    for call in slack.calls_to("chat.postMessage"):
        if call.ok and str(call.params["channel"]).startswith("CT"):
            counted[call.params["channel"]] = counted.get(call.params["channel"], 0) + 1
    return counted


async def until_sent(slack, count: int, within: float) -> None:
    async with asyncio.timeout(within):
        while len(digests_by_channel(slack)) < count:  # noqa: ASYNC110 (calls, not an event)
            await asyncio.sleep(0.1)


@pytest.mark.postgres
async def test_three_workers_and_a_web_process_send_each_digest_once(pg_due, slack):
    slack.latency = 0.05
    web_port = free_port()
    web = BotProcess(process_env(pg_due, slack, PORT=str(web_port), HOTLEADS_WORKER="off"))
    health = free_port()
    workers = [
        BotProcess(
            process_env(pg_due, slack, **({"PORT": str(health)} if n == 0 else {})), "worker"
        )
        for n in range(3)
    ]
    try:
        await web.start()
        await web.ready(web_port)
        await asyncio.gather(*(worker.start() for worker in workers))
        await workers[0].ready(health)  # a worker with PORT answers /healthz, and only that
        await until_sent(slack, MANY, within=60)
        await asyncio.sleep(1)  # anything sent twice would come now
    finally:
        for process in (web, *workers):
            if process.returncode is None:
                await process.stop(signal.SIGTERM)
    assert digests_by_channel(slack) == {f"CT{n:03d}": 1 for n in range(MANY)}
    for process in (web, *workers):
        assert "Traceback" not in process.output, process.output


@pytest.mark.postgres
async def test_a_killed_workers_workspaces_are_taken_over_within_a_minute(pg_due, slack):
    slack.latency = 0.3  # slow enough to kill the first worker part-way
    first = BotProcess(process_env(pg_due, slack), "worker")
    second = None
    try:
        await first.start()
        await until_sent(slack, 1, within=30)
        await first.kill()
        db = await Database.open(pg_due)
        try:  # a send under way at the kill stays claimed: never sent twice, so not retried now
            rows = await db.reader.fetchall(
                "SELECT recipient FROM deliveries WHERE status = 'claimed'"
            )
        finally:
            await db.close()
        in_flight = {row[0] for row in rows} - set(digests_by_channel(slack))
        assert len(in_flight) < MANY // 2, "the kill should leave workspaces untouched"
        second = await BotProcess(process_env(pg_due, slack), "worker").start()
        # The dead worker's lease ends, the next tick takes its workspaces: a minute at most.
        await until_sent(slack, MANY - len(in_flight), within=LEASE.total_seconds() + 20 + 30)
    finally:
        if second is not None:
            await second.stop(signal.SIGTERM)
    counted = digests_by_channel(slack)
    assert set(counted) == {f"CT{n:03d}" for n in range(MANY)} - in_flight
    assert all(times == 1 for times in counted.values()), counted


async def test_a_worker_sends_over_a_few_kept_connections_not_one_per_call(tmp_path, slack):
    """One HTTP session per process: ``MANY`` digests, at most ``AT_ONCE`` connections."""
    address = Address.sqlite(tmp_path / "hotleads.db")
    await _digests_due(address)
    worker = await BotProcess(process_env(address, slack), "worker").start()
    try:
        await until_sent(slack, MANY, within=60)
    finally:
        await worker.stop(signal.SIGTERM)
    assert len(slack.calls_to("chat.postMessage")) == MANY
    assert len(set(slack.ports)) <= AT_ONCE < MANY

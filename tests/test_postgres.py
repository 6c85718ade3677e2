"""PostgreSQL: the schema SQLite has, migrations once under a lock, and several real
processes on one database (``python -m bot`` servers and ``run-due`` runners).

Skipped without ``TEST_DATABASE_URL`` (a failure with ``HOTLEADS_REQUIRE_POSTGRES=1``).
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import aiohttp
import pytest
from conftest import SIGNING_SECRET, START, TEAM, fresh_schema, reply_text
from slack_requests import SlackSender
from test_faults import Server, mid_burst

from bot.domain.schedule import WorkspaceSettings
from storage import deliveries, leads, schema
from storage.db import Database, migrations, schema_version
from storage.schema import SchemaTooNew

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg():
    async with fresh_schema() as address:
        yield address


async def test_both_engines_end_with_the_same_schema(tmp_path, pg):
    sqlite = await Database.open(tmp_path / "same.db")
    postgres = await Database.open(pg)
    try:
        on_sqlite = await schema.tables(sqlite.reader)
        on_postgres = await schema.tables(postgres.reader)
    finally:
        await sqlite.close()
        await postgres.close()
    assert set(on_sqlite) == set(on_postgres)
    for name, table in on_sqlite.items():
        assert on_postgres[name] == table, name


async def test_two_processes_starting_at_once_migrate_once(pg):
    first, second = await asyncio.gather(
        Database.open(pg, run_migrations=False), Database.open(pg, run_migrations=False)
    )
    try:
        ran = await asyncio.gather(first.migrate(), second.migrate())
        assert sum(ran) == len(migrations())  # each ran once, in one process or the other
        assert await schema_version(first.reader) == len(migrations())
    finally:
        await first.close()
        await second.close()


async def test_a_database_newer_than_the_code_is_refused(pg):
    db = await Database.open(pg)
    async with db.transaction() as conn:
        await conn.execute("UPDATE hotleads_schema SET version = version + 1")
    await db.close()
    with pytest.raises(SchemaTooNew, match="newer hotleads"):
        await Database.open(pg)


async def test_concurrent_adds_in_one_process_get_gapless_numbers(pg):
    db = await Database.open(pg)
    try:

        async def add(i: int) -> int:
            async with db.transaction() as conn:
                lead = await leads.create(
                    conn,
                    team_id=TEAM,
                    name=f"Lead {i}",
                    source="cold",
                    owner="U1",
                    created_by="U1",
                    now=START,
                )
                return lead.number

        numbers = await asyncio.gather(*(add(i) for i in range(40)))
        assert sorted(numbers) == list(range(1, 41))
    finally:
        await db.close()


@pytest.fixture
async def servers(tmp_path, slack, pg):
    both = [Server(pg, slack.url, tmp_path / f"server{n}.log") for n in (1, 2)]
    await asyncio.gather(*(server.start() for server in both))
    try:
        yield both
    finally:
        await asyncio.gather(*(server.stop() for server in both))


async def stored_numbers(pg) -> list[int]:
    db = await Database.open(pg, run_migrations=False)
    try:
        rows = await db.reader.fetchall("SELECT number FROM leads WHERE team_id = ?", (TEAM,))
        return sorted(row[0] for row in rows)
    finally:
        await db.close()


async def test_two_servers_taking_adds_at_once_hand_out_unique_gapless_numbers(servers, pg):
    async with (
        SlackSender(servers[0].url, SIGNING_SECRET) as one,
        SlackSender(servers[1].url, SIGNING_SECRET) as two,
    ):

        async def add(sender: SlackSender, i: int) -> int:
            status, body = await sender.command(f"add Lead {i} source:cold")
            assert status == 200, body
            found = re.search(r"#(\d+)", reply_text(body))
            assert found, body
            return int(found.group(1))

        numbers = await asyncio.gather(*(add((one, two)[i % 2], i) for i in range(60)))
    assert sorted(numbers) == list(range(1, 61))
    assert await stored_numbers(pg) == list(range(1, 61))


async def test_kill_9_of_one_server_mid_burst_loses_no_answered_add(servers, pg):
    victim, survivor = servers
    async with SlackSender(victim.url, SIGNING_SECRET) as sender:

        async def add(i: int) -> int | None:
            await asyncio.sleep(i * 0.01)
            try:
                status, body = await sender.command(f"add Burst {i} source:cold")
            except aiohttp.ClientError:
                return None
            assert status == 200, body
            some_answered.set()
            return int(re.search(r"#(\d+)", reply_text(body)).group(1))

        some_answered = asyncio.Event()
        burst = [asyncio.create_task(add(i)) for i in range(150)]
        await mid_burst(some_answered)
        victim.kill()
        answered = {n for n in await asyncio.gather(*burst) if n}
    await victim.process.wait()
    assert 0 < len(answered) < 150, "the kill should land in the middle of the burst"
    stored = await stored_numbers(pg)
    assert answered <= set(stored)
    assert stored == list(range(1, len(stored) + 1))  # a killed transaction leaves no gap
    async with SlackSender(survivor.url, SIGNING_SECRET) as sender:
        status, body = await sender.command("add After Kill source:cold")
    assert status == 200 and f"#{len(stored) + 1}" in reply_text(body), body


async def test_four_run_due_runners_at_once_send_one_digest(tmp_path, slack, pg):
    db = await Database.open(pg)
    try:
        async with db.transaction() as conn:
            await leads.create(
                conn,
                team_id=TEAM,
                name="Jane Doe",
                source="referral",
                owner="U1",
                created_by="U1",
                now=START - timedelta(hours=1),
            )
            await deliveries.save_settings(
                conn, WorkspaceSettings(TEAM, "CSALES", "09:00", "UTC"), "UADMIN", START
            )
    finally:
        await db.close()
    runner = Server(pg, slack.url, tmp_path / "runner.log")
    results = await asyncio.gather(
        *(runner.cli("run-due", "--now", START.isoformat()) for _ in range(4))
    )
    assert all(code == 0 for code, _ in results), results
    digests = [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "CSALES"]
    assert len(digests) == 1
    assert sum(out.count("sent: digest") for _, out in results) == 1


async def test_copy_moves_a_team_from_sqlite_to_postgres_and_back(tmp_path, pg):
    from test_cli import hotleads, seed

    source = tmp_path / "small.db"
    await seed(source)
    code, out, err = await hotleads("copy", f"sqlite:///{source}", pg.url)
    assert code == 0, err
    assert "counts match" in out
    code, _, err = await hotleads("copy", f"sqlite:///{source}", pg.url)
    assert code == 2 and "not empty" in err and "--force" in err
    code, _, err = await hotleads("copy", f"sqlite:///{source}", pg.url, "--force")
    assert code == 0, err
    back = tmp_path / "back.db"
    code, _, err = await hotleads("copy", pg.url, f"sqlite:///{back}")
    assert code == 0, err
    for path in (source, back):
        db = await Database.open(path)
        try:
            tables = await schema.tables(db.reader)
            rows = {
                name: sorted(
                    repr(tuple(r)) for r in await db.reader.fetchall(f"SELECT * FROM {name}")
                )
                for name in tables
            }
        finally:
            await db.close()
        if path == source:
            original = rows
    assert rows == original and rows["leads"]
    # A lead added after the copy carries on the numbers and ids.
    db = await Database.open(pg)
    try:
        async with db.transaction() as conn:
            lead = await leads.create(
                conn,
                team_id="T1",
                name="New",
                source="cold",
                owner="U1",
                created_by="U1",
                now=START,
            )
        assert lead.number == len(original["leads"]) + 1
    finally:
        await db.close()


async def test_slacks_retry_of_one_event_to_two_servers_is_handled_once(servers, slack, pg):
    event = {"type": "app_home_opened", "user": "U1", "channel": "D0001", "tab": "home"}
    async with (
        SlackSender(servers[0].url, SIGNING_SECRET) as one,
        SlackSender(servers[1].url, SIGNING_SECRET) as two,
    ):
        answers = await asyncio.gather(
            one.event(event, event_id="EvRetry1"), two.event(event, event_id="EvRetry1")
        )
    assert [status for status, _ in answers] == [200, 200]
    await slack.wait_for("views.publish")
    await asyncio.sleep(1.0)  # a second draw, if one were coming, would be here by now
    assert len(slack.calls_to("views.publish")) == 1
    db = await Database.open(pg, run_migrations=False)
    try:
        row = await db.reader.fetchone("SELECT count(*) FROM seen_events")
        assert row[0] == 1
    finally:
        await db.close()

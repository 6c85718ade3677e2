"""Starting and stopping the server. Stopping: SIGTERM or Ctrl-C in the middle of work
loses and repeats nothing.

The server is the real ``python -m bot``; the alerts go to the fake Slack, slowed to
a network's pace so that the signal lands while some are still waiting. Every
claimed alert must be sent exactly once: by the server before it stops, or by the
next ``run-due``. Nothing may be left claimed and unsent, and the server must be
gone within 10 seconds.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
from datetime import UTC, datetime

import aiohttp
import pytest
from bot_process import BotProcess
from conftest import SIGNING_SECRET, TEAM, bot_env, fresh_database
from test_faults import free_port

from bot.domain.hooks import new_hook
from storage import hooks
from storage.db import Database
from storage.engine import Address

BURST = 60
NAME = re.compile(r"Burst(\d{3}) Person")


async def alerted_names(slack) -> list[int]:
    """The burst leads named in alert DMs that Slack accepted, one entry per message."""
    found = []
    for call in slack.calls_to("chat.postMessage"):
        if call.ok and call.params["channel"] == "DUANA":
            found += [int(n) for n in set(NAME.findall(json.dumps(call.params)))]
    return found


async def make_hook(address: Address):
    db = await Database.open(address)
    try:
        made = new_hook(
            team_id=TEAM,
            type="generic",
            kind="quote",
            owner="UANA",
            created_by="UADMIN",
            now=datetime.now(UTC),
        )
        async with db.transaction() as conn:
            await hooks.create(conn, made.hook)
    finally:
        await db.close()
    return made


async def alert_statuses(address: Address) -> dict[str, int]:
    db = await Database.open(address)
    try:
        rows = await db.reader.fetchall(
            "SELECT status, count(*) FROM deliveries WHERE kind = 'alert' GROUP BY status"
        )
    finally:
        await db.close()
    return {row[0]: row[1] for row in rows}


async def test_sigterm_during_a_burst_of_alerts_sends_each_once(tmp_path, slack):
    address = Address.sqlite(tmp_path / "h.db")
    made = await make_hook(address)
    slack.latency = 0.03  # an alert is three calls: about ten a second
    port = free_port()
    env = bot_env(
        SLACK_BOT_TOKEN="xoxb-shutdown",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.url,
        DATABASE_URL=address.url,
        PORT=str(port),
    )
    server = await BotProcess(env).start()
    try:
        await server.ready(port)
        url = f"http://127.0.0.1:{port}/hooks/{made.hook.id}"
        headers = {"Authorization": f"Bearer {made.secret}"}
        async with aiohttp.ClientSession() as session:

            async def deliver(i: int) -> int:
                lead = {"name": f"Burst{i:03d} Person", "email": f"burst{i}@example.com"}
                async with session.post(url, json=lead, headers=headers) as answer:
                    return answer.status

            statuses = await asyncio.gather(*(deliver(i) for i in range(BURST)))
        assert statuses == [200] * BURST
        await slack.wait_for("chat.postMessage", timeout=10)  # the queue is under way
        took = await server.stop(signal.SIGTERM)
    finally:
        await server.kill()
    assert server.returncode == 0 and "Traceback" not in server.output, server.output
    assert took < 10, f"took {took:.1f}s to stop"
    by_server = await alerted_names(slack)
    assert len(by_server) == len(set(by_server))
    assert 0 < len(by_server) < BURST, "the signal should land in the middle of the alerts"
    assert "claimed" not in await alert_statuses(address)  # none cut off half-sent

    run_due = await BotProcess(env, "run-due").start()
    assert await run_due.exited() == 0, run_due.output
    assert sorted(await alerted_names(slack)) == list(range(BURST))  # each exactly once
    assert await alert_statuses(address) == {"sent": BURST}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_an_idle_server_stops_at_once_on_ctrl_c_or_sigterm(tmp_path, slack, backend, signum):
    """On either engine: the PostgreSQL pool's own workers are not work to wait for."""
    port = free_port()
    async with fresh_database(backend, tmp_path) as address:
        env = bot_env(
            SLACK_BOT_TOKEN="xoxb-shutdown",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.url,
            DATABASE_URL=address.url,
            PORT=str(port),
        )
        server = await BotProcess(env).start()
        try:
            await server.ready(port)
            took = await server.stop(signum)
        finally:
            await server.kill()
    assert server.returncode == 0 and "Traceback" not in server.output, server.output
    assert took < 3, f"took {took:.1f}s to stop with nothing to do"
    assert not [t for t in server.lines if "did not stop" in t or "cut off" in t], server.output


async def test_a_port_already_taken_stops_the_server_with_one_sentence(tmp_path):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = bot_env(
            SLACK_BOT_TOKEN="xoxb-lifecycle",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            DATABASE_URL=f"sqlite:///{tmp_path / 'h.db'}",
            PORT=str(port),
        )
        server = await BotProcess(env).start()
        try:
            assert await server.exited() == 2, server.output
        finally:
            await server.kill()
    (sentence,) = [line for line in server.lines if line.startswith("hotleads: ")]
    assert f"PORT {port}" in sentence and "Traceback" not in server.output, server.output
    assert " ERROR " not in server.output, server.output


async def test_work_after_an_ack_that_overstays_the_grace_is_cut_off_in_one_line(caplog):
    """A Home redraw waiting on a Slack that doesn't answer is cancelled before the database
    closes under it (which would log a traceback per task), and said once."""
    from bot import serve

    never = asyncio.Event()
    stuck = asyncio.create_task(never.wait(), name="home redraw")
    done = asyncio.create_task(asyncio.sleep(0), name="a DM")
    resident = asyncio.create_task(never.wait(), name="pool-1-worker-0")
    with caplog.at_level("WARNING", logger="bot.serve"):
        await serve._finish_work_after_acks(0.2, {resident})
    assert done.done() and not done.cancelled()
    assert stuck.cancelled() and not resident.done()
    resident.cancel()
    (said,) = [r.getMessage() for r in caplog.records]
    assert said == "stopped 1 unfinished task(s) after 0.2 s: home redraw"

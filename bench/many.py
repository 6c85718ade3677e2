"""Many workspaces on PostgreSQL: the digest moment with worker processes, and an idle minute.

For each number of workspaces, a database from ``bench.generate --workspaces W
--leads-per-workspace M`` (every digest due from 00:00 UTC, every rep in UTC, so
all of it is due at once whenever this runs). Then:

- **The digest moment**: ``python -m bot worker`` processes (1, then 2, each on a
  fresh copy) against the fake Slack answering every call after ``--latency``;
  the time until the due index says nothing is due or under way, every message
  counted at the fake Slack (nothing may arrive twice).
- **An idle minute** once everything is sent: the minute as the workers run it
  (``send_what_is_due``, one statement through the due index) against the same
  run's baseline, the walk over every workspace (``run_due``, what each minute
  did before the index). Medians of ``--runs``.

    .venv/bin/python -m bench.many --database-url postgresql://root@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from fake_slack import FakeSlack

from bench.common import BOT_TOKEN, ROOT, SIGNING_SECRET, TEAM, machine, median
from bench.places import PostgresPlace
from bot.app import team_clients
from bot.config import Settings
from bot.domain.clock import FixedClock
from handlers.context import Services
from handlers.delivery import LEASE, run_due, send_what_is_due
from storage.db import Database
from storage.engine import Address
from storage.times import to_db


def generated(place: PostgresPlace, workspaces: int, leads: int, reps: int) -> Address:
    """``hl_many_<W>_<M>_<R>``, generated once and kept."""
    name = f"hl_many_{workspaces}_{leads}_{reps}"
    if not place._admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        place._admin(f"CREATE DATABASE {name}")
        address = place._on(name)
        subprocess.run(
            [
                sys.executable,
                *("-m", "bench.generate", address.url),
                *("--workspaces", str(workspaces), "--leads-per-workspace", str(leads)),
                *("--reps", str(reps)),
            ],
            cwd=ROOT,
            check=True,
        )
    return place._on(name)


async def still_owed(address: Address) -> int:
    """Workspaces due now or held under a lease: 0 once the moment's work is all done."""
    db = await Database.open(address, run_migrations=False, pool=(1, 1))
    try:
        horizon = datetime.now(UTC) + LEASE
        row = await db.reader.fetchone(
            "SELECT count(*) FROM workspace_due WHERE due_at <= ?", (to_db(horizon),)
        )
        return int(row[0]) if row else 0
    finally:
        await db.close()


async def digest_moment(address: Address, slack: FakeSlack, workers: int) -> dict[str, float]:
    """Start ``workers`` worker processes; seconds until nothing is owed, and what was sent."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
        "DATABASE_URL": address.url,
        "LOG_LEVEL": "WARNING",
    }
    slack.calls.clear()
    started = time.perf_counter()
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "worker", env=env, cwd="/tmp"
        )
        for _ in range(workers)
    ]
    try:
        while await still_owed(address):  # noqa: ASYNC110 -- a row count, not an event
            await asyncio.sleep(0.5)
        took = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        await asyncio.gather(*(process.wait() for process in processes))
    posts = [c for c in slack.calls_to("chat.postMessage") if c.ok]
    db = await Database.open(address, run_migrations=False, pool=(1, 1))
    try:
        rows = await db.reader.fetchall(
            "SELECT kind, count(*) FROM deliveries WHERE status = 'sent' GROUP BY kind"
        )
    finally:
        await db.close()
    sent = {row[0]: int(row[1]) for row in rows}
    return {
        "seconds": took,
        "digests": sent.get("digest", 0),
        "dms": sent.get("reminder", 0),
        "posts": len(posts),
        "recorded": sum(sent.values()),
        "refused": sum(1 for c in slack.calls if not c.ok),
    }


async def idle_minute(address: Address, slack: FakeSlack, runs: int) -> tuple[float, float]:
    """Median seconds of the due index's minute and of the walk, at the same moment."""
    settings = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        database=address,
    )
    db = await Database.open(address, pool=(2, 10))
    try:
        now = datetime.now(UTC)
        services = Services(settings=settings, db=db, clock=FixedClock(now))
        clients = team_clients(services)
        indexed, walked = [], []
        for _ in range(runs):
            started = time.perf_counter()
            sent = await send_what_is_due(services, clients, now)
            indexed.append(time.perf_counter() - started)
            assert sent == [], sent
            started = time.perf_counter()
            await run_due(services, clients, now)
            walked.append(time.perf_counter() - started)
        return median(indexed), median(walked)
    finally:
        await db.close()


async def main(args: argparse.Namespace) -> None:
    place = PostgresPlace(args.database_url)
    print(machine())
    print(f"postgres: {urlsplit(args.database_url).netloc}, latency {args.latency * 1000:.0f} ms")
    slack = FakeSlack(team_id=TEAM)
    slack.default_user = {"tz": "UTC", "is_admin": False}
    slack.latency = args.latency
    await slack.start()
    try:
        print(
            "| workspaces | leads | workers | digest moment | digests | DMs | posts at Slack "
            "| refused | idle minute, index | idle minute, walk |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for workspaces in args.workspaces:
            master = generated(place, workspaces, args.leads_per_workspace, args.reps)
            for workers in args.workers if workspaces == max(args.workspaces) else [1]:
                copy = place.clone(master, f"hl_many_run_{workspaces}")
                moment = await digest_moment(copy, slack, workers)
                index, walk = await idle_minute(copy, slack, args.runs)
                print(
                    f"| {workspaces} | {workspaces * args.leads_per_workspace} | {workers} "
                    f"| {moment['seconds']:.1f} s | {moment['digests']:.0f} | {moment['dms']:.0f} "
                    f"| {moment['posts']:.0f} (recorded {moment['recorded']:.0f}) "
                    f"| {moment['refused']:.0f} | {index * 1000:.1f} ms | {walk * 1000:.0f} ms |",
                    flush=True,
                )
                place.drop(copy)
    finally:
        await slack.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://root@127.0.0.1:5432/postgres")
    parser.add_argument("--workspaces", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--leads-per-workspace", type=int, default=500)
    parser.add_argument("--reps", type=int, default=8, help="reps per workspace")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each Slack call takes")
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args()))

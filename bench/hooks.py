# ruff: noqa: ASYNC220 -- a sequential script: blocking is fine
"""Inbound hooks under load: answer time of ``POST /hooks/<id>`` against ``GET /healthz``.

An open-loop generator sends ``--rate`` generic-hook deliveries a second (Bearer,
JSON, a new lead each, kind ``quote`` so every one is a buying signal and its
owner gets an instant alert DM) for ``--seconds``, then the same rate of
``GET /healthz`` on the same server as the baseline. The server is the real
``python -m bot`` on a fresh SQLite file; the Web API is the tests' fake Slack in
this process, which counts the alert DMs (sent after each answer). A hook takes
120 a minute, so the deliveries take turns on enough hooks that none is rate
limited. RSS is read before the load and after the last alert is out.

    .venv/bin/python -m bench.hooks --seconds 30 --rate 50
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from fake_slack import FakeSlack

from bench.common import ROOT, TEAM, free_port, machine, median, percentile, rss_mb, server_env
from bot.domain.hooks import new_hook
from bot.domain.rate_limit import PER_MINUTE
from storage import hooks
from storage.db import Database

OWNER = "U0001"


async def make_hooks(path: Path, count: int) -> list[tuple[str, str]]:
    db = await Database.open(path)
    try:
        made = [
            new_hook(
                team_id=TEAM,
                type="generic",
                kind="quote",
                owner=OWNER,
                created_by="UADMIN",
                now=datetime.now(UTC),
            )
            for _ in range(count)
        ]
        async with db.transaction() as conn:
            for one in made:
                await hooks.create(conn, one.hook)
    finally:
        await db.close()
    return [(one.hook.id, one.secret) for one in made]


async def wait_up(base: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{base}/healthz") as answer:
                    if answer.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise SystemExit(f"nothing answers at {base}")


async def load(base: str, rate: float, seconds: float, live: list[tuple[str, str]] | None) -> dict:
    """Open loop: request i is due at start + i / rate; latency counts from when it was due."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    total = int(rate * seconds)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        start = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            if live is None:
                request = session.get(f"{base}/healthz")
            else:
                hook_id, secret = live[i % len(live)]
                body = {"name": f"Bench Lead {i}", "email": f"lead{i}@bench.example", "id": str(i)}
                request = session.post(
                    f"{base}/hooks/{hook_id}",
                    data=json.dumps(body).encode(),
                    headers={
                        "Authorization": f"Bearer {secret}",
                        "Content-Type": "application/json",
                    },
                )
            async with request as answer:
                await answer.read()
                latencies.append(time.perf_counter() - due)
                statuses[answer.status] = statuses.get(answer.status, 0) + 1

        await asyncio.gather(*(one(i) for i in range(total)))
    return {"latencies": latencies, "statuses": statuses}


async def main_async(seconds: float, rate: float) -> None:
    total = int(rate * seconds)
    count = math.ceil(total / (PER_MINUTE * 0.9))  # each hook stays under its burst
    slack = FakeSlack(team_id=TEAM)
    slack.default_user = {"tz": "UTC", "is_admin": False}
    await slack.start()
    with tempfile.TemporaryDirectory(prefix="hotleads-hooks-") as tmp:
        path = Path(tmp) / "hotleads.db"
        live = await make_hooks(path, count)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "bot"], env=server_env(path, slack.url, port), cwd=ROOT
        )
        try:
            await wait_up(base)
            await asyncio.sleep(3)  # the server's first run-due at start
            rss_start, _ = rss_mb(server.pid)
            hooked = await load(base, rate, seconds, live)
            for _ in range(300):  # until the last alert is out
                if len(slack.calls_to("chat.postMessage")) >= hooked["statuses"].get(200, 0):
                    break
                await asyncio.sleep(0.1)
            alerts = len(slack.calls_to("chat.postMessage"))
            rss_end, rss_peak = rss_mb(server.pid)
            await asyncio.sleep(1)
            baseline = await load(base, rate, seconds, None)
        finally:
            server.terminate()
            server.wait(timeout=20)
            await slack.stop()
    print(machine())
    print(
        f"{seconds:.0f} s x {rate:.0f} req/s, open loop; generic hooks (Bearer, JSON, a new"
        f" lead and a quote each, on {count} hooks of {PER_MINUTE}/min), then GET /healthz;"
        " SQLite; fake Slack in the load process\n"
    )
    print("| requests | answers | p50 | p99 | max |")
    print("|---|---|---|---|---|")
    for name, got in (("POST /hooks/<id>", hooked), ("GET /healthz (baseline)", baseline)):
        lat = got["latencies"]
        print(
            f"| {name} | {got['statuses']} | {median(lat) * 1000:.1f} ms"
            f" | {percentile(lat, 99) * 1000:.1f} ms | {max(lat) * 1000:.1f} ms |"
        )
    print(
        f"\nalert DMs sent after the answers: {alerts} of {hooked['statuses'].get(200, 0)};"
        f" server RSS {rss_start:.1f} MB before the hooks, {rss_end:.1f} MB after"
        f" (peak {rss_peak:.1f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=50)
    args = parser.parse_args()
    asyncio.run(main_async(args.seconds, args.rate))


if __name__ == "__main__":
    main()

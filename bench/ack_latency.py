# ruff: noqa: ASYNC220 -- a sequential script: blocking is fine
"""Ack latency under load: hotleads against a bare Bolt app, same load, interleaved rounds.

An open-loop generator sends signed ``/lead log #N call <id>`` at ``--rate``
per second, whatever the server's speed: latency counts from when each
request was due, so a server that falls behind is not excused. hotleads is
the real ``python -m bot`` on a copy of a generated database (Web API at the
tests' fake Slack, in its own process); the baseline a Bolt app whose ``/lead``
only acks. Afterwards every request hotleads answered 200 must be in its
database. Each app runs on a core of its own (on Linux with two or more);
``--no-pin`` lets them share all cores with the generator and the fake.

    .venv/bin/python -m bench.ack_latency --rounds 3 --seconds 30 --rate 100
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from slack_requests import sign, slash_command_body

from bench.common import ROOT, SIGNING_SECRET, free_port, machine, percentile, server_env
from bench.places import place

SLACK_TIMEOUT = 3.0


async def wait_up(port: int) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            with contextlib.suppress(aiohttp.ClientError):
                async with session.post(f"http://127.0.0.1:{port}/slack/events") as answer:
                    if answer.status:
                        return
            await asyncio.sleep(0.1)
    raise SystemExit(f"nothing answers on port {port}")


async def load(port: int, rate: float, seconds: float, tag: str, leads: int) -> dict:
    """Open loop: request i is due at start + i / rate, sent then even if others are pending."""
    url = f"http://127.0.0.1:{port}/slack/events"
    latencies: list[float] = []
    errors: list[str] = []
    answered: list[str] = []
    rng = random.Random(tag)
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            note = f"{tag}-{i}"
            body = slash_command_body(f"log #{rng.randint(1, leads)} call {note}", user_id="U0001")
            try:
                async with session.post(
                    url, data=body.encode(), headers=sign(body, SIGNING_SECRET)
                ) as answer:
                    await answer.read()
                    took = time.perf_counter() - due
                    if answer.status != 200:
                        errors.append(f"HTTP {answer.status}")
                    elif took > SLACK_TIMEOUT:
                        errors.append("over 3 s")
                    else:
                        answered.append(note)
                    latencies.append(took)
            except aiohttp.ClientError as error:
                errors.append(type(error).__name__)

        await asyncio.gather(*(one(i) for i in range(total)))
    return {"latencies": latencies, "errors": errors, "answered": answered}


def pinned(cpus: set[int] | None):
    """A ``preexec_fn`` that keeps a child process on ``cpus`` (``None``: anywhere)."""
    return None if cpus is None else (lambda: os.sched_setaffinity(0, cpus))


async def main_async(
    rounds: int,
    seconds: float,
    rate: float,
    size: int,
    pin: bool,
    checks: bool,
    database_url: str | None,
) -> None:
    # The app under test gets a core of its own; the load generator and the fake
    # Slack (whose Block Kit checks are Slack's work, not ours) share the rest.
    server_cpus = {0} if pin and len(os.sched_getaffinity(0)) > 1 else None
    if server_cpus:
        os.sched_setaffinity(0, os.sched_getaffinity(0) - server_cpus)
    with tempfile.TemporaryDirectory(prefix="hotleads-ack-") as tmp:
        where = place(database_url, Path(tmp))
        database = where.clone(where.master(size), "hl_ack")
        fake = subprocess.Popen(
            [sys.executable, "-m", "bench.slack_server"]
            + ([] if checks else ["--no-block-kit-checks"]),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert fake.stdout is not None
        api_url = fake.stdout.readline().strip()
        ports = {"hotleads": free_port(), "bare Bolt": free_port()}
        servers = [
            subprocess.Popen(
                [sys.executable, "-m", "bot"],
                env=server_env(database, api_url, ports["hotleads"]),
                cwd=ROOT,
                preexec_fn=pinned(server_cpus),
            ),
            subprocess.Popen(
                [sys.executable, "-m", "bench.bare_app"],
                env=server_env(database, api_url, ports["bare Bolt"]),
                cwd=ROOT,
                preexec_fn=pinned(server_cpus),
            ),
        ]
        results: dict[str, dict] = {
            name: {"latencies": [], "errors": [], "answered": [], "p99s": []} for name in ports
        }
        try:
            for port in ports.values():
                await wait_up(port)
            await asyncio.sleep(3)  # the server's first run-due at start
            for round_ in range(rounds):
                order = list(ports) if round_ % 2 == 0 else list(reversed(ports))
                for name in order:
                    got = await load(ports[name], rate, seconds, f"r{round_}{name[0]}", size)
                    for key in ("latencies", "errors", "answered"):
                        results[name][key] += got[key]
                    results[name]["p99s"].append(percentile(got["latencies"], 99))
                    print(
                        f"round {round_} {name}: p50 {percentile(got['latencies'], 50) * 1000:.1f}"
                        f" ms, p99 {percentile(got['latencies'], 99) * 1000:.1f} ms,"
                        f" errors {len(got['errors'])}",
                        file=sys.stderr,
                    )
                    await asyncio.sleep(1)
            await asyncio.sleep(2)  # work after the acks
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=20)
            fake.terminate()
            fake.wait(timeout=10)
        stored = {row[0] for row in where.query(database, "SELECT note FROM interactions")}
        where.drop(database)
    mine = results["hotleads"]
    missing = [note for note in mine["answered"] if note not in stored]
    print(machine())
    print(
        f"{rounds} interleaved rounds x {seconds:.0f} s x {rate:.0f} req/s per app,"
        f" /lead log on a {size:,}-lead database;"
        f" {'each app on a core of its own' if server_cpus else 'no CPU pinning'};"
        f" {'PostgreSQL (the server shares the cores)' if database_url else 'SQLite'}"
        f"{'' if checks else '; fake Slack not checking Block Kit'}\n"
    )
    print("| app | requests | p50 | p99 | p99 per round | errors |")
    print("|---|---|---|---|---|---|")
    for name, got in results.items():
        lat = got["latencies"]
        rounds_p99 = ", ".join(f"{p * 1000:.0f}" for p in got["p99s"])
        print(
            f"| {name} | {len(lat) + len(got['errors']) - len([e for e in got['errors'] if e == 'over 3 s'])}"
            f" | {percentile(lat, 50) * 1000:.1f} ms | {percentile(lat, 99) * 1000:.1f} ms"
            f" | {rounds_p99} ms | {len(got['errors'])} |"
        )
    ratio = percentile(mine["latencies"], 99) / percentile(results["bare Bolt"]["latencies"], 99)
    print(f"\np99 hotleads / bare Bolt: {ratio:.2f} (target <= 1.5)")
    print(
        f"answered 200 by hotleads: {len(mine['answered'])}; missing from the database: {len(missing)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument(
        "--no-pin", action="store_true", help="let the apps share every core with the load"
    )
    parser.add_argument(
        "--no-block-kit-checks",
        action="store_true",
        help="the fake Slack answers without checking Block Kit (real Slack's CPU, not ours)",
    )
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to run on (postgresql://…/postgres)"
    )
    args = parser.parse_args()
    asyncio.run(
        main_async(
            args.rounds,
            args.seconds,
            args.rate,
            args.leads,
            not args.no_pin,
            not args.no_block_kit_checks,
            args.database_url,
        )
    )


if __name__ == "__main__":
    main()

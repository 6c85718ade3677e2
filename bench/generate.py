"""Fill one workspace with N leads and 10 x N touches spread over two years.

Each lead is worked for a while after it is added (an exponentially distributed
window, 45 days on average), so at any moment most of two years' leads are cold.
The schema comes from the real migrations; every domain value (each lead's
faded signals, its stored score, touch counts) is computed by the domain code
(``bot.domain.temperature``) exactly as ``storage.leads.add_touch`` leaves it, then
written in bulk with ``executemany``: one lead at a time through ``add_touch``
would take hours for a million touches.

    .venv/bin/python -m bench.generate /tmp/hotleads-100k.db --leads 100000
    .venv/bin/python -m bench.generate postgresql://root@127.0.0.1:5432/hl --leads 100000
    .venv/bin/python -m bench.generate postgresql://…/hl --workspaces 1000 --leads-per-workspace 500

With ``--workspaces N`` there are N workspaces (``T00000``…), each with its own leads,
numbered from 1, its own reps and its own settings.

Profiles: ``uniform`` (the default, the scale benchmarks' data: 50 reps, each kind
at its own rate) and ``realistic`` (a small team's week as it is: a few dozen
leads per rep, most touches effort, some engagement, few buying signals; the
shares are per group of ``bot.domain.vocabulary``, split evenly in a group). In the
realistic profile half the touches are typed as reps type them (``TYPED``) and read
back by the real grammar and date reader, moment and all, so the realistic team's
properties (``tests/test_realistic.py``) hold for what reps actually write.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.common import NOW, TEAM, machine
from bot.domain import grammar
from bot.domain.dates import when_in_note
from bot.domain.references import fold
from bot.domain.schedule import WorkspaceSettings
from bot.domain.slack_user import SlackUser
from bot.domain.temperature import KINDS, SOURCES, Signal, cutoffs, signals_from, temperature
from bot.domain.vocabulary import KIND_GROUPS, WEEKDAYS
from storage import deliveries, users
from storage.db import Database
from storage.engine import Address
from storage.times import to_db

REPS = [f"U{n:04d}" for n in range(1, 51)]
CHANNEL = "C0SALES"
SPAN = timedelta(days=730)
ENGAGED_DAYS = 45.0
"""A lead's touches fall in a window after it was added, on average this long."""
TOUCHES_PER_LEAD = 10
# Roughly how often each kind is logged by a real team: emails and calls dominate.
KIND_WEIGHTS = {
    "email": 30,
    "voicemail": 12,
    "declined": 1,
    "call": 20,
    "note": 10,
    "reply": 8,
    "meeting": 6,
    "inbound": 5,
    "download": 4,
    "webinar": 4,
    "demo": 4,
    "quote": 3,
    "event": 3,
    "trial": 2,
    "referral": 1,
}
REALISTIC_GROUPS = {"effort": 62.0, "engagement": 25.0, "buying": 3.0, "outcome": 2.0}
REALISTIC_NOTES = 8.0
LEADS_PER_REP = 36
"""A few dozen open and closed leads each, as a rep of a small team carries."""


def realistic_weights() -> dict[str, float]:
    """Each kind's share: its group's share split evenly among the group's kinds."""
    weights = {"note": REALISTIC_NOTES}
    for group, share in REALISTIC_GROUPS.items():
        members = KIND_GROUPS[group]  # type: ignore[index]
        weights.update({kind: share / len(members) for kind in members})
    return weights


PROFILES = {"uniform": KIND_WEIGHTS, "realistic": realistic_weights()}
SPANS = {"uniform": SPAN, "realistic": timedelta(days=120)}
"""How far back leads were added: a small team's pipeline is its last few months."""
SOURCE_WEIGHTS = {"cold": 35, "inbound": 20, "remarketing": 15, "event": 12, "referral": 10}
SOURCE_WEIGHTS["client"] = 8
CHUNK = 5_000

LEAD_SQL = (
    "INSERT INTO leads (id, team_id, number, name, company, email, phone, source, owner, status,"
    " lost_reason, created_by, created_at, updated_at, last_touch_at, snoozed_until, score,"
    " scored_at, hot_until, warm_until, folded_name, folded_company)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
TOUCH_SQL = (
    "INSERT INTO interactions (lead_id, kind, note, at, logged_by, logged_at, permalink)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
SIGNAL_SQL = (
    "INSERT INTO lead_signals (lead_id, kind, strength, as_of, last_at, count)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
assert all(set(w) == set(KINDS) for w in PROFILES.values()) and set(SOURCE_WEIGHTS) == set(SOURCES)


TYPED = {
    "voicemail": ("tried calling, no answer", "vm", "left a message", "called, no answer"),
    "email": ("emailed the deck", "e-mail, sent the pricing", "mail: follow-up"),
    "call": ("call, he wants pricing", "called", "phoned"),
    "meeting": ("mtg with the CFO", "met at their office", "visit"),
    "download": ("downloaded the pricing sheet", "dl", "ebook"),
    "demo": ("demoed", "demo'd the fleet view"),
    "reply": ("reply: sounds interesting",),
    "note": ("note, budget frozen till Q2",),
}
"""How reps type some kinds, punctuation, aliases and all; ``log`` reads them back."""
TYPED_MOMENTS = (
    "{d:%-d %b} {h}{half}",
    "{d:%b %-d} {h}{half}",
    "{d:%-m/%-d} {h}{half}",
    "{d:%-d.%-m.} {d:%H:%M}",
    "{d:%Y-%m-%d %H:%M}",
)


def _typed(number: int, kind: str, at: datetime, rng: random.Random) -> tuple[str, datetime, str]:
    """The touch as a rep types it (``mtg with the CFO, 25 nov 11am``), read as the app reads it."""
    if kind not in TYPED or rng.random() < 0.5:
        return kind, at, ""
    hour = at.hour % 12 or 12
    moment = rng.choice(TYPED_MOMENTS).format(d=at, h=hour, half="am" if at.hour < 12 else "pm")
    parsed = grammar.parse(f"log #{number} {rng.choice(TYPED[kind])}, {moment}")
    assert isinstance(parsed, grammar.Log)
    said = when_in_note(parsed.note, "UTC", max(NOW, at))
    return parsed.kind, said.at or at, said.note


def _lead_rows(
    number: int,
    rng: random.Random,
    kinds: dict[str, float],
    reps: list[str],
    span: timedelta = SPAN,
    team: str = TEAM,
    lead_id: int | None = None,
) -> tuple[tuple, list[tuple], list[tuple]]:
    """One lead, its touches and its signals, as ``add_touch`` would have stored them."""
    lead_id = number if lead_id is None else lead_id
    created_at = NOW - span * rng.random()
    source = rng.choices(list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values()))[0]
    owner = rng.choice(reps)
    count = rng.randint(0, 2 * TOUCHES_PER_LEAD)
    # Reps work a lead for a while after adding it, then it goes quiet (won, lost, or not).
    engaged = timedelta(days=rng.expovariate(1 / ENGAGED_DAYS))
    window = (min(NOW, created_at + engaged) - created_at).total_seconds()
    touches = sorted(
        (
            rng.choices(list(kinds), list(kinds.values()))[0],
            created_at + timedelta(seconds=window * rng.random()),
        )
        for _ in range(count)
    )
    typed = [
        _typed(number, kind, at, rng) if span != SPAN else (kind, at, "") for kind, at in touches
    ]
    touches = sorted((kind, at) for kind, at, _ in typed)
    touch_rows = [
        (
            lead_id,
            kind,
            note or (f"note {i}" if i % 3 == 0 else ""),
            to_db(at),
            owner,
            to_db(at),
            "",
        )
        for i, (kind, at, note) in enumerate(sorted(typed, key=lambda t: (t[0], t[1])))
    ]
    # Logged in time order, so each touch's own add_touch left the lead scored at its time.
    signals: dict[str, Signal] = signals_from(touches)
    last_touch = touches[-1][1] if touches else None
    scored_at = last_touch or created_at
    score = temperature(source, created_at, signals, scored_at).score
    until = cutoffs(source, created_at, signals)
    roll = rng.random()
    status = "won" if roll < 0.08 else "lost" if roll < 0.14 else "open"
    snoozed = NOW + timedelta(days=rng.randint(1, 30)) if rng.random() < 0.03 else None
    name = f"Lead {number} {rng.choice(['Smith', 'Jones', 'Garcia', 'Müller', 'Tanaka'])}"
    company = f"Company {number % 20_000}"
    lead = (
        lead_id,
        team,
        number,
        name,
        company,
        f"lead{number}@example{number % 997}.com",
        f"+1 555 {number:07d}",
        source,
        owner,
        status,
        "budget" if status == "lost" else "",
        owner,
        to_db(created_at),
        to_db(scored_at),
        to_db(last_touch) if last_touch else None,
        to_db(snoozed) if snoozed else None,
        score,
        to_db(scored_at),
        to_db(until.hot_until),
        to_db(until.warm_until),
        fold(name),
        fold(company),
    )
    signal_rows = [
        (lead_id, kind, s.strength, to_db(s.as_of), to_db(s.last_at), s.count)
        for kind, s in signals.items()
    ]
    return lead, touch_rows, signal_rows


def teams(workspaces: int) -> list[str]:
    """The workspaces' team ids: the one ``TEAM``, or ``T00000``, ``T00001``, …"""
    return [TEAM] if workspaces == 1 else [f"T{n:05d}" for n in range(workspaces)]


async def generate(
    where: Path | Address,
    count: int,
    seed: int = 6,
    profile: str = "uniform",
    workspaces: int = 1,
    reps_per_workspace: int = len(REPS),
) -> dict[str, int]:
    """Write ``count`` leads (numbered 1..count) and their touches into a fresh database,
    in each of ``workspaces`` workspaces."""
    rng = random.Random(seed)
    kinds = PROFILES[profile]
    reps = REPS if profile == "uniform" else REPS[: max(1, count // LEADS_PER_REP)]
    reps = reps[:reps_per_workspace]
    db = await Database.open(where)
    totals = {"leads": 0, "interactions": 0}
    every = [
        (offset, team, number)
        for offset, team in enumerate(teams(workspaces))
        for number in range(1, count + 1)
    ]
    try:
        for start in range(0, len(every), CHUNK):
            lead_rows, touch_rows, signal_rows = [], [], []
            for offset, team, number in every[start : start + CHUNK]:
                lead, touches, signals = _lead_rows(
                    number, rng, kinds, reps, SPANS[profile], team, offset * count + number
                )
                lead_rows.append(lead)
                touch_rows += touches
                signal_rows += signals
            async with db.transaction() as conn:
                await conn.executemany(LEAD_SQL, lead_rows)
                await conn.executemany(TOUCH_SQL, touch_rows)
                await conn.executemany(SIGNAL_SQL, signal_rows)
            totals["leads"] += len(lead_rows)
            totals["interactions"] += len(touch_rows)
        async with db.transaction() as conn:
            for team in teams(workspaces):
                # Due every day from midnight, so a benchmark run at any hour finds it due.
                settings = WorkspaceSettings(team, CHANNEL, "00:00", digest_days=WEEKDAYS)
                await deliveries.save_settings(conn, settings, reps[0], NOW - SPAN)
                for rep in reps:
                    await users.save(conn, SlackUser(team, rep, "UTC", False, NOW))
        if db.reader.dialect.name == "postgres":
            # The leads came with their ids: the identity column carries on after them.
            await db.reader.execute(
                "SELECT setval(pg_get_serial_sequence('leads', 'id'), (SELECT max(id) FROM leads))"
            )
        await db.reader.execute("ANALYZE")
    finally:
        await db.close()
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="a new SQLite file, or an empty PostgreSQL database's URL")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--workspaces", type=int, default=1)
    parser.add_argument(
        "--leads-per-workspace", type=int, help="with --workspaces: each one's leads"
    )
    parser.add_argument("--reps", type=int, default=len(REPS), help="reps per workspace")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="uniform")
    args = parser.parse_args()
    where: Path | Address
    try:
        where = Address.parse(args.path)
    except ValueError:
        where = Path(args.path)
        if where.exists():
            raise SystemExit(f"{where} exists; the generator only fills a new database") from None
    started = time.perf_counter()
    count = args.leads_per_workspace or args.leads
    totals = asyncio.run(
        generate(
            where,
            count,
            profile=args.profile,
            workspaces=args.workspaces,
            reps_per_workspace=args.reps,
        )
    )
    print(machine())
    print(
        f"{totals['leads']} leads, {totals['interactions']} interactions in "
        f"{time.perf_counter() - started:.1f}s -> {args.path}"
    )


if __name__ == "__main__":
    main()

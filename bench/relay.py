"""The speed-to-lead relay over a simulated working day, against ``relay:off`` the same day.

A team of 6 reps gets 40 inbound buying signals from a hook on a Monday: most in
working hours, some at night, some in bursts of 2-3 for one lead within minutes.
Each rep answers their own alerts after a random delay (some leads never) and
claims an offer after another (or never); reps answer in working hours only.
``run-due`` runs every minute of the fake clock, twice at once (two runners
racing, in one process), until Tuesday noon. The real app on loopback, the
tests' fake Slack; hooks, ``/lead log`` and Claim clicks go over HTTP, signed.

The same seed gives the same day, the same delays and the same rep choices, once
with ``relay:15`` and once with ``relay:off`` (the baseline); times to answer are
counted in working time, from the lead's first signal to its first claim or answer.

    .venv/bin/python -m bench.relay --seed 7
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from fake_slack import FakeSlack
from slack_requests import SlackSender, block_actions_payload

from bench.common import SIGNING_SECRET, TEAM, machine, median, percentile
from bot.app import build_app, http_app, web_client
from bot.config import Settings
from bot.domain.clock import FixedClock
from bot.domain.hooks import new_hook
from bot.domain.working_hours import WorkingHours
from handlers.context import Services
from handlers.delivery import run_due
from handlers.relay import CLAIM_ACTION
from storage import hooks, leads
from storage.db import Database
from storage.engine import Address

REPS = [f"UREP{i}" for i in range(6)]
START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # a Monday
HOURS_SIMULATED = 36
"""Until Tuesday noon: the leads of Monday night get their morning."""
HOURS = WorkingHours.of("09:00-18:00", ("mon", "tue", "wed", "thu", "fri"), "UTC")
KINDS = ("quote", "trial", "download", "inbound")


@dataclass
class Lead:
    email: str
    owner: str
    signals: list[datetime]
    kinds: list[str]
    owner_answers: timedelta | None
    """How long after its alert the owner answers (working time); ``None``: never."""
    number: int = 0
    first_response: datetime | None = None


@dataclass
class Day:
    leads: list[Lead]
    claims: dict[str, float] = field(default_factory=dict)
    """Each rep's chance of claiming an offer."""
    hours: int = HOURS_SIMULATED


def plan(seed: int, signals: int = 40, hours: int = HOURS_SIMULATED) -> Day:
    """The day: who fills which form when, and how each rep behaves (same for both runs)."""
    rng = random.Random(seed)
    day_leads: list[Lead] = []
    count = 0
    while count < signals:
        n = len(day_leads)
        if rng.random() < 0.15:  # at night: 18:00-24:00 or 00:00-09:00
            hour = rng.choice([rng.uniform(18, 24), rng.uniform(0, 9)])
        else:
            hour = rng.uniform(9, 18)
        first = START + timedelta(minutes=round(hour * 60))
        burst = min(rng.choice([1, 1, 1, 1, 2, 3]), signals - count)
        times = [first + timedelta(minutes=2 * i + rng.randint(0, 1)) for i in range(burst)]
        answer = None if rng.random() < 0.3 else timedelta(minutes=rng.lognormvariate(3.2, 1.0))
        day_leads.append(
            Lead(
                email=f"lead{n}@bench.example",
                owner=REPS[n % len(REPS)],
                signals=times,
                kinds=[rng.choice(KINDS) for _ in times],
                owner_answers=answer,
            )
        )
        count += burst
    claims = {rep: rng.choice([0.0, 0.5, 0.8, 0.9]) for rep in REPS}
    return Day(day_leads, claims, hours)


async def simulate(day: Day, relay: str, seed: int) -> dict:
    """One run of the day with ``relay:`` set as given; what happened to each lead."""
    rng = random.Random(seed + 1)  # the reps' choices: the same in both runs
    slack = FakeSlack(team_id=TEAM)
    slack.default_user = {"tz": "UTC", "is_admin": True}
    await slack.start()
    with tempfile.TemporaryDirectory(prefix="hotleads-relay-") as tmp:
        settings = Settings(
            bot_token="xoxb-bench",
            signing_secret=SIGNING_SECRET,
            slack_api_url=slack.url,
            database=Address.sqlite(Path(tmp) / "hotleads.db"),
            admins=frozenset({"UADMIN"}),
        )
        db = await Database.open(settings.database)
        clock = FixedClock(START)
        services = Services(settings=settings, db=db, clock=clock)
        runner = web.AppRunner(http_app(build_app(services), SIGNING_SECRET, services))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        sender = SlackSender(
            f"{base}/slack/events", SIGNING_SECRET, response_url=slack.response_url("x")
        )
        try:
            return await _run(day, relay, rng, slack, services, clock, sender, base)
        finally:
            await sender.close()
            await runner.cleanup()
            await db.close()
            await slack.stop()


async def _run(
    day: Day,
    relay: str,
    rng: random.Random,
    slack: FakeSlack,
    services: Services,
    clock: FixedClock,
    sender: SlackSender,
    base: str,
) -> dict:
    reps = ",".join(f"<@{rep}|r>" for rep in REPS)
    status, ack = await sender.command(
        f"settings channel:<#CSALES|sales> reps:{reps} relay:{relay} respond:2"
        " manager:<@UBOSS|boss>",
        user_id="UADMIN",
    )
    assert status == 200 and "Checking your permissions" in ack["text"], ack
    (changed,) = await slack.wait_for_responses("x", timeout=30)
    assert "Settings changed" in changed["text"], changed
    made = {}
    for rep in REPS:
        made[rep] = new_hook(
            team_id=TEAM, type="generic", kind="quote", owner=rep, created_by="UADMIN", now=START
        )
        async with services.db.transaction() as conn:
            await hooks.create(conn, made[rep].hook)
    arrivals = sorted(
        (
            (at, lead, kind)
            for lead in day.leads
            for at, kind in zip(lead.signals, lead.kinds, strict=True)
        ),
        key=lambda x: x[0],
    )
    actions: list[tuple[datetime, str, str, Lead]] = []  # (when, what, who, lead)
    seen_posts = 0
    client = web_client(services)
    async with aiohttp.ClientSession() as http:
        while clock.moment <= START + timedelta(hours=day.hours):
            now = clock.moment
            arrived = False
            while arrivals and arrivals[0][0] <= now:
                arrived = True
                _, lead, kind = arrivals.pop(0)
                made_hook = made[lead.owner]
                body = {"name": lead.email.split("@")[0], "email": lead.email, "kind": kind}
                async with http.post(
                    f"{base}/hooks/{made_hook.hook.id}",
                    data=json.dumps(body).encode(),
                    headers={
                        "Authorization": f"Bearer {made_hook.secret}",
                        "Content-Type": "application/json",
                    },
                ) as answer:
                    stored = await answer.json()
                    lead.number = stored["lead"]
            if arrived:
                await asyncio.sleep(0.1)  # the alert queue sends after the answer
            for when, what, who, lead in [a for a in actions if a[0] <= now]:
                actions.remove((when, what, who, lead))
                if lead.first_response is not None:
                    continue
                if what == "answer":
                    await sender.command(f"log #{lead.number} call", user_id=who)
                else:
                    await _claim(sender, lead, who, slack)
                lead.first_response = lead.first_response or now
            await asyncio.gather(run_due(services, client, now), run_due(services, client, now))
            posts = slack.calls_to("chat.postMessage")
            for post in posts[seen_posts:]:
                _react(post.params, day, now, rng, actions)
            seen_posts = len(posts)
            clock.moment = now + timedelta(minutes=1)
    return await _results(day, slack, services)


def _lead_of(params: dict, day: Day) -> Lead | None:
    text = params.get("text", "") + json.dumps(params.get("blocks", []))
    found = re.search(r"#(\d+)", text)
    number = int(found.group(1)) if found else 0
    return next((lead for lead in day.leads if lead.number == number), None)


def _react(params: dict, day: Day, now: datetime, rng: random.Random, actions: list) -> None:
    """A rep reads what was posted to them: their alert (answer later) or an offer (claim)."""
    channel = params["channel"]
    lead = _lead_of(params, day)
    if lead is None or not channel.startswith("DUREP"):
        return
    rep = channel[1:]
    is_offer = CLAIM_ACTION in json.dumps(params.get("blocks", []))
    if is_offer:
        if rng.random() < day.claims[rep]:
            delay = timedelta(minutes=rng.uniform(1, 12))
            actions.append((HOURS.after(now, delay), "claim", rep, lead))
    elif rep == lead.owner and lead.owner_answers is not None and "Answer now" in params["text"]:
        actions.append((HOURS.after(now, lead.owner_answers), "answer", rep, lead))


async def _claim(sender: SlackSender, lead: Lead, rep: str, slack: FakeSlack) -> None:
    """The rep clicks Claim on their offer: its value is the lead's number."""
    payload = block_actions_payload(
        CLAIM_ACTION,
        value=str(lead.number),
        block_id=f"relay:{lead.number}",
        user_id=rep,
        channel_id=f"D{rep}",
        response_url=slack.response_url(rep),
    )
    await sender.interactive(payload)


STEPS = {  # what a message about one lead begins with, by step
    "Answer now": "alert",
    "Unclaimed lead": "alert",
    "A lead for you": "offer",
    "Unanswered for": "escalation",
    "Still waiting": "follow-up",  # relay:off
}


def _step(params: dict) -> str | None:
    """Which step of a lead's alerts a message is; ``None`` for the digest and daily DMs."""
    return next((step for start, step in STEPS.items() if params["text"].startswith(start)), None)


async def _results(day: Day, slack: FakeSlack, services: Services) -> dict:
    per_lead: Counter[int] = Counter()
    alerts: Counter[int] = Counter()
    steps: Counter[str] = Counter()
    sent_to: Counter[tuple[str, int, str]] = Counter()
    for post in slack.calls_to("chat.postMessage"):
        lead, step = _lead_of(post.params, day), _step(post.params)
        if lead is None or step is None or not post.ok:
            continue
        per_lead[lead.number] += 1
        steps[step] += 1
        if step == "alert":
            alerts[lead.number] += 1
        sent_to[(post.params["channel"], lead.number, step)] += 1
    spans = []
    unanswered = []
    for lead in day.leads:
        if lead.first_response is None:
            unanswered.append(lead)
        else:
            spans.append(HOURS.between(lead.signals[0], lead.first_response).total_seconds() / 60)
    everyone = spans + [math.inf] * len(unanswered)  # never answered: slower than any answer
    rows = await services.db.reader.fetchall(
        "SELECT kind, recipient FROM deliveries WHERE team_id = ? AND kind IN ('offer', 'escalation')",
        (TEAM,),
    )
    offered = {int(r[1].split(":")[0]) for r in rows if r[0] == "offer"}
    escalated = {int(r[1]) for r in rows if r[0] == "escalation"}
    relay_of = dict(
        await services.db.reader.fetchall(
            "SELECT lead_id, id FROM relays WHERE team_id = ?", (TEAM,)
        )
    )
    lead_ids = {
        lead.number: (await leads.get(services.db.reader, TEAM, lead.number)) for lead in day.leads
    }
    bare = 0
    for lead in unanswered:
        found = lead_ids[lead.number]
        relay_id = relay_of.get(found.id) if found else None
        if relay_id is None or relay_id not in offered or relay_id not in escalated:
            bare += 1
    return {
        "signals": sum(len(lead.signals) for lead in day.leads),
        "leads": len(day.leads),
        "bursts": sum(1 for lead in day.leads if len(lead.signals) > 1),
        "messages": sum(per_lead.values()),
        "steps": " / ".join(f"{steps[k]}" for k in ("alert", "offer", "escalation", "follow-up")),
        "alerts_max": max(alerts.values(), default=0),
        "per_lead_max": max(per_lead.values(), default=0),
        "per_lead_median": median([float(v) for v in per_lead.values()]),
        "median": median(spans),
        "p90": percentile(spans, 90),
        "median_all": median(everyone),
        "p90_all": percentile(everyone, 90),
        "responded": len(spans),
        "unanswered": len(unanswered),
        "unanswered_bare": bare,
        "twice": sum(1 for count in sent_to.values() if count > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hours", type=int, default=HOURS_SIMULATED, help="from Monday 00:00")
    args = parser.parse_args()
    day = plan(args.seed, hours=args.hours)
    on = asyncio.run(simulate(day, "15", args.seed))
    day = plan(args.seed, hours=args.hours)
    off = asyncio.run(simulate(day, "off", args.seed))
    print(machine())
    print(
        f"seed {args.seed}: {on['signals']} signals for {on['leads']} leads ({on['bursts']} in bursts), 6 reps"
    )
    print("| | relay:15 | relay:off (baseline) |")
    print("| --- | ---: | ---: |")
    for label, key, fmt in [
        ("messages sent", "messages", "{}"),
        ("… alerts / offers / escalations / follow-ups", "steps", "{}"),
        ("most alerts for one lead (a burst is one)", "alerts_max", "{}"),
        ("messages per lead, median / max", None, ""),
        ("leads claimed or answered", "responded", "{}"),
        ("minutes to claim/answer, all leads: median", "median_all", "{:.0f}"),
        ("… 90th percentile (∞: some never answered)", "p90_all", "{:.0f}"),
        ("minutes, answered leads only: median", "median", "{:.0f}"),
        ("… 90th percentile", "p90", "{:.0f}"),
        ("leads unanswered at the end", "unanswered", "{}"),
        ("… of them without an offer and an escalation", "unanswered_bare", "{}"),
        ("a step sent twice (two runners racing)", "twice", "{}"),
    ]:
        if key is None:
            print(
                f"| {label} | {on['per_lead_median']:.0f} / {on['per_lead_max']} "
                f"| {off['per_lead_median']:.0f} / {off['per_lead_max']} |"
            )
        else:
            print(f"| {label} | {fmt.format(on[key])} | {fmt.format(off[key])} |")


if __name__ == "__main__":
    main()

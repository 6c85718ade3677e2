"""Isolation by construction: no listener, handed another workspace's leads, shows or changes them.

Two workspaces share one database. The victim's leads, touches and history are
made through the app (``templates`` of the payload fuzz test, which also draws a
valid payload for every registered listener from what the app showed the
victim); the attacker has leads of its own under the same numbers. Each payload
is then sent signed for the attacker's workspace, as drawn and with every lead
number swapped for the victim's row id (the shape values had before numbers
travelled). Nothing the app says back, sends to Slack or stores may hold or
touch the victim's data: the listener list comes from the registration, so a
listener added later is swept without touching this file.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import SIGNING_SECRET, TEAM, Hotleads, every_lead, fresh_database, running_hotleads
from slack_requests import SlackSender, event_body, new_trigger_id, sign
from test_oauth import columns_of, hosted_hotleads, rows_of
from test_payload_fuzz import STEP_INPUTS, body_of, registered, templates

from storage import leads

ATTACKER = "TEVIL"
SECRETS = ("Zebulon Secretary", "Classified Corp", "zeb@classified.example", "classified-note-42")
"""What the victim keeps that no reply to anyone else may show, besides its lead names.

A name the attacker typed too (the Add lead modal's "Jane Doe") is the attacker's own.
"""


@pytest.fixture(params=["one workspace", "OAuth"])
async def two_workspaces(request, tmp_path, slack, backend) -> AsyncIterator[Hotleads]:
    """hotleads with one bot token, or serving installed workspaces through Slack's OAuth."""
    async with fresh_database(backend, tmp_path) as address:
        if request.param == "one workspace":
            async with running_hotleads(address, slack) as running:
                yield running
            return
        async with hosted_hotleads(address, slack) as hosted:
            for team, name in ((TEAM, "Victim"), (ATTACKER, "Attacker")):
                await hosted.install(team, name)
            url = f"{hosted.base}/slack/events"
            sender = SlackSender(url, SIGNING_SECRET, response_url=slack.response_url("cmd"))
            async with sender:
                yield Hotleads(hosted.services, hosted.clock, slack, sender, url)


async def victim_data(hotleads) -> dict[str, list[tuple]]:
    db = hotleads.db
    tables = await columns_of(db)
    return {table: await rows_of(db, table, TEAM, columns) for table, columns in tables.items()}


async def settle(hotleads, within: float = 5.0) -> None:
    """Until the work after the ack is done: no new Slack call for 0.2 s."""
    deadline, seen, still = time.monotonic() + within, -1, 0
    while time.monotonic() < deadline and still < 2:
        now_seen = len(hotleads.slack.calls) + sum(map(len, hotleads.slack.responses.values()))
        still, seen = (still + 1 if now_seen == seen else 0), now_seen
        await asyncio.sleep(0.1)


def swapped_team(node: Any) -> Any:
    """The payload as Slack would sign it for the attacker's workspace."""
    if isinstance(node, str):
        return ATTACKER if node == TEAM else node
    if isinstance(node, dict):
        return {key: swapped_team(value) for key, value in node.items()}
    if isinstance(node, list):
        return [swapped_team(value) for value in node]
    return node


def as_row_ids(node: Any, row_ids: dict[int, int]) -> Any:
    """Every ``#N`` a value carries (and N in a value's JSON) as the victim's row id instead."""
    if isinstance(node, str):
        swapped = re.sub(r"#(\d+)", lambda m: str(row_ids.get(int(m[1]), m[1])), node)
        return re.sub(
            r'"number":\s*(\d+)',
            lambda m: f'"number": {row_ids.get(int(m[1]), m[1])}',
            swapped,
        )
    if isinstance(node, dict):
        return {key: as_row_ids(value, row_ids) for key, value in node.items()}
    if isinstance(node, list):
        return [as_row_ids(value, row_ids) for value in node]
    return node


def everything_said(hotleads) -> str:
    """Every Slack call's parameters and every response_url post since the last clear."""
    said = [json.dumps(call.params, default=str) for call in hotleads.slack.calls]
    said += [json.dumps(post) for posts in hotleads.slack.responses.values() for post in posts]
    return "\n".join(said)


@pytest.mark.timeout(600)
async def test_no_listener_shows_or_changes_another_workspaces_leads(two_workspaces):
    hotleads = two_workspaces
    payloads = await templates(hotleads)
    await hotleads.command(
        "add Zebulon Secretary company:Classified Corp email:zeb@classified.example"
    )
    await hotleads.command("log zebulon call classified-note-42")
    victim = await every_lead(hotleads.db, TEAM)
    secrets = {*SECRETS, *(lead.name for lead in victim)}
    row_ids = {lead.number: lead.id for lead in victim}
    for name in ("Own One", "Own Two", "Own Three", "Own Four"):
        await hotleads.command(f"add {name} source:referral", team_id=ATTACKER)
    await hotleads.command("lost #3", team_id=ATTACKER)
    assert min(row_ids.values()) <= 4, (
        "the victim's row ids should look like the attacker's numbers"
    )
    before = await victim_data(hotleads)
    swept = []
    for listener, (payload, _) in payloads.items():
        kind, key = listener
        for variant in ("numbers", "row ids"):
            case = swapped_team(payload)
            if variant == "row ids":
                case = as_row_ids(case, row_ids)
            if kind == "function":  # a new run of the step, for the attacker's workspace
                event = hotleads.slack.function_executed(key, STEP_INPUTS[key], team_id=ATTACKER)
                case = json.loads(event_body(event, team_id=ATTACKER))
                case = as_row_ids(case, row_ids) if variant == "row ids" else case
            if kind == "event":
                case["event_id"] = f"Ev{time.time_ns()}"
            if "trigger_id" in case:
                case["trigger_id"] = new_trigger_id()
            hotleads.slack.calls.clear()
            hotleads.slack.responses.clear()
            shape = {"command": "command", "event": "event", "function": "event"}
            body = body_of(shape.get(kind, "interactive"), case)
            signed = sign(body, hotleads.sender.signing_secret)
            status, answer = await hotleads.sender.post(body, signed)
            assert status == 200 or 400 <= status < 500, (listener, variant, status)
            await settle(hotleads)
            said = json.dumps(answer, default=str) + everything_said(hotleads)
            seen = [s for s in secrets if s in said]
            if seen:  # unless the attacker sent or has the same words itself
                own = json.dumps(case) + str(await every_lead(hotleads.db, ATTACKER))
                seen = sorted(s for s in seen if s not in own)
            assert not seen, (listener, variant, seen, said[:2000])
            assert hotleads.slack.rejections == [], (listener, variant)
            swept.append((listener, variant))
        assert await victim_data(hotleads) == before, listener
    assert len(swept) == 2 * len(registered())
    assert (
        await leads.get(hotleads.db.reader, ATTACKER, 4) is not None
    )  # the attacker's own, untouched by the rule

"""No payload, however mangled, makes the app fail, change data it shouldn't, or ping anyone.

The listeners are found by running ``handlers.register_all`` against a recorder,
so a listener added later is fuzzed without touching this file; each gets a
valid payload drawn from what the app itself showed, then hypothesis mangles one
field (gone, null, wrong type, huge number, unicode digit, markup) or puts
markup into every string. Bounded by ``HOTLEADS_FUZZ_EXAMPLES`` (default 40);
for a deep run: ``HOTLEADS_FUZZ_EXAMPLES=2000 pytest tests/test_payload_fuzz.py``.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_requests import (
    block_actions_payload,
    event_body,
    interactive_body,
    new_trigger_id,
    sign,
    view_submission_payload,
)
from test_payloads import PING, database, every_mrkdwn
from test_surfaces import (
    add_values,
    block_suggestion_payload,
    card_elements,
    click,
    home_click,
    log_values,
    message_shortcut_payload,
)

import handlers
from handlers.home import AWAY_ACTION, BACK_ACTION, INSTANT_ACTION
from handlers.hook_alerts import CLAIM_ACTION, CLAIM_PREFIX
from handlers.relay import CLAIM_ACTION as RELAY_CLAIM_ACTION
from handlers.workflow_steps import CLAIM_ACTION as STEP_CLAIM_ACTION


@pytest.fixture
def backend() -> str:
    """SQLite only: these check what Slack sends and is sent, which no engine changes;
    the storage and end-to-end suites run on PostgreSQL too (see conftest)."""
    return "sqlite"


EXAMPLES = int(os.environ.get("HOTLEADS_FUZZ_EXAMPLES", "40"))
BAD = [
    None,
    5,
    -1,
    10**26,
    "99999999999999999999999999",
    "²",
    "",
    [],
    {},
    True,
    "<!everyone>",
    "U1> <!everyone> <@U1",
    "<!here>",
    "{not json",
    "Ja\x00ne",  # NUL: PostgreSQL refuses it in text
    "Sur\ud800rogate",  # half an emoji: SQLite can't encode it
    "0001-01-01T00:00:00+14:00",  # a moment that can't be turned into UTC
]
MARKUP = " <!everyone> <@U1|x> <!here>"


class Recorder:
    """Stands in for the Bolt app to list what ``register_all`` registers."""

    def __init__(self) -> None:
        self.registered: list[tuple[str, str]] = []

    def __getattr__(self, kind: str):
        def register(key: Any = None, *_: Any, **__: Any):
            if callable(key):  # app.middleware(fn)
                return key
            self.registered.append((kind, str(key)))
            return lambda listener: listener

        return register


def registered() -> list[tuple[str, str]]:
    recorder = Recorder()
    handlers.register_all(recorder)  # type: ignore[arg-type]
    return recorder.registered


async def templates(hotleads) -> dict[tuple[str, str], tuple[dict[str, Any], list[tuple]]]:
    """A valid payload per listener, from the app's own surfaces; and the paths it must refuse."""
    await hotleads.command("add Jane Doe company:Acme source:referral")
    await hotleads.command("add John Roe company:Acme source:referral")
    block_id, elements = card_elements(await hotleads.command("show #1"))
    pick = next(
        b["accessory"] for b in (await hotleads.command("won acme"))["blocks"] if "accessory" in b
    )
    week = elements["lead_snooze"]["options"][1]
    await hotleads.command("add Lou Lost company:Gone")
    await hotleads.command("lost #3")
    lost_block, lost_elements = card_elements(await hotleads.command("show #3"))
    undo = button_in(await hotleads.command("log #1 call fuzz"), "touch_undo")
    shown_history = await hotleads.command("history #1")
    edit, delete = button_in(shown_history, "touch_edit"), button_in(shown_history, "touch_delete")
    page = {"type": "button", "action_id": "history_page", "value": '{"number":1,"offset":0}'}
    restore = {**delete, "action_id": "touch_restore"}
    actions = {
        **{
            a: click(hotleads, e, block_id, key="f")
            for a, e in elements.items()
            if e["type"] == "button"
        },
        "lead_snooze": click(
            hotleads, elements["lead_snooze"], block_id, key="f", selected_option=week
        ),
        "lead_assign": click(
            hotleads, elements["lead_assign"], block_id, key="f", selected_user="U9"
        ),
        pick["action_id"]: click(hotleads, pick, "b", key="f"),
        "lead_reopen": click(hotleads, lost_elements["lead_reopen"], lost_block, key="f"),
        **{
            b["action_id"]: click(hotleads, b, "h", key="f")
            for b in (undo, edit, delete, page, restore)
        },
        "home_toggle": home_click("home_toggle", user_id="UADMIN", value="team"),
        INSTANT_ACTION: home_click(INSTANT_ACTION, value="off"),
        AWAY_ACTION: home_click(AWAY_ACTION, type="datepicker", selected_date="2026-11-27"),
        BACK_ACTION: home_click(BACK_ACTION, value="back"),
        CLAIM_ACTION: click(
            hotleads,
            {**elements["lead_log"], "action_id": CLAIM_ACTION},
            f"{CLAIM_PREFIX}{elements['lead_log']['value']}",
            key="f",
        ),
    }
    actions[STEP_CLAIM_ACTION] = await step_claim_click(hotleads)
    actions[RELAY_CLAIM_ACTION] = click(  # the value is the lead's number
        hotleads,
        {**elements["lead_log"], "action_id": RELAY_CLAIM_ACTION, "value": "#1"},
        "relay:1",
        key="f",
    )
    who = [("user", "id")]
    found: dict = {}
    for kind, key in registered():
        if kind == "action":
            found[(kind, key)] = (actions[key], [*who, ("actions",)])
        elif kind == "view":
            values = add_values() if key == "add_lead" else log_values(1)
            metadata = '{"number":1,"touch":1,"offset":0}' if key == "touch_edit_form" else ""
            if key == "touch_edit_form":
                values = edit_values()
            submitted = view_submission_payload(key, values, private_metadata=metadata)
            found[(kind, key)] = (submitted, [*who, ("view", "state")])
        elif kind == "options":
            found[(kind, key)] = (block_suggestion_payload("ja", action_id=key), who)
        elif kind == "message_shortcut":
            payload = message_shortcut_payload("Call me <!here>")
            payload["callback_id"] = key
            found[(kind, key)] = (payload, [*who, ("trigger_id",)])
        elif kind == "event":
            event = {"type": key, "user": "U1", "channel": "D0001", "tab": "home"}
            envelope = json.loads(event_body(event))
            found[(kind, key)] = (envelope, [("event", "user"), ("team_id",), ("event_id",)])
        elif kind == "function":
            event = hotleads.slack.function_executed(key, STEP_INPUTS[key])
            envelope = json.loads(event_body(event))
            step = [("event", "function_execution_id"), ("event", "bot_access_token")]
            found[(kind, key)] = (
                envelope,
                [*step, ("event", "inputs"), ("team_id",), ("event_id",)],
            )
        elif kind == "command":
            form = {
                "command": key,
                "text": "log #1 call fuzz",
                "team_id": "T0001",
                "user_id": "U1",
                "trigger_id": new_trigger_id(),
            }
            found[(kind, key)] = (form, [("user_id",), ("team_id",)])
        else:
            raise AssertionError(f"no template for {kind} {key}: teach this test about it")
    return found


STEP_INPUTS: dict[str, dict[str, Any]] = {
    "add_lead": {"name": "Fuzz Lead", "email": "fuzz@acme.com", "owner": "U2", "note": "met"},
    "log_touch": {"lead": "#1", "kind": "call", "logged_by": "U1", "when": "yesterday"},
    "lead_temperature": {"lead": "acme"},
    "claim_lead": {"lead": "#1", "user": "U2", "timeout_minutes": 5},
}


async def step_claim_click(hotleads) -> dict[str, Any]:
    """A click on Claim in the DM a running "Offer a lead to a rep" step sent."""
    event = hotleads.slack.function_executed("claim_lead", STEP_INPUTS["claim_lead"])
    assert (await hotleads.sender.event(event))[0] == 200
    execution_id = event["function_execution_id"]
    async with asyncio.timeout(5):
        while not hotleads.slack.step_messages[execution_id]:  # noqa: ASYNC110 (a message, not an event)
            await asyncio.sleep(0.01)
    (message,) = hotleads.slack.step_messages[execution_id]
    (button,) = (e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"])
    return block_actions_payload(
        button["action_id"],
        value=button["value"],
        block_id="offer:1",
        user_id="U2",
        channel_id=message["channel"],
        message=message,
        response_url=hotleads.slack.response_url("f"),
        extra=hotleads.slack.function_scope(message, "U2"),
    )


def fresh_run(hotleads, template: dict[str, Any], case: dict[str, Any]) -> None:
    """Each case is a new run of the step: Slack never sends one execution twice."""
    event = case.get("event")
    if not isinstance(event, dict):
        return
    run = hotleads.slack.function_executed(template["event"]["function"]["callback_id"], {})
    for key in ("function_execution_id", "bot_access_token"):
        if event.get(key) == template["event"][key]:
            event[key] = run[key]


def button_in(reply: dict[str, Any], action_id: str) -> dict[str, Any]:
    """The first button with ``action_id`` anywhere in a reply's blocks."""
    for block in reply["blocks"]:
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} in {reply}")


def edit_values() -> dict[str, Any]:
    return {
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "call"}}},
        "when": {"when": {"type": "plain_text_input", "value": "yesterday 3pm"}},
        "note": {"note": {"type": "plain_text_input", "value": "fixed"}},
    }


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def marked(node: Any) -> Any:
    if isinstance(node, str):
        return node + MARKUP
    if isinstance(node, dict):
        return {k: marked(v) for k, v in node.items()}
    if isinstance(node, list):
        return [marked(v) for v in node]
    return node


def mutate(payload: dict, path: tuple, bad: Any, drop: bool) -> dict:
    mangled = copy.deepcopy(payload)
    node = mangled
    for key in path[:-1]:
        node = node[key]
    if drop and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = bad
    return mangled


def body_of(kind: str, payload: dict) -> str:
    if kind == "command":
        return _form({k: v for k, v in payload.items() if v is not None})
    if kind == "event":
        return json.dumps(payload)
    return interactive_body(payload)


def _form(fields: dict) -> str:
    return urlencode(
        {k: v if isinstance(v, str) else repr(v) for k, v in fields.items()}, errors="surrogatepass"
    )


@pytest.mark.parametrize("listener", registered(), ids=lambda kk: f"{kk[0]}:{kk[1]}")
async def test_no_mangled_payload_breaks_changes_or_pings(hotleads, listener):
    kind = listener[0]
    payload, required = (await templates(hotleads))[listener]
    fuzz_kind = "command" if kind == "command" else "event" if kind == "event" else "interactive"
    cases: list[tuple[dict, bool]] = []

    @settings(
        max_examples=max(1, EXAMPLES // len(registered())),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        if data.draw(st.booleans()):
            case = marked(payload)
            cases.append((case, False))
            return
        path = data.draw(st.sampled_from(list(paths(payload))))
        bad = data.draw(st.sampled_from(BAD))
        drop = data.draw(st.booleans())
        must_refuse = path in required
        cases.append((mutate(payload, path, bad, drop), must_refuse))

    draw()
    for case, must_refuse in cases:
        await asyncio.sleep(0.2)  # the last case's work after its ack lands first
        before = await database(hotleads)
        hotleads.slack.calls.clear()
        hotleads.slack.responses.clear()
        if fuzz_kind == "event" and case.get("event_id") == payload.get("event_id"):
            case["event_id"] = f"Ev{time.time_ns()}"  # a new delivery, not a retry
        if "trigger_id" in payload and case.get("trigger_id") == payload["trigger_id"]:
            case["trigger_id"] = new_trigger_id()  # a new invocation, not a replay
        if kind == "function":
            fresh_run(hotleads, payload, case)
        body = body_of(fuzz_kind, case)
        started = time.perf_counter()
        status, answer = await hotleads.sender.post(
            body, sign(body, hotleads.sender.signing_secret)
        )
        took = time.perf_counter() - started
        assert status == 200 or 400 <= status < 500, (status, answer, case)
        assert took < 3, (took, case)
        if must_refuse:
            await asyncio.sleep(0.2)
            assert await database(hotleads) == before, case
        shown = every_mrkdwn(hotleads)
        assert not PING.search(shown), (PING.search(shown), case)
        assert hotleads.slack.rejections == [], case

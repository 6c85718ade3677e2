"""What a tampered or careless payload can do (nothing).

Every request goes signed through the real app; every check reads the database
the app wrote, before and after.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest
from conftest import TEAM, mrkdwn_text
from slack_requests import view_submission_payload
from test_surfaces import (
    add_values,
    block_suggestion_payload,
    card_elements,
    click,
    home_click,
    log_values,
    select_state,
)

from bot.domain.schedule import WorkspaceSettings
from handlers.door import FORM_OUT_OF_DATE, OUT_OF_DATE
from storage import deliveries, schema


@pytest.fixture
def backend() -> str:
    """SQLite only: these check what Slack sends and is sent, which no engine changes;
    the storage and end-to-end suites run on PostgreSQL too (see conftest)."""
    return "sqlite"


PING = re.compile(r"<!(?:everyone|here|channel)\b|<@(?![UW][A-Z0-9]{1,20}[>|])")


async def database(hotleads) -> dict[str, list[str]]:
    """Every row of every table but the arrival logs: what "nothing changed" compares."""
    reader = hotleads.db.reader
    return {
        name: sorted(repr(tuple(row)) for row in await reader.fetchall(f"SELECT * FROM {name}"))
        for name in await schema.tables(reader)
        if name not in ARRIVAL_LOGS
    }


ARRIVAL_LOGS = ("seen_events", "seen_triggers")
"""Which deliveries arrived (``handlers.events``): written by every request, read or refused."""


async def card(hotleads) -> tuple[str, dict[str, dict[str, Any]]]:
    return card_elements(await hotleads.command("show #1"))


async def sent_and_answered(hotleads, payload: dict[str, Any]) -> tuple[int, Any]:
    started = time.perf_counter()
    status, body = await hotleads.sender.interactive(payload)
    assert time.perf_counter() - started < 3
    return status, body


def every_mrkdwn(hotleads) -> str:
    """What the app sent Slack that Slack would parse for mentions."""
    texts = []
    for call in hotleads.slack.calls:
        params = call.params
        texts.append(mrkdwn_text({"text": params.get("text", ""), "blocks": params.get("blocks")}))
        if isinstance(params.get("view"), dict):
            texts.append(mrkdwn_text({"blocks": params["view"].get("blocks", [])}))
    for answers in hotleads.slack.responses.values():
        texts += [mrkdwn_text(answer) for answer in answers]
    return "\n".join(texts)


# ------------------------------------------------------ 2. user ids become stored pings

BAD_OWNERS = ["U1> <!everyone> <@U1", "<!here>", "u1", "U1\n", "²", ""]


@pytest.mark.parametrize("owner", BAD_OWNERS)
async def test_add_modal_with_a_tampered_owner_stores_nothing(hotleads, owner):
    before = await database(hotleads)
    payload = view_submission_payload("add_lead", add_values(owner=owner))
    status, answer = await sent_and_answered(hotleads, payload)
    assert status == 200
    assert answer["response_action"] == "errors" and "owner" in answer["errors"]
    assert await database(hotleads) == before


@pytest.mark.parametrize("owner", BAD_OWNERS)
async def test_reassign_to_a_tampered_user_changes_nothing_and_says_so(hotleads, owner):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    block_id, elements = await card(hotleads)
    before = await database(hotleads)
    payload = click(hotleads, elements["lead_assign"], block_id, key="a", selected_user=owner)
    status, _ = await sent_and_answered(hotleads, payload)
    assert status == 200
    (told,) = await hotleads.slack.wait_for_responses("a")
    assert told["text"] == OUT_OF_DATE
    assert await database(hotleads) == before


@pytest.mark.parametrize("owner", ["U1> <!everyone> <@U1", "<!here>", "<!channel|channel>"])
async def test_a_bad_owner_already_stored_never_pings(hotleads, owner):
    hotleads.slack.users["UADMIN"] = {"id": "UADMIN", "tz": "UTC", "is_admin": True}
    await hotleads.command("add Jane Doe company:Acme source:referral")
    await hotleads.command("log #1 quote")
    async with hotleads.db.transaction() as conn:
        await conn.execute("UPDATE leads SET owner = ?, created_by = ?", (owner, owner))
    async with hotleads.db.transaction() as conn:
        settings = WorkspaceSettings(TEAM, "CSALES", "09:00", "UTC")
        await deliveries.save_settings(conn, settings, "UADMIN", hotleads.clock.now())

    for text in ("show #1", "list all team", "list hot"):
        assert owner not in mrkdwn_text(await hotleads.command(text))
    await hotleads.sender.interactive(home_click("home_toggle", user_id="UADMIN", value="team"))
    await hotleads.slack.wait_for("views.publish")
    outcomes = await hotleads.run_due()
    assert "digest" in [o.kind for o in outcomes]

    shown = every_mrkdwn(hotleads)
    assert "someone unknown" in shown
    assert not PING.search(shown), PING.search(shown)


# ------------------------------------------------------ 3. bad button values


@pytest.mark.parametrize(
    "action, change",
    [
        ("lead_won", {"value": "99999999999999999999999999"}),
        ("lead_won", {"value": "²"}),
        ("lead_lost", {"value": None}),
        ("lead_log", {"value": "-1"}),
        ("lead_snooze", {"selected_option": None}),
        ("lead_snooze", {"selected_option": {"value": "²:7"}}),
        ("lead_snooze", {"selected_option": {"value": "1:99999999999"}}),
        ("lead_pick_match", {"value": "{not json"}),
        ("lead_pick_match", {"value": '{"lead": 99999999999999999999999, "command": "won"}'}),
        ("lead_pick_match", {"value": '{"lead": "1", "command": "won"}'}),
    ],
)
async def test_a_bad_button_value_says_out_of_date_and_changes_nothing(hotleads, action, change):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    block_id, elements = await card(hotleads)
    element = elements.get(action, {"type": "button", "action_id": action, "value": ""})
    payload = click(hotleads, element, block_id, key="b")
    payload["actions"][0].update(change)
    before = await database(hotleads)
    status, _ = await sent_and_answered(hotleads, payload)
    assert status == 200
    (told,) = await hotleads.slack.wait_for_responses("b")
    assert told["text"] == OUT_OF_DATE and told["response_type"] == "ephemeral"
    assert await database(hotleads) == before


# ------------------------------------------------------ 4. tampered modal data


@pytest.mark.parametrize(
    "metadata",
    [
        "{not json",
        "[1, 2]",
        "null",
        '{"lead_id": 99999999999999999999999}',
        '{"lead_id": {"$ne": 0}}',
        '{"number": 99999999999999999999999}',
        '{"number": "1"}',
        '{"number": 0}',
    ],
)
async def test_tampered_private_metadata_closes_the_modal_and_stores_nothing(hotleads, metadata):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    before = await database(hotleads)
    payload = view_submission_payload("log_touch", log_values(None), private_metadata=metadata)
    status, answer = await sent_and_answered(hotleads, payload)
    assert status == 200 and answer in ("", None)
    (dm,) = await hotleads.slack.wait_for("chat.postMessage")
    assert (dm.params["channel"], dm.params["text"]) == ("U1", FORM_OUT_OF_DATE)
    assert await database(hotleads) == before


@pytest.mark.parametrize("picked", ["²", "99999999999999999999999", "0", "1 OR 1=1"])
async def test_a_tampered_picked_lead_stores_nothing(hotleads, picked):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    before = await database(hotleads)
    values = log_values(1)
    values["lead"]["lead_pick"] = select_state(picked, "external_select")
    status, answer = await sent_and_answered(hotleads, view_submission_payload("log_touch", values))
    assert status == 200
    assert answer in ("", None) or answer["response_action"] == "errors"
    assert await database(hotleads) == before


# ------------------------------------------------------ 5. missing fields


async def test_a_lost_click_without_a_user_leaves_the_lead_open(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    block_id, elements = await card(hotleads)
    payload = click(hotleads, elements["lead_lost"], block_id, key="l")
    del payload["user"]
    before = await database(hotleads)
    status, _ = await sent_and_answered(hotleads, payload)
    assert status == 200
    (told,) = await hotleads.slack.wait_for_responses("l")
    assert told["text"] == OUT_OF_DATE
    assert await database(hotleads) == before


async def test_a_click_without_actions_is_refused_at_the_door(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    block_id, elements = await card(hotleads)
    payload = click(hotleads, elements["lead_won"], block_id, key="w")
    before = await database(hotleads)
    payload["actions"] = []
    status, _ = await sent_and_answered(hotleads, payload)
    assert status == 400  # Bolt itself indexes actions[0] to route a click
    await asyncio.sleep(0.2)
    assert await database(hotleads) == before


def _without_state(payload):
    del payload["view"]["state"]


def _without_user(payload):
    del payload["user"]


def _without_team(payload):
    del payload["team"], payload["view"]["team_id"], payload["user"]["team_id"]


@pytest.mark.parametrize("strip", [_without_state, _without_user, _without_team])
@pytest.mark.parametrize("callback", ["add_lead", "log_touch"])
async def test_a_submission_missing_a_field_stores_nothing(hotleads, strip, callback):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    values = add_values(name="New Lead") if callback == "add_lead" else log_values(1)
    payload = view_submission_payload(callback, values)
    strip(payload)
    before = await database(hotleads)
    status, answer = await sent_and_answered(hotleads, payload)
    assert status == 200 and answer in ("", None)
    assert await database(hotleads) == before


async def test_a_number_where_the_add_modal_expects_a_name_stores_nothing(hotleads):
    values = add_values()
    values["name"]["name"] = {"type": "plain_text_input", "value": 12345}
    before = await database(hotleads)
    status, answer = await sent_and_answered(hotleads, view_submission_payload("add_lead", values))
    assert status == 200 and answer in ("", None)
    assert await database(hotleads) == before


@pytest.mark.parametrize("missing", ["team", "user"])
async def test_a_lead_search_without_team_or_user_offers_nothing(hotleads, missing):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    payload = block_suggestion_payload("jane")
    del payload[missing]
    if missing == "team":
        del payload["user"]["team_id"]
    status, answer = await sent_and_answered(hotleads, payload)
    assert (status, answer) == (200, {"options": []})


async def test_a_valid_search_still_offers_the_lead(hotleads):
    """The counterpart of the refusals above: the same payload, whole, is answered."""
    await hotleads.command("add Jane Doe company:Acme source:referral")
    status, answer = await sent_and_answered(hotleads, block_suggestion_payload("jane"))
    assert status == 200 and [o["text"]["text"] for o in answer["options"]] == [
        "#1 Jane Doe (Acme)"
    ]

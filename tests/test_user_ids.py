"""Who a Slack user is: one shape of user id on every surface, and a hook's owner one of its people.

The shape is ``bot.domain.slack_user.is_user_id``; each surface that takes a user
id (a mention in a command, the Add lead modal's owner, the Reassign menu, a
hook's ``owner``, a CSV's owner column, ``hooks new --owner``) accepts exactly
the ids it accepts. A hook's owner must also be an active member of the hook's
workspace, which Slack says (``users.info``), trusted for a few minutes like
admin rights; when Slack can't say, nothing is stored and the sender may retry.
"""

from __future__ import annotations

import pytest
from conftest import TEAM, every_lead, reply_text
from slack_requests import view_submission_payload
from test_hooks import make_hook, send, stored
from test_payloads import database
from test_surfaces import add_values, card_elements, click, interact

from bot import admin, hook_admin
from bot.config import ConfigError
from bot.domain.hooks import DEFAULT_KIND
from bot.domain.slack_user import is_user_id
from handlers.people import ADMIN_FRESH_FOR
from storage import leads

SHAPES = [
    "U1",
    "W0123ABCD",
    "U0123456789ABCDEFGHIJ",  # 20 after the U: the longest
    "U0123456789ABCDEFGHIJK",  # 21: too long
    "u0123ABCD",
    "C0123ABCD",
    "U0123-ABC",
    "U0123ÀBCD",
    "U²",
]


def test_the_rule_itself():
    assert [is_user_id(shape) for shape in SHAPES] == [True] * 3 + [False] * 6


@pytest.mark.parametrize("user_id", SHAPES)
async def test_every_surface_accepts_exactly_the_ids_the_rule_accepts(
    hotleads, user_id, tmp_path, capsys
):
    hotleads.slack.default_user = {"tz": "UTC", "is_admin": False}  # every id is one of ours
    expected = is_user_id(user_id)
    accepted = {
        "command": await by_command(hotleads, user_id),
        "modal": await by_modal(hotleads, user_id),
        "reassign": await by_reassign(hotleads, user_id),
        "hook": await by_hook(hotleads, user_id),
        "csv": await by_csv(hotleads, user_id, tmp_path, capsys),
        "cli": await by_cli(hotleads, user_id),
    }
    assert accepted == dict.fromkeys(accepted, expected)


async def by_command(hotleads, user_id: str) -> bool:
    reply = await hotleads.command(f"add Cmd {user_id} owner:<@{user_id}|someone>")
    return "Added" in reply_text(reply)


async def by_modal(hotleads, user_id: str) -> bool:
    values = add_values(f"Modal {user_id}", owner=user_id)
    answer = await interact(hotleads, view_submission_payload("add_lead", values))
    return answer in ("", None)


async def by_reassign(hotleads, user_id: str) -> bool:
    await hotleads.command(f"add Reassigned {user_id} owner:<@UADMIN|admin>")
    number = len(await every_lead(hotleads.db, TEAM))
    block_id, elements = card_elements(await hotleads.command(f"show #{number}"))
    menu = click(hotleads, elements["lead_assign"], block_id, key="menu", selected_user=user_id)
    await interact(hotleads, menu)
    await hotleads.slack.wait_for_responses("menu")
    return (await leads.get(hotleads.db.reader, TEAM, number)).owner == user_id


async def by_hook(hotleads, user_id: str) -> bool:
    made = await make_hook(hotleads)
    status, answer = await send(hotleads, made, {"name": f"Hook {user_id}", "owner": user_id})
    assert status == 200 or answer["field"] == "owner", answer
    return status == 200


async def by_csv(hotleads, user_id: str, tmp_path, capsys) -> bool:
    file = tmp_path / "owners.csv"
    file.write_text(f"name,owner\nCsv Lead,{user_id}\n", encoding="utf-8")
    await admin.import_csv(
        hotleads.services.settings, str(file), team=TEAM, owner=None, dry_run=False
    )
    return "imported 1 lead" in capsys.readouterr().out


async def by_cli(hotleads, user_id: str) -> bool:
    try:
        await hook_admin.new(
            hotleads.services.settings,
            team=TEAM,
            type="generic",
            kind=DEFAULT_KIND,
            owner=user_id,
            as_json=True,
        )
    except ConfigError as error:
        assert "--owner must be a Slack user id" in str(error)
        return False
    return True


# ---------------------------------------------------------------- a hook's owner


async def test_a_hook_owner_of_another_workspace_is_refused_by_field(hotleads):
    hotleads.slack.users["UTHEM"] = {"id": "UTHEM", "team_id": "T0002", "tz": "UTC"}
    hotleads.slack.users["USHARED"] = {"id": "USHARED", "team_id": "T0002", "tz": "UTC"}
    hotleads.slack.shared.add("USHARED")  # Slack Connect shows them, with their own team
    hotleads.slack.users["UGONE"] = {"id": "UGONE", "tz": "UTC", "deleted": True}
    made = await make_hook(hotleads)
    before = await stored(hotleads)
    for owner in ("UTHEM", "USHARED", "UGONE", "UNOBODY"):
        status, answer = await send(hotleads, made, {"name": "Jane Doe", "owner": owner})
        assert (status, answer["field"]) == (400, "owner"), (owner, answer)
        assert owner in answer["error"]
    assert await stored(hotleads) == before


async def test_a_hook_owner_of_the_workspace_is_asked_of_slack_then_trusted_a_while(hotleads):
    hotleads.slack.users["UANA"] = {"id": "UANA", "tz": "Europe/Berlin"}
    hotleads.slack.users["UGRID"] = {
        "id": "UGRID",
        "team_id": "T0009",
        "enterprise_user": {"teams": ["T0009", TEAM]},
    }
    made = await make_hook(hotleads)
    for i, owner in enumerate(("UANA", "UANA", "UGRID")):
        status, answer = await send(hotleads, made, {"name": f"Lead {i}", "owner": owner})
        assert status == 200, answer
    assert [lead.owner for lead in await every_lead(hotleads.db, TEAM)] == ["UANA", "UANA", "UGRID"]
    asked = [call.params["user"] for call in hotleads.slack.calls_to("users.info")]
    assert asked == ["UANA", "UGRID"]  # the second UANA came from the cache

    hotleads.clock.moment += ADMIN_FRESH_FOR * 2
    status, _ = await send(hotleads, made, {"name": "Lead 3", "owner": "UANA"})
    assert status == 200
    assert len(hotleads.slack.calls_to("users.info")) == 3  # asked again


@pytest.mark.parametrize(
    "failure", [{"error": "fatal_error"}, {"status": 500}, {"status": 429, "retry_after": 0}]
)
async def test_when_slack_cannot_say_who_the_owner_is_nothing_is_stored(hotleads, failure):
    hotleads.slack.users["UANA"] = {"id": "UANA", "tz": "UTC"}
    made = await make_hook(hotleads)
    hotleads.slack.fail_next("users.info", times=5, **failure)
    before = await stored(hotleads)
    status, answer = await send(hotleads, made, {"name": "Jane Doe", "owner": "UANA"})
    assert status == 503 and "try again" in answer["error"], answer
    assert await stored(hotleads) == before


# ---------------------------------------------------------------- rights Slack can't confirm


@pytest.mark.parametrize(
    "failure", [{"error": "fatal_error"}, {"status": 500}, {"status": 429, "retry_after": 0}]
)
async def test_when_slack_cannot_confirm_rights_the_reply_says_so(hotleads, failure):
    """An admin must never read "only admins may" because Slack was down."""
    hotleads.slack.users["U7"] = {"id": "U7", "tz": "UTC", "is_admin": True}
    await hotleads.command("add Jane Doe company:Acme source:referral owner:<@U2|bob>")
    await hotleads.command("log #1 demo", user_id="U2")
    hotleads.clock.moment += ADMIN_FRESH_FOR * 2  # what Slack said before is too old
    before = await database(hotleads)
    hotleads.slack.fail_next("users.info", times=1000, **failure)  # however often it is asked

    said = []
    for text in ("settings quiet:3", "hooks new generic"):
        hotleads.slack.responses["cmd"].clear()
        await hotleads.command(text, user_id="U7")
        (answer,) = await hotleads.slack.wait_for_responses("cmd")
        said.append(reply_text(answer))
    history = await hotleads.command("history #1", user_id="U7")
    delete = next(
        element
        for block in history["blocks"]
        for element in [block.get("accessory") or {}, *block.get("elements", [])]
        if element.get("action_id") == "touch_delete"
    )
    payload = click(hotleads, delete, "d", key="delete")
    payload["user"]["id"] = "U7"
    await interact(hotleads, payload)
    said.append(reply_text((await hotleads.slack.wait_for_responses("delete"))[0]))

    for text in said:
        assert "Slack couldn't confirm your permissions" in text and "Only" not in text, text
    assert await database(hotleads) == before

"""Slack-native surfaces end to end: modals, the lead picker, App Home, the message
shortcut, lead-card and pick-a-match buttons, CSV export to the DM, event retries.

Every request is signed as Slack signs it and shaped as Slack sends it; the checks
are on the database, on the Web API calls the fake Slack received, and on the
bodies posted to response URLs.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import time
from datetime import timedelta
from typing import Any

import pytest
from conftest import TEAM, every_lead, lead_no, reply_text
from slack_requests import (
    block_actions_payload,
    event_body,
    new_trigger_id,
    sign,
    view_submission_payload,
)

from bot.domain.lead import Lead, NewTouch
from handlers.home import CHANGE_SETTLE
from storage import leads

DAY = timedelta(days=1)
EXPORT_HEADER = (
    "id,name,company,email,phone,source,owner,status,temperature,score,"
    "interactions,last_touch_at,snoozed_until,created_at"
)


# ---------------------------------------------------------------- helpers


async def stored(hotleads, team: str = TEAM) -> list[Lead]:
    return await every_lead(hotleads.db, team)


async def interact(hotleads, payload: dict[str, Any]) -> Any:
    """Post an interactivity payload; return what the app acked with."""
    status, body = await hotleads.sender.interactive(payload)
    assert status == 200, body
    return body


async def insert_leads(hotleads, count: int, *, owner: str = "U1", source: str = "referral"):
    """Many leads at once, straight through storage (the app reads them back as usual)."""
    now = hotleads.clock.now()
    async with hotleads.db.transaction() as conn:
        return [
            await leads.create(
                conn,
                team_id=TEAM,
                name=f"Filler {i:03d}",
                company=f"Company {i:03d}",
                source=source,
                owner=owner,
                created_by=owner,
                now=now,
            )
            for i in range(count)
        ]


def text_state(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value or None}


def select_state(value: str | None, kind: str = "static_select") -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": value}, "value": value} if value else None
    return {"type": kind, "selected_option": option}


def add_values(
    name: str = "Jane Doe",
    *,
    company: str = "",
    source: str = "referral",
    email: str = "",
    phone: str = "",
    owner: str = "U1",
    note: str = "",
) -> dict[str, Any]:
    """The Add modal's state as Slack submits it: {block_id: {action_id: state}}."""
    return {
        "name": {"name": text_state(name)},
        "company": {"company": text_state(company)},
        "source": {"source": select_state(source)},
        "email": {"email": text_state(email)},
        "phone": {"phone": text_state(phone)},
        "owner": {"owner": {"type": "users_select", "selected_user": owner}},
        "note": {"note": text_state(note)},
    }


def log_values(
    number: int | None, kind: str = "demo", note: str = "", when: str = ""
) -> dict[str, Any]:
    """The Log modal's state; ``number`` None when the lead is fixed (no picker)."""
    values: dict[str, Any] = {
        "kind": {"kind_pick": select_state(kind)},
        "note": {"note_text": text_state(note)},
        "when": {"when_text": text_state(when)},
    }
    if number is not None:
        values["lead"] = {"lead_pick": select_state(f"#{number}", "external_select")}
    return values


def block_suggestion_payload(
    value: str, *, team_id: str = TEAM, user_id: str = "U1", action_id: str = "lead_pick"
) -> dict[str, Any]:
    """What Slack sends to the options load URL as the rep types into an external select."""
    return {
        "type": "block_suggestion",
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": team_id},
        "container": {"type": "view", "view_id": "V0001"},
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "action_id": action_id,
        "block_id": "lead",
        "value": value,
        "team": {"id": team_id, "domain": "acme"},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": {"id": "V0001", "type": "modal", "callback_id": "log_touch"},
    }


def message_shortcut_payload(
    text: str, *, ts: str = "1700000000.000200", channel_id: str = "C1", user_id: str = "U1"
) -> dict[str, Any]:
    """A rep picks "Log as lead touch" from a message's ⋯ menu."""
    return {
        "type": "message_action",
        "token": "legacy-verification-token",
        "action_ts": f"{time.time():.6f}",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": TEAM},
        "channel": {"id": channel_id, "name": "sales"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": "log_as_touch",
        "trigger_id": new_trigger_id(),
        "response_url": "https://hooks.slack.com/app/T0001/2000000001/shortcut",
        "message_ts": ts,
        "message": {"type": "message", "user": "U2", "ts": ts, "text": text},
    }


def click(
    hotleads, element: dict[str, Any], block_id: str, *, key: str = "x", **chosen: Any
) -> dict[str, Any]:
    """A block_actions payload for ``element`` as the app drew it, on an ephemeral reply."""
    payload = block_actions_payload(
        element["action_id"],
        value=element.get("value", ""),
        block_id=block_id,
        response_url=hotleads.slack.response_url(key),
    )
    payload["container"]["is_ephemeral"] = True
    del payload["message"]  # Slack sends no copy of an ephemeral message
    action = payload["actions"][0]
    if element["type"] != "button":
        action.pop("text")
        action.pop("value")
        action.update(type=element["type"], **chosen)
    return payload


def home_click(
    action_id: str,
    *,
    user_id: str = "U1",
    block_id: str = "home",
    trigger_id: str | None = None,
    **action: Any,
) -> dict[str, Any]:
    """A click on the Home tab: the container is the view, there is no message."""
    payload = block_actions_payload(
        action_id, user_id=user_id, block_id=block_id, trigger_id=trigger_id
    )
    for gone in ("message", "channel", "response_url"):
        del payload[gone]
    payload["container"] = {"type": "view", "view_id": "VHOME"}
    payload["view"] = {"id": "VHOME", "type": "home", "blocks": []}
    payload["actions"][0].update(action)
    return payload


def card_elements(reply: dict[str, Any]) -> tuple[str, dict[str, dict[str, Any]]]:
    """The block id and the elements, by action_id, of a lead card's button row."""
    (row,) = [b for b in reply["blocks"] if b.get("block_id", "").startswith("card:")]
    return row["block_id"], {e["action_id"]: e for e in row["elements"]}


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    return reply_text({"blocks": blocks})


async def home_redraws_landed(hotleads) -> None:
    """Wait until no Home redraw is on its way: each waits ``CHANGE_SETTLE`` after a change."""
    seen = -1
    while seen != len(hotleads.slack.calls_to("views.publish")):
        seen = len(hotleads.slack.calls_to("views.publish"))
        await asyncio.sleep(CHANGE_SETTLE + 0.3)


async def forget_earlier_home_redraws(hotleads) -> None:
    """Changes redraw the Home tabs they show on after their ack; let those land, forget them."""
    await home_redraws_landed(hotleads)
    hotleads.slack.calls[:] = [c for c in hotleads.slack.calls if c.method != "views.publish"]


async def home_opened(hotleads, user_id: str = "U1", count: int = 1) -> dict[str, Any]:
    """Open the Home tab; return the view the app published for it.

    ``count`` numbers the publishes since the first opening in a test.
    """
    if count == 1:
        await forget_earlier_home_redraws(hotleads)
    event = {"type": "app_home_opened", "user": user_id, "channel": "D0001", "tab": "home"}
    status, _ = await hotleads.sender.event(event)
    assert status == 200
    return await latest_home(hotleads, user_id, count)


async def home_showing(hotleads, text: str) -> dict[str, Any]:
    """The first Home view published that shows ``text``; redraws after changes settle first."""
    for _ in range(50):
        for call in hotleads.slack.calls_to("views.publish"):
            if text in blocks_text(call.params["view"]["blocks"]):
                return call.params["view"]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no Home view showed {text!r} within 5 s")


async def latest_home(hotleads, user_id: str, count: int) -> dict[str, Any]:
    call = (await hotleads.slack.wait_for("views.publish", count))[count - 1]
    assert call.ok and call.params["user_id"] == user_id
    return call.params["view"]


# ---------------------------------------------------------------- the Add modal


async def test_add_without_arguments_opens_the_add_modal(hotleads):
    await hotleads.command("add", trigger_id="T-add-trigger")
    (opened,) = await hotleads.slack.wait_for("views.open")
    assert opened.ok and opened.params["trigger_id"] == "T-add-trigger"
    view = opened.params["view"]
    assert view["callback_id"] == "add_lead" and view["title"]["text"] == "Add lead"
    block_ids = [b["block_id"] for b in view["blocks"]]
    assert block_ids == ["name", "company", "source", "email", "phone", "owner", "note"]
    owner = view["blocks"][5]["element"]
    assert owner["type"] == "users_select" and owner["initial_user"] == "U1"
    sources = [o["value"] for o in view["blocks"][2]["element"]["options"]]
    assert sources == ["referral", "client", "inbound", "event", "remarketing", "cold"]
    assert await stored(hotleads) == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (add_values(email="jane-at-acme"), "email"),
        (add_values(name="   "), "name"),
        (add_values(note="n" * 2001), "note"),
        (add_values(company="c" * 201), "company"),
        (add_values(source=""), "source"),
    ],
)
async def test_add_modal_errors_show_on_the_field_and_store_nothing(hotleads, values, field):
    answer = await interact(hotleads, view_submission_payload("add_lead", values))
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [field]
    assert await stored(hotleads) == []
    await asyncio.sleep(0.05)
    assert hotleads.slack.calls_to("chat.postMessage") == []


async def test_add_modal_stores_the_lead_and_dms_the_commands_confirmation(hotleads):
    values = add_values(
        "  Jane   Doe ",
        company="Acme Inc",
        source="referral",
        email="jane@acme.com",
        phone="+49 30 1234",
        owner="U2",
        note="Met at the fair.\nWants a quote.",
    )
    answer = await interact(hotleads, view_submission_payload("add_lead", values))
    assert answer in ("", None)  # a plain ack closes the modal
    (lead,) = await stored(hotleads)
    assert (lead.name, lead.company, lead.email, lead.phone, lead.source, lead.owner) == (
        "Jane Doe",
        "Acme Inc",
        "jane@acme.com",
        "+49 30 1234",
        "referral",
        "U2",
    )
    assert lead.created_by == "U1"
    (touch,) = await leads.recent_touches(hotleads.db.reader, lead)
    assert (touch.kind, touch.note) == ("note", "Met at the fair.\nWants a quote.")
    (dm,) = await hotleads.slack.wait_for("chat.postMessage")
    assert dm.ok and dm.params["channel"] == "U1"
    # The same words as `/lead add` typed (compared with a twin in another workspace).
    typed = await hotleads.command(
        'add "Jane Doe" company:"Acme Inc" source:referral owner:<@U2|bob>', team_id="TTWIN"
    )
    assert dm.params["text"] == typed["text"]
    assert "Added" in dm.params["text"] and "#1" in dm.params["text"]
    await hotleads.slack.wait_for("views.publish")  # and the Home tab is redrawn


async def test_add_modal_refuses_a_duplicate_on_the_field(hotleads):
    await hotleads.command("add Jane Doe company:Acme email:jane@acme.com")
    by_email = add_values("Janet", company="Other", email="JANE@acme.com")
    by_name = add_values("jane doe", company="acme")
    for values in (by_email, by_name):
        answer = await interact(hotleads, view_submission_payload("add_lead", values))
        assert answer["response_action"] == "errors"
        assert "already here" in answer["errors"]["name"]
    assert len(await stored(hotleads)) == 1
    await asyncio.sleep(0.05)
    assert hotleads.slack.calls_to("chat.postMessage") == []


async def test_add_modal_names_the_lead_it_duplicates(hotleads):
    await hotleads.command("add Jane Doe company:Acme")
    await hotleads.command("add Omar Other company:Beta")
    answer = await interact(
        hotleads, view_submission_payload("add_lead", add_values("Omar Other", company="Beta"))
    )
    assert answer["errors"]["name"] == "Omar Other (#2) is already here."


# ---------------------------------------------------------------- the Log modal


async def test_log_without_arguments_opens_the_log_modal_with_a_lead_picker(hotleads):
    await hotleads.command("log", trigger_id="T-log-trigger")
    (opened,) = await hotleads.slack.wait_for("views.open")
    assert opened.ok and opened.params["trigger_id"] == "T-log-trigger"
    view = opened.params["view"]
    assert view["callback_id"] == "log_touch"
    picker = view["blocks"][0]
    assert picker["block_id"] == "lead"
    assert picker["element"]["type"] == "external_select"
    assert picker["element"]["action_id"] == "lead_pick"
    assert [b["block_id"] for b in view["blocks"][1:]] == ["kind", "note", "when"]


async def test_lead_picker_searches_the_database_in_the_callers_workspace(hotleads):
    await insert_leads(hotleads, 60)
    await hotleads.command("add Jane Doe company:Acme")  # 61
    await hotleads.command('add Wile Coyote company:"ACME Rockets"')  # 62
    await hotleads.command("add Zed Zebra company:Globex")  # 63, long after 50 others
    await hotleads.command("add Acme Spy company:Acme", team_id="TOTHER")

    answer = await interact(hotleads, block_suggestion_payload("aCmE"))
    labels = [o["text"]["text"] for o in answer["options"]]
    assert sorted(labels) == ["#61 Jane Doe (Acme)", "#62 Wile Coyote (ACME Rockets)"]
    assert {o["value"] for o in answer["options"]} == {"#61", "#62"}

    (zebra,) = (await interact(hotleads, block_suggestion_payload("zebra")))["options"]
    assert zebra["text"]["text"] == "#63 Zed Zebra (Globex)"
    assert (await interact(hotleads, block_suggestion_payload("nobody")))["options"] == []
    spy = await interact(hotleads, block_suggestion_payload("spy", team_id="TOTHER"))
    assert [o["text"]["text"] for o in spy["options"]] == ["#1 Acme Spy (Acme)"]


async def test_lead_picker_with_nothing_typed_offers_my_hottest_leads(hotleads):
    await hotleads.command("add Cold Lead")
    await hotleads.command("add Hot Lead source:referral")
    await hotleads.command("log #2 trial")
    await hotleads.command("add Bobs Lead owner:<@U2|bob>")
    answer = await interact(hotleads, block_suggestion_payload(""))
    labels = [o["text"]["text"] for o in answer["options"]]
    assert labels == ["#2 Hot Lead", "#1 Cold Lead"]


async def test_log_modal_refuses_a_future_when_on_the_field(hotleads):
    await hotleads.command("add Jane Doe source:referral")
    lead = await lead_no(hotleads, 1)
    values = log_values(lead.number, "demo", when="next friday")
    answer = await interact(hotleads, view_submission_payload("log_touch", values))
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["when"] and "future" in answer["errors"]["when"]
    assert (await lead_no(hotleads, 1)).touch_count == 0


@pytest.mark.parametrize(
    ("tz", "when", "says"),
    [
        ("UTC", "0225-03-14", "14 Mar 0225 — that's before 1990; did you mean 2025?"),
        ("Asia/Tokyo", "0001-01-01", "1 Jan 0001 — that's before 1990"),
        ("America/New_York", "9999-12-31 23:00", "in the future"),
    ],
)
async def test_log_modal_refuses_a_date_no_team_means_on_the_field(hotleads, tz, when, says):
    hotleads.slack.users["U1"] = {"id": "U1", "tz": tz, "is_admin": False}
    await hotleads.command("add Jane Doe source:referral")  # caches U1's zone after the ack
    await hotleads.user_cached()
    lead = await lead_no(hotleads, 1)
    values = log_values(lead.number, "meeting", when=when)
    answer = await interact(hotleads, view_submission_payload("log_touch", values))
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["when"] and says in answer["errors"]["when"]
    assert (await lead_no(hotleads, 1)).touch_count == 0


async def test_log_modal_refuses_another_workspaces_lead_on_the_picker(hotleads):
    await hotleads.command("add Secret Lead", team_id="TOTHER")
    (secret,) = await stored(hotleads, "TOTHER")
    answer = await interact(
        hotleads, view_submission_payload("log_touch", log_values(secret.number))
    )
    assert answer["response_action"] == "errors" and list(answer["errors"]) == ["lead"]
    assert (await stored(hotleads, "TOTHER"))[0].touch_count == 0


async def test_log_modal_logs_the_touch_and_dms_warm_to_hot(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    lead = await lead_no(hotleads, 1)
    values = log_values(lead.number, "quote", note="  wants 20 seats ", when="yesterday 3pm")
    answer = await interact(hotleads, view_submission_payload("log_touch", values))
    assert answer in ("", None)
    (touch,) = await leads.recent_touches(hotleads.db.reader, lead)
    assert (touch.kind, touch.note, touch.logged_by) == ("quote", "wants 20 seats", "U1")
    assert touch.at == (hotleads.clock.now() - DAY).replace(hour=15, minute=0)
    (dm,) = await hotleads.slack.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U1"
    assert "warm" in dm.params["text"] and "→" in dm.params["text"] and "hot" in dm.params["text"]
    # The Home tab is drawn again, showing the touch.
    await home_showing(hotleads, "Asked for a quote")


# ---------------------------------------------------------------- App Home


async def _pipeline(hotleads) -> dict[str, Lead]:
    """U1: one quiet warm lead, one hot lead cooling soon, one fresh hot, one cold; U2: one hot."""
    await hotleads.command("add Quiet Quinn company:Qco source:referral")  # 1
    await hotleads.command("add Cooling Cora company:Cco")  # 2
    await hotleads.command("log #2 trial")
    hotleads.clock.moment += 28 * DAY  # a buying signal is fresh for 30 days
    await hotleads.command("add Hot Hana company:Hco")  # 3
    await hotleads.command("log #3 quote")
    await hotleads.command("add Cold Cole company:Kco")  # 4
    await hotleads.command("add Bobs Hot owner:<@U2|bob>")  # 5
    await hotleads.command("log #5 demo")
    return {lead.name.split()[0]: lead for lead in await stored(hotleads)}


async def test_home_shows_my_counts_hot_quiet_with_buttons_and_cooling(hotleads):
    by_name = await _pipeline(hotleads)
    view = await home_opened(hotleads)
    assert view["type"] == "home"
    shown = blocks_text(view["blocks"])
    assert "Your pipeline" in shown
    assert ":fire: 2 hot · :sunny: 1 warm · :snowflake: 1 cold" in shown
    assert "Hot Hana" in shown and "Bobs Hot" not in shown
    hot_part, quiet_part = shown.split("Gone quiet")
    assert "Hot Hana" in hot_part and "Quiet Quinn" in quiet_part
    assert "Cooling soon" in quiet_part and "Cooling Cora" in quiet_part.split("Cooling soon")[1]
    quiet = f"#{by_name['Quiet'].number}"
    (row,) = [b for b in view["blocks"] if b.get("block_id") == f"quiet:{quiet}"]
    actions = {e["action_id"]: e for e in row["elements"]}
    assert set(actions) == {"lead_log", "lead_snooze"}
    assert actions["lead_log"]["value"] == quiet
    assert not any(b.get("block_id") == "home_toggle" for b in view["blocks"])  # not an admin
    assert hotleads.slack.calls_to("users.info")  # the rep's zone and rights are refreshed


async def test_home_snooze_and_log_buttons_change_the_lead_and_redraw(hotleads):
    by_name = await _pipeline(hotleads)
    quiet = by_name["Quiet"]
    view = await home_opened(hotleads)
    (row,) = [b for b in view["blocks"] if b.get("block_id") == f"quiet:#{quiet.number}"]
    snooze = next(e for e in row["elements"] if e["action_id"] == "lead_snooze")
    week = next(o for o in snooze["options"] if o["text"]["text"] == "1 week")
    payload = home_click(
        "lead_snooze", block_id=row["block_id"], type="static_select", selected_option=week
    )
    await interact(hotleads, payload)
    redrawn = await latest_home(hotleads, "U1", 2)
    assert (await lead_no(hotleads, 1)).snoozed_until == hotleads.clock.now() + 7 * DAY
    gone_quiet = blocks_text(redrawn["blocks"]).split("Gone quiet")[1].split("Cooling soon")[0]
    # Quinn is snoozed; Cora is hot but has said nothing for 28 days: quiet, and first.
    assert "Quiet Quinn" not in gone_quiet and "Cooling Cora" in gone_quiet

    await interact(hotleads, home_click("lead_log", value=f"#{quiet.number}", trigger_id="T-home"))
    (opened,) = await hotleads.slack.wait_for("views.open")
    assert opened.params["trigger_id"] == "T-home"
    modal = opened.params["view"]
    assert "Quiet Quinn" in blocks_text(modal["blocks"][:1])
    assert not any(b.get("block_id") == "lead" for b in modal["blocks"])  # lead is fixed
    await interact(
        hotleads, view_submission_payload("log_touch", log_values(None, "call"), view=modal)
    )
    (touch,) = await leads.recent_touches(hotleads.db.reader, quiet)
    assert touch.kind == "call"
    await hotleads.slack.wait_for("chat.postMessage")
    await latest_home(hotleads, "U1", 3)  # redrawn after the touch too


async def test_a_retried_event_is_handled_once(hotleads):
    body = event_body(
        {"type": "app_home_opened", "user": "U1", "channel": "D0001", "tab": "home"},
        event_id="EvRETRY1",
    )
    assert (await hotleads.sender.post(body, sign(body, hotleads.sender.signing_secret)))[0] == 200
    await hotleads.slack.wait_for("views.publish")
    retry = {**sign(body, hotleads.sender.signing_secret), "X-Slack-Retry-Num": "1"}
    retry["X-Slack-Retry-Reason"] = "http_timeout"
    assert (await hotleads.sender.post(body, retry))[0] == 200
    # A retry whose first delivery never arrived is still handled.
    lost = event_body(
        {"type": "app_home_opened", "user": "U2", "channel": "D0002", "tab": "home"},
        event_id="EvLOST1",
    )
    lost_retry = {**sign(lost, hotleads.sender.signing_secret), "X-Slack-Retry-Num": "2"}
    assert (await hotleads.sender.post(lost, lost_retry))[0] == 200
    calls = await hotleads.slack.wait_for("views.publish", 2)
    await asyncio.sleep(0.2)
    assert [c.params["user_id"] for c in calls] == ["U1", "U2"]
    assert len(hotleads.slack.calls_to("views.publish")) == 2
    # The same event id in another workspace is another event.
    other = event_body(
        {"type": "app_home_opened", "user": "U3", "channel": "D0003", "tab": "home"},
        team_id="TOTHER",
        event_id="EvRETRY1",
    )
    assert (await hotleads.sender.post(other, sign(other, hotleads.sender.signing_secret)))[
        0
    ] == 200
    await hotleads.slack.wait_for("views.publish", 3)


async def test_messages_tab_opened_publishes_nothing(hotleads):
    event = {"type": "app_home_opened", "user": "U1", "channel": "D0001", "tab": "messages"}
    assert (await hotleads.sender.event(event))[0] == 200
    await asyncio.sleep(0.2)
    assert hotleads.slack.calls_to("views.publish") == []


async def test_team_view_only_for_admins(hotleads):
    await _pipeline(hotleads)
    # U1 is no admin: no toggle, and a forged toggle click still shows their own pipeline.
    mine = await home_opened(hotleads, "U1")
    assert not any(b.get("block_id") == "home_toggle" for b in mine["blocks"])
    await interact(hotleads, home_click("home_toggle", value="team"))
    forged = await latest_home(hotleads, "U1", 2)
    assert "Your pipeline" in blocks_text(forged["blocks"]) and "Bobs Hot" not in blocks_text(
        forged["blocks"]
    )

    # UADMIN is in HOTLEADS_ADMINS: a toggle, and the team grouped by rep.
    admin = await home_opened(hotleads, "UADMIN", 3)
    (toggle,) = [b for b in admin["blocks"] if b.get("block_id") == "home_toggle"]
    button = toggle["elements"][0]
    assert button["value"] == "team"
    await interact(hotleads, home_click("home_toggle", user_id="UADMIN", value=button["value"]))
    team = blocks_text((await latest_home(hotleads, "UADMIN", 4))["blocks"])
    assert "Team pipeline" in team and "Bobs Hot" in team and "Hot Hana" in team
    assert "<@U1> — 4 open, 2 hot" in team and "<@U2> — 1 open, 1 hot" in team

    # A workspace admin according to Slack (users.info) gets the toggle too.
    hotleads.slack.users["U7"] = {"id": "U7", "tz": "Europe/Berlin", "is_admin": True}
    owner_view = await home_opened(hotleads, "U7", 5)
    assert any(b.get("block_id") == "home_toggle" for b in owner_view["blocks"])


async def test_home_stays_within_100_blocks_with_many_leads(hotleads):
    await insert_leads(hotleads, 150, owner="UADMIN")
    for rep in range(30):
        await insert_leads(hotleads, 3, owner=f"UREP{rep:02d}", source="event")
    hotleads.clock.moment += 10 * DAY
    hot = await insert_leads(hotleads, 40, owner="UADMIN", source="cold")
    async with hotleads.db.transaction() as conn:
        for lead in hot:
            now = hotleads.clock.now()
            await leads.add_touch(
                conn, lead, NewTouch(kind="trial", at=now, logged_by="UADMIN"), now
            )

    mine = await home_opened(hotleads, "UADMIN")
    assert len(mine["blocks"]) <= 100
    shown = blocks_text(mine["blocks"])
    assert ":fire: 40 hot · :sunny: 150 warm" in shown
    assert "…and 30 more: `/lead list hot`" in shown
    assert "…and 140 more: `/lead list warm`" in shown

    await interact(hotleads, home_click("home_toggle", user_id="UADMIN", value="team"))
    team = await latest_home(hotleads, "UADMIN", 2)
    assert len(team["blocks"]) <= 100
    assert "/lead list all team" in blocks_text(team["blocks"])
    assert hotleads.slack.rejections == []


# ---------------------------------------------------------------- the message shortcut


async def test_message_shortcut_logs_the_message_with_its_permalink(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    email = "From: jane@acme.com\nWe'd like a quote for 20 seats & support."
    payload = message_shortcut_payload(email, ts="1700000123.000400", channel_id="C7")
    await interact(hotleads, payload)

    (opened,) = await hotleads.slack.wait_for("views.open")
    assert opened.params["trigger_id"] == payload["trigger_id"]
    note = next(b for b in opened.params["view"]["blocks"] if b["block_id"] == "note")
    assert note["element"]["initial_value"] == email
    (link,) = await hotleads.slack.wait_for("chat.getPermalink")
    assert (link.params["channel"], link.params["message_ts"]) == ("C7", "1700000123.000400")
    (updated,) = await hotleads.slack.wait_for("views.update")
    assert updated.ok and updated.params["view_id"].startswith("V") and updated.params["hash"]
    view = updated.params["view"]
    permalink = "https://acme.slack.com/archives/C7/p1700000123000400"
    assert json.loads(view["private_metadata"])["permalink"] == permalink

    lead = await lead_no(hotleads, 1)
    values = log_values(lead.number, "quote", note=email)
    answer = await interact(hotleads, view_submission_payload("log_touch", values, view=view))
    assert answer in ("", None)
    (touch,) = await leads.recent_touches(hotleads.db.reader, lead)
    assert (touch.kind, touch.note, touch.permalink) == ("quote", email, permalink)
    card = await hotleads.command("show #1")
    assert f"<{permalink}|message>" in reply_text(card)
    await hotleads.slack.wait_for("chat.postMessage")


async def test_message_shortcut_without_a_permalink_still_logs_the_touch(hotleads, caplog):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    hotleads.slack.fail_next("chat.getPermalink", error="channel_not_found")
    payload = message_shortcut_payload("Call me back", ts="1700000123.000400", channel_id="G7")
    await interact(hotleads, payload)
    (opened,) = await hotleads.slack.wait_for("views.open")
    await hotleads.slack.wait_for("chat.getPermalink")
    await asyncio.sleep(0.2)
    assert hotleads.slack.calls_to("views.update") == []  # the open modal is left as it is
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # not a failure
    lead = await lead_no(hotleads, 1)
    values = log_values(lead.number, "call", note="Call me back")
    answer = await interact(
        hotleads, view_submission_payload("log_touch", values, view=opened.params["view"])
    )
    assert answer in ("", None)
    (touch,) = await leads.recent_touches(hotleads.db.reader, lead)
    assert (touch.kind, touch.note, touch.permalink) == ("call", "Call me back", "")


async def test_message_shortcut_preselects_the_lead_by_email_or_name(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral email:jane@acme.com")
    await hotleads.command("add Omar Haddad company:Globex")
    for text, number in (
        ("From: <mailto:JANE@acme.com|JANE@acme.com>\nCall me", 1),
        ("Spoke with omar haddad about pricing", 2),
        ("Nothing to see here", None),
    ):
        hotleads.slack.calls.clear()
        await interact(hotleads, message_shortcut_payload(text))
        (opened,) = await hotleads.slack.wait_for("views.open")
        picker = next(b for b in opened.params["view"]["blocks"] if b["block_id"] == "lead")
        chosen = picker["element"].get("initial_option")
        if number is None:
            assert chosen is None
        else:
            assert chosen["value"] == f"#{number}"
            (updated,) = await hotleads.slack.wait_for("views.update")
            again = next(b for b in updated.params["view"]["blocks"] if b["block_id"] == "lead")
            assert again["element"]["initial_option"] == chosen  # kept when the link comes


async def test_message_shortcut_copes_with_a_view_without_hash(hotleads, caplog):
    hotleads.slack.views_without_hash = True
    await interact(hotleads, message_shortcut_payload("Call me back"))
    await hotleads.slack.wait_for("views.open")
    (updated,) = await hotleads.slack.wait_for("views.update")
    assert updated.ok and "hash" not in updated.params
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# ---------------------------------------------------------------- lead cards and picks


async def test_card_buttons_change_the_lead_and_replace_the_card(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    lead = await lead_no(hotleads, 1)
    block_id, elements = card_elements(await hotleads.command("show #1"))
    assert block_id == f"card:#{lead.number}"
    assert list(elements) == [
        "lead_log",
        "lead_snooze",
        "lead_won",
        "lead_lost",
        "lead_assign",
        "lead_history",
    ]

    week = next(o for o in elements["lead_snooze"]["options"] if o["text"]["text"] == "1 week")
    await interact(
        hotleads, click(hotleads, elements["lead_snooze"], block_id, key="s", selected_option=week)
    )
    (snoozed,) = await hotleads.slack.wait_for_responses("s")
    assert snoozed["replace_original"] is True and "Snoozed until" in reply_text(snoozed)
    assert (await lead_no(hotleads, 1)).snoozed_until == hotleads.clock.now() + 7 * DAY

    await interact(
        hotleads, click(hotleads, elements["lead_assign"], block_id, key="a", selected_user="U9")
    )
    (assigned,) = await hotleads.slack.wait_for_responses("a")
    assert assigned["replace_original"] is True and "<@U9>" in reply_text(assigned)
    assert (await lead_no(hotleads, 1)).owner == "U9"

    await interact(hotleads, click(hotleads, elements["lead_won"], block_id, key="w"))
    (won,) = await hotleads.slack.wait_for_responses("w")
    assert won["replace_original"] is True and ":trophy: won" in reply_text(won)
    assert (await lead_no(hotleads, 1)).status == "won"
    assert "lead_won" not in {
        e.get("action_id") for b in won["blocks"] for e in b.get("elements", [])
    }

    await hotleads.command("reopen #1")
    await interact(hotleads, click(hotleads, elements["lead_lost"], block_id, key="l"))
    (lost,) = await hotleads.slack.wait_for_responses("l")
    assert lost["replace_original"] is True and ":x: lost" in reply_text(lost)
    assert (await lead_no(hotleads, 1)).status == "lost"
    lost_row = next(b for b in lost["blocks"] if b.get("block_id", "").startswith("card:"))
    reopen = next(e for e in lost_row["elements"] if e["action_id"] == "lead_reopen")
    await interact(hotleads, click(hotleads, reopen, block_id, key="r"))
    (reopened,) = await hotleads.slack.wait_for_responses("r")
    assert reopened["replace_original"] is True and (await lead_no(hotleads, 1)).status == "open"
    await hotleads.slack.wait_for(
        "views.publish"
    )  # the clicks' Home redraws, settled into one or more


async def test_card_log_button_opens_the_modal_for_that_lead(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    block_id, elements = card_elements(await hotleads.command("show #1"))
    await interact(hotleads, click(hotleads, elements["lead_log"], block_id))
    (opened,) = await hotleads.slack.wait_for("views.open")
    modal = opened.params["view"]
    assert "Jane Doe" in blocks_text(modal["blocks"][:1])
    values = log_values(None, "demo", note="went well")
    await interact(hotleads, view_submission_payload("log_touch", values, view=modal))
    (touch,) = await leads.recent_touches(hotleads.db.reader, await lead_no(hotleads, 1))
    assert (touch.kind, touch.note) == ("demo", "went well")
    await hotleads.slack.wait_for("chat.postMessage")


async def test_card_buttons_ignore_another_workspaces_lead(hotleads):
    await hotleads.command("add Secret Lead", team_id="TOTHER")
    (secret,) = await stored(hotleads, "TOTHER")
    won = {"type": "button", "action_id": "lead_won", "value": f"#{secret.number}"}
    await interact(hotleads, click(hotleads, won, f"card:#{secret.number}"))
    (told,) = await hotleads.slack.wait_for_responses("x")
    assert "out of date" in told["text"]
    assert (await stored(hotleads, "TOTHER"))[0].status == "open"


async def test_ambiguous_reference_lists_matches_and_a_pick_finishes_the_command(hotleads):
    await hotleads.command("add Jane Doe company:Acme")
    await hotleads.command("add John Roe company:Acme")
    reply = await hotleads.command("won acme")
    assert "more than one" in reply_text(reply)
    buttons = [b["accessory"] for b in reply["blocks"] if "accessory" in b]
    assert [b["text"]["text"] for b in buttons] == ["#1", "#2"]
    assert {lead.status for lead in await stored(hotleads)} == {"open"}

    await interact(hotleads, click(hotleads, buttons[1], "b"))
    (done,) = await hotleads.slack.wait_for_responses("x")
    assert done["replace_original"] is True
    assert "John Roe" in reply_text(done) and "won" in reply_text(done)
    assert [(lead.number, lead.status) for lead in await stored(hotleads)] == [
        (1, "open"),
        (2, "won"),
    ]


async def test_a_pick_finishes_a_log_with_its_note(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    await hotleads.command("add John Roe company:Acme")
    reply = await hotleads.command('log acme demo "great demo"')
    buttons = [b["accessory"] for b in reply["blocks"] if "accessory" in b]
    await interact(hotleads, click(hotleads, buttons[0], "b"))
    (done,) = await hotleads.slack.wait_for_responses("x")
    assert "Logged" in reply_text(done) and "Jane Doe" in reply_text(done)
    jane, john = await stored(hotleads)
    (touch,) = await leads.recent_touches(hotleads.db.reader, jane)
    assert (touch.kind, touch.note) == ("demo", "great demo")
    assert john.touch_count == 0
    await hotleads.slack.wait_for("views.publish")


# ---------------------------------------------------------------- export to the DM


async def test_export_hot_acks_at_once_and_uploads_the_csv_to_the_dm(hotleads):
    await hotleads.command("add Jane Doe company:Acme email:jane@acme.com source:referral")
    await hotleads.command("log #1 quote")
    await hotleads.command("add Warm Wendy source:referral")
    await hotleads.command("add Hot But Won")
    await hotleads.command("log #3 trial")
    await hotleads.command("won #3")
    await hotleads.command('add "Omar, Jr." company:"Globex, Intl"')
    await hotleads.command("log #4 demo")
    await hotleads.command("add Other Hot", team_id="TOTHER")
    await hotleads.command("log #1 trial", team_id="TOTHER")

    reply = await hotleads.command("export hot")
    assert reply["response_type"] == "ephemeral" and "Exporting 2 open hot leads" in reply["text"]
    (done,) = await hotleads.slack.wait_for("files.completeUploadExternal")
    (opened,) = hotleads.slack.calls_to("conversations.open")
    assert opened.params["users"] == "U1"
    assert done.ok and done.params["channel_id"] == "DU1"
    assert "2 open hot leads" in done.params["initial_comment"]
    (content,) = hotleads.slack.uploads.values()
    text = content.decode()
    assert text.splitlines()[0] == EXPORT_HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["id"], r["name"], r["company"]) for r in rows] == [
        ("1", "Jane Doe", "Acme"),
        ("4", "Omar, Jr.", "Globex, Intl"),
    ]
    assert {r["temperature"] for r in rows} == {"hot"} and {r["status"] for r in rows} == {"open"}
    assert rows[0]["email"] == "jane@acme.com" and rows[0]["interactions"] == "1"
    assert rows[0]["created_at"] == hotleads.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- from a reminder DM


async def test_logging_from_a_reminder_redraws_the_reminder(hotleads):
    hotleads.clock.moment -= 10 * DAY
    await hotleads.command("add Jane Doe source:referral")
    hotleads.clock.moment += 10 * DAY
    await hotleads.run_due()
    (dm,) = await hotleads.slack.wait_for("chat.postMessage")
    assert dm.params["channel"] == "DU1" and "Jane Doe" in reply_text(dm.params)
    (row,) = [b for b in dm.params["blocks"] if b.get("block_id", "").startswith("lead:")]
    log_button = next(e for e in row["elements"] if e["action_id"] == "lead_log")
    message = {"type": "message", "ts": "1700000000.000700", "blocks": dm.params["blocks"]}
    payload = block_actions_payload(
        "lead_log", value=log_button["value"], block_id=row["block_id"], message=message
    )
    payload["container"]["channel_id"] = payload["channel"]["id"] = "DU1"
    await interact(hotleads, payload)
    (opened,) = await hotleads.slack.wait_for("views.open")
    modal = opened.params["view"]
    values = log_values(None, "call", note="left a voicemail")
    await interact(hotleads, view_submission_payload("log_touch", values, view=modal))
    (update,) = await hotleads.slack.wait_for("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("DU1", "1700000000.000700")
    assert "Touched just now" in reply_text(update.params)
    (touch,) = await leads.recent_touches(
        hotleads.db.reader, await lead_no(hotleads, int(log_button["value"].lstrip("#")))
    )
    assert (touch.kind, touch.note) == ("call", "left a voicemail")
    await hotleads.slack.wait_for("views.publish")


async def test_a_burst_of_changes_shares_home_redraws_and_the_last_one_shows_them_all(hotleads):
    await hotleads.command("add Burst Bella source:cold")
    await forget_earlier_home_redraws(hotleads)
    replies = await asyncio.gather(*(hotleads.command("log #1 demo") for _ in range(20)))
    assert all("Logged" in reply_text(reply) for reply in replies)
    await hotleads.slack.wait_for("views.publish")
    await home_redraws_landed(hotleads)  # and any rerun
    publishes = hotleads.slack.calls_to("views.publish")
    assert 1 <= len(publishes) < 20
    assert "Had a demo (20 times)" in blocks_text(publishes[-1].params["view"]["blocks"])

"""What the app trusts from a request, end to end: Slack's signature before the body,
a permalink only of Slack's shape, admin rights only as Slack said minutes ago.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest
from conftest import SIGNING_SECRET, TEAM, mrkdwn_text, reply_text
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_requests import FORM, JSON, sign, slash_command_body, view_submission_payload
from test_surfaces import blocks_text, home_click, home_opened, latest_home, log_values

from bot.app import build_app
from bot.domain.lead import NewTouch
from handlers import permalinks
from storage import deliveries, leads


@pytest.fixture
def backend() -> str:
    """SQLite only: these check what Slack sends and is sent, which no engine changes;
    the storage and end-to-end suites run on PostgreSQL too (see conftest)."""
    return "sqlite"


PERMALINK = "https://acme.slack.com/archives/C7/p1700000123000400"
EVIL = "<https://evil.example|click> <!channel>"


async def post_raw(url: str, raw: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=io.BytesIO(raw), headers=headers) as r,
    ):
        return r.status, await r.text()


def signed_bytes(raw: bytes, content_type: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature over raw bytes (which need not be UTF-8)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }


def door_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


# ---------------------------------------------------------------- 7: the signature first

GARBAGE = "payload={not json"


def _no_signature(body: str) -> dict[str, str]:
    return {"Content-Type": FORM}


def _wrong_secret(body: str) -> dict[str, str]:
    return sign(body, "another-apps-secret")


def _stale(body: str) -> dict[str, str]:
    return sign(body, SIGNING_SECRET, timestamp=int(time.time()) - 301)


def _from_the_future(body: str) -> dict[str, str]:
    return sign(body, SIGNING_SECRET, timestamp=int(time.time()) + 301)


def _timestamp(value: str):
    def headers(body: str) -> dict[str, str]:
        return {**sign(body, SIGNING_SECRET), "X-Slack-Request-Timestamp": value}

    return headers


def _signature(value: str):
    def headers(body: str) -> dict[str, str]:
        return {**sign(body, SIGNING_SECRET), "X-Slack-Signature": value}

    return headers


UNSIGNED = {
    "no signature": _no_signature,
    "wrong secret": _wrong_secret,
    "stale by 5 min": _stale,
    "5 min ahead": _from_the_future,
    "timestamp not a number": _timestamp("yesterday"),
    "timestamp in unicode digits": _timestamp("\uff11\uff17" + "\uff10" * 8),
    "timestamp of 5000 digits": _timestamp("9" * 5000),
    "empty signature": _signature(""),
    "signature not ascii": _signature("v0=é" + "0" * 62),
}


@pytest.mark.parametrize("headers", UNSIGNED.values(), ids=UNSIGNED.keys())
@pytest.mark.parametrize(
    "body", [GARBAGE, slash_command_body("add Jane Doe")], ids=["garbage", "a real command"]
)
async def test_unsigned_or_stale_requests_get_401_before_the_body_is_read(
    hotleads, caplog, headers, body
):
    status, answer = await hotleads.sender.post(body, headers(body))
    assert status == 401
    assert answer == {"error": "invalid signature"}
    assert await leads.get(hotleads.db.reader, TEAM, 1) is None
    (warning,) = door_records(caplog)  # one line, no traceback
    assert warning.levelno == logging.WARNING and warning.exc_info is None
    assert hotleads.slack.calls == []


MALFORMED = {
    "payload not json": (GARBAGE.encode(), FORM),
    "payload a list": (urlencode({"payload": "[1, 2]"}).encode(), FORM),
    "payload null": (urlencode({"payload": "null"}).encode(), FORM),
    "payload a string": (urlencode({"payload": '"hi"'}).encode(), FORM),
    "json event a list": (b"[1, 2]", JSON),
    "json event a number": (b"12", JSON),
    "json event cut short": (b'{"type": "event_callback", "event": {', JSON),
    "json nested past the recursion limit": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, JSON),
    "not utf-8": ("text=caf\xe9&command=/lead".encode("latin-1"), FORM),
    "another charset": (slash_command_body("help").encode(), f"{FORM}; charset=latin-1"),
    "an unknown charset": (slash_command_body("help").encode(), f"{FORM}; charset=klingon"),
}


@pytest.mark.parametrize(("raw", "content_type"), MALFORMED.values(), ids=MALFORMED.keys())
async def test_signed_but_malformed_bodies_get_400_not_500(hotleads, caplog, raw, content_type):
    status, answer = await post_raw(hotleads.url, raw, signed_bytes(raw, content_type))
    assert status == 400, answer
    assert "error" in json.loads(answer)
    (warning,) = door_records(caplog)
    assert warning.levelno == logging.WARNING and warning.exc_info is None
    assert hotleads.slack.calls == []


async def test_a_body_that_is_not_utf8_gets_400_even_unsigned(hotleads):
    """Slack signs UTF-8 text; slack_sdk's verifier can't check anything else."""
    raw = "text=caf\xe9&command=/lead".encode("latin-1")
    status, answer = await post_raw(hotleads.url, raw, {"Content-Type": FORM})
    assert (status, json.loads(answer)) == (400, {"error": "the body is not UTF-8"})


async def test_an_oversized_body_gets_413(hotleads, caplog):
    raw = urlencode({"payload": json.dumps({"type": "block_actions", "x": "a" * 2**21})}).encode()
    status, _ = await post_raw(hotleads.url, raw, signed_bytes(raw, FORM))
    assert status == 413
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_signed_requests_still_reach_the_app(hotleads):
    reply = await hotleads.command("add Jane Doe company:Acme")
    assert "#1" in reply_text(reply)
    body = slash_command_body("help").encode()
    status, answer = await post_raw(
        hotleads.url, body, signed_bytes(body, f"{FORM}; charset=UTF-8")
    )
    assert status == 200 and "/lead" in answer


async def test_bolt_still_checks_the_signature_and_socket_mode_needs_none(hotleads):
    bolt = build_app(hotleads.services)
    body = slash_command_body("help")
    unsigned = await bolt.async_dispatch(AsyncBoltRequest(body=body, headers={}))
    assert unsigned.status == 401  # Bolt's own check, behind the door's
    form = dict(parse_qsl(body))
    over_socket = await bolt.async_dispatch(AsyncBoltRequest(body=form, mode="socket_mode"))
    assert over_socket.status == 200 and "/lead" in over_socket.body


# ---------------------------------------------------------------- 6: permalinks


@pytest.mark.parametrize(
    "link",
    [
        PERMALINK,
        "https://acme.enterprise.slack.com/archives/C0123ABCD/p1700000123000400",
        "https://acme.slack.com/archives/C7/p1700000123000400?thread_ts=1700000100.000200&cid=C7",
    ],
)
def test_slack_permalinks_are_kept(link):
    assert permalinks.checked(link) == link
    assert permalinks.message_link(link) == f" (<{link}|message>)"


@pytest.mark.parametrize(
    "link",
    [
        EVIL,
        "<https://evil.example|click>",
        "<!channel>",
        "https://evil.example/archives/C7/p1700000123000400",
        "https://acme.slack.com.evil.example/archives/C7/p1700000123000400",
        "https://evil.example/?x=.slack.com/archives/C7/p1700000123000400",
        "http://acme.slack.com/archives/C7/p1700000123000400",
        "https://acme.slack.com/archives/C7/p1700000123000400|click",
        "https://acme.slack.com/archives/C7/p1700000123000400 <!here>",
        "https://acme.slack.com/archives/C7/p1700000123000400\n",
        "https://acme.slack.com/archives/C7/p1700000123000400?a=<b>",
        "https://acme.slack.com/archives/C7/p1700000123000400?" + "a" * 600,
        "https://ACME.slack.com/archives/C7/p1700000123000400",
        "javascript:alert(1)",
        "",
        5,
        None,
        ["https://acme.slack.com/archives/C7/p1700000123000400"],
    ],
)
def test_anything_else_is_dropped(link):
    assert permalinks.checked(link) == ""
    assert permalinks.message_link(link) == ""


async def _log_from_modal(hotleads, permalink: object) -> tuple[str, str]:
    """Submit the Log modal for lead #1 with ``permalink`` in its metadata; return the card."""
    await hotleads.command("add Jane Doe company:Acme")
    lead = await leads.get(hotleads.db.reader, TEAM, 1)
    metadata = json.dumps({"number": lead.number, "permalink": permalink})
    payload = view_submission_payload(
        "log_touch", log_values(None, "call", note="Called"), private_metadata=metadata
    )
    status, _ = await hotleads.sender.interactive(payload)
    assert status == 200
    (touch,) = await leads.recent_touches(hotleads.db.reader, lead)
    assert touch.note == "Called"
    await hotleads.slack.wait_for("chat.postMessage")
    return mrkdwn_text(await hotleads.command("show #1")), touch.permalink


async def test_metadata_whose_permalink_is_no_text_is_refused_whole(hotleads):
    await hotleads.command("add Jane Doe company:Acme")
    lead = await leads.get(hotleads.db.reader, TEAM, 1)
    metadata = json.dumps({"number": lead.number, "permalink": 42})
    payload = view_submission_payload(
        "log_touch", log_values(None, "call", note="Called"), private_metadata=metadata
    )
    status, _ = await hotleads.sender.interactive(payload)
    assert status == 200
    assert await leads.recent_touches(hotleads.db.reader, lead) == []


@pytest.mark.parametrize("tampered", [EVIL, "https://evil.example/archives/C7/p1700000123000400"])
async def test_a_tampered_permalink_in_the_modal_is_dropped_at_the_door(hotleads, tampered):
    card, stored = await _log_from_modal(hotleads, tampered)
    assert stored == ""
    assert "evil" not in card and "<!channel>" not in card and "|message>" not in card
    assert "Called" in card  # the touch itself is logged


async def test_a_slack_permalink_in_the_modal_is_kept_and_linked(hotleads):
    card, stored = await _log_from_modal(hotleads, PERMALINK)
    assert stored == PERMALINK
    assert f"<{PERMALINK}|message>" in card


async def test_a_bad_permalink_already_stored_is_never_linked(hotleads):
    await hotleads.command("add Jane Doe company:Acme")
    lead = await leads.get(hotleads.db.reader, TEAM, 1)
    now = hotleads.clock.now()
    async with hotleads.db.transaction() as conn:
        await leads.add_touch(
            conn, lead, NewTouch(kind="call", at=now, logged_by="U1", permalink=EVIL), now
        )
    card = mrkdwn_text(await hotleads.command("show #1"))
    assert "evil" not in card and "<!channel>" not in card and "|click" not in card


# ---------------------------------------------------------------- 8: admin rights, fresh

MINUTE = timedelta(minutes=1)


def team_shown(view: dict) -> bool:
    return "Team pipeline" in blocks_text(view["blocks"][:1])


def has_toggle(view: dict) -> bool:
    return any(b.get("block_id") == "home_toggle" for b in view["blocks"])


async def test_a_demoted_admin_loses_the_team_view_within_minutes(hotleads):
    await hotleads.command("add Bobs Hot owner:<@U2|bob>")
    hotleads.slack.users["U7"] = {"id": "U7", "tz": "UTC", "is_admin": True}
    assert has_toggle(await home_opened(hotleads, "U7"))
    await hotleads.sender.interactive(home_click("home_toggle", user_id="U7", value="team"))
    team = await latest_home(hotleads, "U7", 2)
    assert team_shown(team) and "Bobs Hot" in blocks_text(team["blocks"])

    hotleads.slack.users["U7"]["is_admin"] = False
    hotleads.clock.moment += 2 * MINUTE  # Slack's answer is trusted for a few minutes
    await hotleads.sender.interactive(home_click("home_toggle", user_id="U7", value="team"))
    assert team_shown(await latest_home(hotleads, "U7", 3))
    asked = len(hotleads.slack.calls_to("users.info"))

    hotleads.clock.moment += 4 * MINUTE
    await hotleads.sender.interactive(home_click("home_toggle", user_id="U7", value="team"))
    mine = await latest_home(hotleads, "U7", 4)
    assert len(hotleads.slack.calls_to("users.info")) == asked + 1  # asked Slack again
    assert not team_shown(mine) and not has_toggle(mine)
    assert "Bobs Hot" not in blocks_text(mine["blocks"])


async def settings_change(hotleads, text: str, user_id: str) -> dict:
    hotleads.slack.responses["cmd"].clear()
    await hotleads.command(f"settings {text}", user_id=user_id)
    (answer,) = await hotleads.slack.wait_for_responses("cmd")
    return answer


async def test_a_demoted_admin_cannot_change_settings_within_minutes(hotleads):
    hotleads.slack.users["U7"] = {"id": "U7", "tz": "UTC", "is_admin": True}
    assert "changed" in reply_text(await settings_change(hotleads, "quiet:9", "U7"))
    hotleads.slack.users["U7"]["is_admin"] = False
    hotleads.clock.moment += 6 * MINUTE
    answer = await settings_change(hotleads, "quiet:3", "U7")
    assert "Only workspace admins" in reply_text(answer)
    assert (await deliveries.get_settings(hotleads.db.reader, TEAM)).quiet_days == 9


async def test_hotleads_admins_stay_admins_whatever_slack_says(hotleads):
    hotleads.slack.users["UADMIN"] = {"id": "UADMIN", "tz": "UTC", "is_admin": False}
    hotleads.clock.moment += 6 * MINUTE
    assert "changed" in reply_text(await settings_change(hotleads, "quiet:4", "UADMIN"))
    assert (await deliveries.get_settings(hotleads.db.reader, TEAM)).quiet_days == 4
    assert has_toggle(await home_opened(hotleads, "UADMIN"))


async def test_when_slack_cannot_say_nothing_changes_and_no_team_view(hotleads):
    hotleads.slack.users["U7"] = {"id": "U7", "tz": "UTC", "is_admin": True}
    hotleads.slack.fail_next("users.info", error="fatal_error", times=5)
    answer = await settings_change(hotleads, "quiet:3", "U7")
    assert "Slack couldn't confirm your permissions" in reply_text(answer)
    assert (await deliveries.get_settings(hotleads.db.reader, TEAM)).quiet_days != 3
    await hotleads.sender.interactive(home_click("home_toggle", user_id="U7", value="team"))
    view = (await hotleads.slack.wait_for("views.publish"))[-1].params["view"]
    assert not team_shown(view) and not has_toggle(view)

"""Hooks made by admins in Slack, owners by round robin, instant alerts, Claim, follow-ups."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from conftest import TEAM, every_lead, reply_text
from slack_requests import block_actions_payload
from test_cli import hotleads as cli
from test_hooks import make_hook, send

from bot.app import web_client
from handlers.delivery import run_due
from handlers.hook_alerts import CLAIM_ACTION
from storage import hooks


async def admin(hotleads, text: str, user: str = "UADMIN") -> dict:
    """``/lead <text>`` by an admin-only command: acked first, answered on the response_url."""
    hotleads.slack.responses["cmd"].clear()
    ack = await hotleads.command(text, user_id=user)
    assert "Checking your permissions" in ack["text"]
    (answer,) = await hotleads.slack.wait_for_responses("cmd")
    return answer


async def configure(hotleads, text: str) -> None:
    answer = await admin(hotleads, f"settings {text}")
    assert "Settings changed" in reply_text(answer), reply_text(answer)


def dms_to(hotleads, user: str) -> list:
    """Messages posted into ``user``'s DM (the fake opens ``D`` + user id)."""
    opened = {c.params["users"] for c in hotleads.slack.calls_to("conversations.open")}
    posts = hotleads.slack.calls_to("chat.postMessage")
    return [c for c in posts if user in opened and c.params["channel"].endswith(user)]


# ------------------------------------------------------------------ /lead hooks


async def test_an_admin_makes_a_hook_sees_its_secret_once_lists_it_and_revokes_it(hotleads):
    answer = await admin(hotleads, "hooks new kind:quote owner:<@UANA|ana>")
    text = reply_text(answer)
    path, secret = re.search(r"`(/hooks/\S+)`", text)[1], re.search(r"Secret:\* `(\S+)`", text)[1]
    assert "put your server's public address in front" in text
    (hook,) = await hooks.of_team(hotleads.db.reader, TEAM)
    assert (hook.type, hook.kind, hook.owner, hook.created_by) == (
        "generic",
        "quote",
        "UANA",
        "UADMIN",
    )
    assert path == f"/hooks/{hook.id}" and secret not in str(hook.secret_hash)
    made = type("Made", (), {"hook": hook, "secret": secret})
    status, body = await send(hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com"})
    assert status == 200, body
    listed = reply_text(await admin(hotleads, "hooks"))
    assert hook.id in listed and "1 received" in listed and "<@UANA>" in listed
    assert secret not in listed  # shown once, never again
    revoked = reply_text(await admin(hotleads, f"hooks revoke {hook.id}"))
    assert "Revoked" in revoked
    status, _ = await send(hotleads, made, {"name": "Jim Roe", "email": "jim@acme.com"})
    assert status == 404
    again = reply_text(await admin(hotleads, f"hooks revoke {hook.id}"))
    assert "no live hook" in again


async def test_someone_who_is_not_an_admin_can_neither_make_nor_list_nor_revoke(hotleads):
    made = await make_hook(hotleads)
    hotleads.slack.users["U1"] = {"id": "U1", "tz": "UTC", "is_admin": False}
    for text in ("hooks new typeform", "hooks", f"hooks revoke {made.hook.id}"):
        answer = reply_text(await admin(hotleads, text, user="U1"))
        assert "Only workspace admins" in answer and made.hook.id not in answer
    (still,) = await hooks.of_team(hotleads.db.reader, TEAM)
    assert still.revoked_at is None


# ------------------------------------------------------------------ owners


async def test_leads_with_no_owner_go_round_the_reps_in_turn(hotleads):
    await configure(hotleads, "reps:<@UANA|ana>,<@UBEN|ben>")
    hotleads.slack.users["UCAT"] = {"id": "UCAT", "tz": "UTC"}
    made = await make_hook(hotleads, kind="download")
    for i in range(3):
        status, body = await send(hotleads, made, {"name": f"Lead {i}", "email": f"l{i}@x.com"})
        assert status == 200, body
    status, _ = await send(hotleads, made, {"name": "Named", "email": "n@x.com", "owner": "UCAT"})
    assert status == 200
    owners = [lead.owner for lead in await every_lead(hotleads.db, TEAM)]
    assert owners == ["UANA", "UBEN", "UANA", "UCAT"]


async def test_the_round_robin_turn_is_taken_once_even_by_hooks_at_once(hotleads):
    await configure(hotleads, "reps:<@UANA|ana>,<@UBEN|ben>")
    made = await make_hook(hotleads, kind="download")
    answers = await asyncio.gather(
        *(send(hotleads, made, {"name": f"L{i}", "email": f"l{i}@x.com"}) for i in range(6))
    )
    assert [status for status, _ in answers] == [200] * 6
    owners = [lead.owner for lead in await every_lead(hotleads.db, TEAM)]
    assert sorted(owners) == ["UANA"] * 3 + ["UBEN"] * 3


# ------------------------------------------------------------------ instant alert


async def test_a_quote_request_rings_its_owner_at_once_with_the_buttons(hotleads):
    made = await make_hook(hotleads, kind="quote", owner="UANA")
    status, _ = await send(
        hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com", "note": "20 seats"}
    )
    assert status == 200
    (dm,) = await hotleads.slack.wait_for("chat.postMessage")
    assert dm.params["channel"] == "DUANA"
    text = reply_text(dm.params)
    assert "Jane Doe" in text and "asked for a quote" in text and "20 seats" in text
    assert "hot (" in text and "because" in text
    actions = [
        e["action_id"] for b in dm.params["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert actions == ["lead_log", "lead_snooze", "lead_assign"]
    # A note is no buying signal and the lead is hot already: no second alert.
    await send(hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com", "kind": "note"})
    await asyncio.sleep(0.2)
    assert len(hotleads.slack.calls_to("chat.postMessage")) == 1


async def test_an_unowned_lead_is_claimed_by_the_first_of_two_clicks_at_once(hotleads):
    await configure(hotleads, "channel:<#CSALES|sales>")
    made = await make_hook(hotleads, kind="trial")
    await send(hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com"})
    (posted,) = await hotleads.slack.wait_for("chat.postMessage")
    assert posted.params["channel"] == "CSALES"
    button = next(
        e for b in posted.params["blocks"] if b["type"] == "actions" for e in b["elements"]
    )
    assert button["action_id"] == CLAIM_ACTION
    message = {
        "type": "message",
        "ts": "1700000001.000200",
        "text": posted.params["text"],
        "blocks": posted.params["blocks"],
    }
    clicks = [
        block_actions_payload(
            CLAIM_ACTION,
            value=button["value"],
            block_id="claim:1",
            user_id=user,
            channel_id="CSALES",
            message=message,
            response_url=hotleads.slack.response_url(user),
        )
        for user in ("UANA", "UBEN")
    ]
    statuses = await asyncio.gather(*(hotleads.sender.interactive(c) for c in clicks))
    assert [s for s, _ in statuses] == [200, 200]
    (update,) = await hotleads.slack.wait_for("chat.update")
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.owner in ("UANA", "UBEN")
    assert f"claimed by <@{lead.owner}>" in reply_text(update.params)
    loser = "UBEN" if lead.owner == "UANA" else "UANA"
    (told,) = await hotleads.slack.wait_for_responses(loser)
    assert "claimed" in told["text"] and "first" in told["text"]
    await asyncio.sleep(0.1)
    assert len(hotleads.slack.calls_to("chat.update")) == 1


async def test_an_alert_the_receiver_could_not_send_goes_out_once_from_four_runners(hotleads):
    hotleads.slack.fail_next("chat.postMessage", status=500, times=3)  # the client retries once
    made = await make_hook(hotleads, kind="quote", owner="UANA")
    await send(hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com"})
    await hotleads.slack.wait_for("chat.postMessage", count=2)
    await asyncio.sleep(0.2)
    assert all(not c.ok for c in hotleads.slack.calls_to("chat.postMessage"))
    hotleads.clock.moment += timedelta(minutes=1)
    client = web_client(hotleads.services)
    await asyncio.gather(
        *(run_due(hotleads.services, client, hotleads.clock.now()) for _ in range(4))
    )
    sent = [c for c in hotleads.slack.calls_to("chat.postMessage") if c.ok]
    assert len(sent) == 1 and sent[0].params["channel"] == "DUANA"


# ------------------------------------------------------------------ follow-up


async def test_a_signal_still_unanswered_after_respond_hours_gets_one_follow_up(hotleads):
    await configure(hotleads, "respond:2 relay:off")  # with the relay on, it escalates instead
    made = await make_hook(hotleads, kind="quote", owner="UANA")
    await send(hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com"})
    await hotleads.slack.wait_for("chat.postMessage")
    client = web_client(hotleads.services)
    hotleads.clock.moment += timedelta(hours=1, minutes=59)
    await run_due(hotleads.services, client, hotleads.clock.now())
    assert len(hotleads.slack.calls_to("chat.postMessage")) == 1  # not yet
    hotleads.clock.moment += timedelta(minutes=2)
    for _ in range(2):
        await asyncio.gather(
            *(run_due(hotleads.services, client, hotleads.clock.now()) for _ in range(4))
        )
    said = [
        c for c in hotleads.slack.calls_to("chat.postMessage") if c.params["channel"] == "DUANA"
    ]
    follow_ups = [c for c in said if "still no answer after 2 hours" in reply_text(c.params)]
    assert len(follow_ups) == 1  # beside the alert, and the daily DM that lists it as waiting
    assert len(said) == 3


async def test_an_answered_signal_gets_no_follow_up(hotleads):
    made = await make_hook(hotleads, kind="quote", owner="UANA")
    await send(hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com"})
    await hotleads.slack.wait_for("chat.postMessage")
    hotleads.clock.moment += timedelta(minutes=30)
    await hotleads.command("log #1 call talked prices", user_id="UANA")
    hotleads.clock.moment += timedelta(hours=5)
    await hotleads.run_due()
    assert len(hotleads.slack.calls_to("chat.postMessage")) == 1


async def test_run_due_now_follows_up_an_unclaimed_lead_in_the_channel_once(hotleads):
    await configure(hotleads, "channel:<#CSALES|sales> respond:1 days:mon-fri time:23:59 relay:off")
    made = await make_hook(hotleads, kind="quote")
    await send(hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com"})
    await hotleads.slack.wait_for("chat.postMessage")
    env = {
        "DATABASE_URL": hotleads.db.address.url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": hotleads.slack.url,
    }
    later = (hotleads.clock.now() + timedelta(hours=1, minutes=5)).isoformat()
    outs = []
    for _ in range(2):
        code, out, err = await cli("run-due", "--now", later, env=env)
        assert code == 0, err
        outs.append(out)
    _, again = hotleads.slack.calls_to("chat.postMessage")
    assert again.params["channel"] == "CSALES"
    assert "Still nobody's" in reply_text(again.params)
    assert "sent: follow_up" in outs[0] and "follow_up" not in outs[1]

"""The speed-to-lead relay end to end: the real app, the fake Slack, a clock moved by hand."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from conftest import TEAM, every_lead, reply_text
from slack_requests import block_actions_payload
from test_hook_alerts import configure
from test_hooks import make_hook, send
from test_surfaces import home_click

from bot.app import web_client
from handlers.delivery import run_due
from handlers.home import AWAY_ACTION, INSTANT_ACTION
from handlers.relay import CLAIM_ACTION
from storage import deliveries, relays

REPS = "reps:<@UANA|ana>,<@UBEN|ben>,<@UCAT|cat>"


def actions_of(params: dict) -> list[str]:
    return [
        e["action_id"]
        for b in params.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def offers(hotleads) -> list:
    """Every relay offer posted: a DM with the relay's Claim button."""
    return [
        c
        for c in hotleads.slack.calls_to("chat.postMessage")
        if CLAIM_ACTION in actions_of(c.params)
        and c.params["channel"].startswith("D")
        and c.params["channel"] != "DUBOSS"  # the manager's escalation
    ]


async def runners(hotleads, count: int = 1) -> None:
    """``count`` run-due at once, at the fake clock's time (each server's minute loop, cron)."""
    client = web_client(hotleads.services)
    now = hotleads.clock.now()
    await asyncio.gather(*(run_due(hotleads.services, client, now) for _ in range(count)))


async def later(hotleads, minutes: float, count: int = 1) -> None:
    hotleads.clock.moment += timedelta(minutes=minutes)
    await runners(hotleads, count)


async def quote_for_ana(hotleads, settings: str = "") -> None:
    """A quote request for Ana's lead, alerted at once; reps Ana, Ben, Cat."""
    await configure(hotleads, f"{REPS} {settings}".strip())
    made = await make_hook(hotleads, kind="quote", owner="UANA")
    status, _ = await send(hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com"})
    assert status == 200
    (alert,) = await hotleads.slack.wait_for("chat.postMessage")
    assert alert.params["channel"] == "DUANA"


async def claim(hotleads, user: str, offer_number: int | None = None) -> int:
    """``user`` clicks Claim on the relay's message to them (their offer) or on ``offer_number``."""
    relay = await relays.of_lead(hotleads.db.reader, TEAM, 1)
    assert relay is not None
    number = offer_number or next(o.number for o in relay.offers if o.rep == user)
    sent = await deliveries.latest(hotleads.db.reader, TEAM, "offer", f"{relay.id}:{number}")
    assert sent is not None and sent.ts
    status, _ = await hotleads.sender.interactive(
        block_actions_payload(
            CLAIM_ACTION,
            value="#1",
            block_id="relay:1",
            user_id=user,
            channel_id=sent.channel,
            message={"type": "message", "ts": sent.ts, "text": "", "blocks": []},
            response_url=hotleads.slack.response_url(user),
        )
    )
    return status


def updates(hotleads) -> list:
    return hotleads.slack.calls_to("chat.update")


# ------------------------------------------------------------------ offers


async def test_an_unanswered_lead_is_offered_round_the_reps_and_the_first_claim_owns_it(hotleads):
    await quote_for_ana(hotleads)
    await later(hotleads, 14)
    assert offers(hotleads) == []  # not yet: 15 minutes of working time
    await later(hotleads, 1)
    (to_ben,) = offers(hotleads)
    assert to_ben.params["channel"] == "DUBEN"
    text = reply_text(to_ben.params)
    assert "Jane Doe" in text and "<@UANA> hasn't answered it in 15 min" in text
    (passed,) = updates(hotleads)  # Ana's alert says it was passed on, and is still hers
    assert "passed on to <@UBEN>" in reply_text(passed.params)
    await later(hotleads, 15)
    assert [c.params["channel"] for c in offers(hotleads)] == ["DUBEN", "DUCAT"]
    await later(hotleads, 60)  # each rep once: Ana owns it, Ben and Cat had it
    assert len(offers(hotleads)) == 2
    before = len(updates(hotleads))
    assert await claim(hotleads, "UCAT") == 200
    await hotleads.slack.wait_for("chat.update", count=before + 3)
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.owner == "UCAT"
    ended = updates(hotleads)[before:]
    assert len(ended) == 3  # Ana's alert and both offers, each once
    assert all("claimed by <@UCAT> after 2 hours" in reply_text(c.params) for c in ended)
    assert all(CLAIM_ACTION not in actions_of(c.params) for c in ended)
    await later(hotleads, 120)
    assert len(offers(hotleads)) == 2 and len(updates(hotleads)) == before + 3


async def test_ten_reps_clicking_claim_at_once_make_one_owner_and_one_update_each(hotleads):
    await quote_for_ana(hotleads)
    await later(hotleads, 15)
    await later(hotleads, 15)
    before = len(updates(hotleads))
    clickers = ["UBEN", "UCAT", *(f"UX{i}" for i in range(8))]
    statuses = await asyncio.gather(*(claim(hotleads, user, offer_number=1) for user in clickers))
    assert statuses == [200] * 10
    await hotleads.slack.wait_for("chat.update", count=before + 3)
    await asyncio.sleep(0.2)
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.owner in clickers
    assert len(updates(hotleads)) == before + 3
    late = [u for u in clickers if u != lead.owner]
    told = [await hotleads.slack.wait_for_responses(u) for u in late[:2]]
    assert all("Too late" in r[0]["text"] and f"<@{lead.owner}>" in r[0]["text"] for r in told), (
        told
    )


async def test_the_clock_stops_outside_working_hours_and_on_days_off(hotleads):
    hotleads.clock.moment += timedelta(days=4, hours=7, minutes=55)  # Friday 17:55 UTC
    await quote_for_ana(hotleads)
    await later(hotleads, 10)  # 18:05: five minutes counted, the rest waits
    await later(hotleads, 60 * 24)  # Saturday evening
    await later(hotleads, 60 * 14)  # Sunday 08:05
    assert offers(hotleads) == []
    await later(hotleads, 60 * 24 + 64)  # Monday 09:09
    assert offers(hotleads) == []
    await later(hotleads, 1)  # Monday 09:10: 5 + 10 minutes of working time
    (to_ben,) = offers(hotleads)
    assert to_ben.params["channel"] == "DUBEN"


async def test_working_hours_are_the_workspace_s_and_relay_off_offers_nothing(hotleads):
    await quote_for_ana(hotleads, "hours:8am-10am relay:5")
    await later(hotleads, 30)  # started at 10:00, after the hours: counts from tomorrow 08:00
    assert offers(hotleads) == []
    await later(hotleads, 60 * 22 - 30 + 5)  # Tuesday 08:05
    assert [c.params["channel"] for c in offers(hotleads)] == ["DUBEN"]
    await configure(hotleads, "relay:off")
    await later(hotleads, 60)
    assert len(offers(hotleads)) == 1


# ------------------------------------------------------------------ endings


async def test_answering_ends_the_relay_and_says_so_on_every_message(hotleads):
    await quote_for_ana(hotleads)
    await later(hotleads, 15)
    hotleads.clock.moment += timedelta(minutes=7)
    await hotleads.command("log #1 call talked prices", user_id="UANA")
    before = len(updates(hotleads))
    await later(hotleads, 1)
    ended = updates(hotleads)[before:]
    assert len(ended) == 2  # the alert and Ben's offer
    assert all("answered by <@UANA> after 22 min" in reply_text(c.params) for c in ended)
    await later(hotleads, 240)
    assert len(offers(hotleads)) == 1 and len(updates(hotleads)) == before + 2
    assert await claim(hotleads, "UBEN") == 200  # Ben's offer is over
    (told,) = await hotleads.slack.wait_for_responses("UBEN")
    assert "Too late" in told["text"] and "answered by <@UANA>" in told["text"]
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.owner == "UANA"


async def test_declining_snoozing_and_closing_each_end_the_relay(hotleads):
    await configure(hotleads, REPS)
    made = await make_hook(hotleads, kind="quote", owner="UANA")
    endings = {
        "Said No": ("log #{n} declined not now", "they said no"),
        "Snoozy": ("snooze #{n} 3 days", "snoozed"),
        "Closed": ("won #{n}", "closed"),
    }
    for n, name in enumerate(endings, 1):
        await send(hotleads, made, {"name": name, "email": f"{n}@acme.com"})
    await hotleads.slack.wait_for("chat.postMessage", count=3)
    for n, (command, _) in enumerate(endings.values(), 1):
        reply = await hotleads.command(command.format(n=n), user_id="UANA")
        assert "warning" not in reply_text(reply), reply_text(reply)
    await later(hotleads, 1)
    said = [reply_text(c.params) for c in updates(hotleads)]
    for name, (_, how) in endings.items():
        assert any(name in text and how in text for text in said), (name, said)
    await later(hotleads, 60)
    assert offers(hotleads) == []


# ------------------------------------------------------------------ escalation


async def test_one_escalation_to_the_manager_after_respond_working_hours(hotleads):
    await quote_for_ana(hotleads, "respond:1 manager:<@UBOSS|boss> relay:20")
    for _ in range(6):
        await later(hotleads, 10, count=3)  # three runners racing each minute
    bossed = [
        c for c in hotleads.slack.calls_to("chat.postMessage") if c.params["channel"] == "DUBOSS"
    ]
    assert len(bossed) == 1
    text = reply_text(bossed[0].params)
    assert "waited 1 hours of working time" in text or "waited 60 min" in text
    assert "<@UANA>" in text and "<@UBEN>" in text and "<@UCAT>" in text
    await later(hotleads, 120, count=2)
    assert (
        len(
            [
                c
                for c in hotleads.slack.calls_to("chat.postMessage")
                if c.params["channel"] == "DUBOSS"
            ]
        )
        == 1
    )
    assert [c.params["channel"] for c in offers(hotleads)] == ["DUBEN", "DUCAT"]


async def test_without_a_manager_the_escalation_goes_to_the_channel(hotleads):
    await quote_for_ana(hotleads, "respond:1 channel:<#CSALES|sales>")
    await later(hotleads, 61)
    (posted,) = [  # beside the morning digest
        c
        for c in hotleads.slack.calls_to("chat.postMessage")
        if c.params["channel"] == "CSALES" and CLAIM_ACTION in actions_of(c.params)
    ]
    assert "Jane Doe" in reply_text(posted.params) and "waited 61 min" in reply_text(posted.params)
    assert "offered to <@UBEN>" in reply_text(posted.params)  # the offer due went out first


# ------------------------------------------------------------------ exactly once


async def test_every_step_goes_out_once_from_racing_runners_and_after_a_failed_send(hotleads):
    await quote_for_ana(hotleads)
    hotleads.slack.fail_next("chat.postMessage", status=500, times=2)  # the client retries once
    await later(hotleads, 15, count=4)
    assert offers(hotleads) == [] or not any(c.ok for c in offers(hotleads))
    await later(hotleads, 1, count=4)  # the offer taken but not sent goes out now, once
    sent = [c for c in offers(hotleads) if c.ok]
    assert [c.params["channel"] for c in sent] == ["DUBEN"]
    await later(hotleads, 15, count=4)
    sent = [c for c in offers(hotleads) if c.ok]
    assert [c.params["channel"] for c in sent] == ["DUBEN", "DUCAT"]


# ------------------------------------------------------------------ bursts


async def test_three_forms_in_two_minutes_make_one_alert_and_keep_the_first_clock(hotleads):
    await quote_for_ana(hotleads)
    made = await make_hook(hotleads, kind="download", owner="UANA")
    for kind in ("download", "trial"):
        hotleads.clock.moment += timedelta(minutes=1)
        fields = {"name": "Jane Doe", "email": "jane@acme.com", "kind": kind}
        status, _ = await send(hotleads, made, fields)
        assert status == 200
    (*_, last) = await hotleads.slack.wait_for("chat.update", count=2)
    assert len(hotleads.slack.calls_to("chat.postMessage")) == 1  # one DM for the burst
    text = reply_text(last.params)
    assert "and 2 more: downloaded a white paper, signed up for a trial" in text
    await later(hotleads, 1)
    assert len(hotleads.slack.calls_to("chat.postMessage")) == 1  # run-due sends none of them
    await later(hotleads, 11)
    assert offers(hotleads) == []
    await later(hotleads, 1)  # 15 minutes after the first signal, not the last
    assert [c.params["channel"] for c in offers(hotleads)] == ["DUBEN"]


async def test_a_signal_after_the_burst_window_is_a_new_alert_but_not_a_new_relay(hotleads):
    await quote_for_ana(hotleads)
    await later(hotleads, 11)
    made = await make_hook(hotleads, kind="trial", owner="UANA")
    await send(hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com"})
    await hotleads.slack.wait_for("chat.postMessage", count=2)
    await later(hotleads, 4)  # 15 minutes after the first: the relay kept its clock
    assert [c.params["channel"] for c in offers(hotleads)] == ["DUBEN"]


# ------------------------------------------------------------------ away, alerts off, Home


def home_of(hotleads, user: str) -> str:
    (*_, last) = [
        c for c in hotleads.slack.calls_to("views.publish") if c.params["user_id"] == user
    ]
    return reply_text(last.params["view"])


async def test_an_away_rep_is_skipped_and_their_own_hot_leads_go_on_at_once(hotleads):
    answer = reply_text(await hotleads.command("away until friday", user_id="UBEN"))
    assert "Away until Fri 27 Nov" in answer
    shown = await hotleads.command("settings", user_id="UADMIN")
    assert "*Away:* <@UBEN> (until Fri 27 Nov)" in reply_text(shown)
    assert "*Relay:* a hot lead unanswered for 15 min of working time" in reply_text(shown)
    await quote_for_ana(hotleads)
    await later(hotleads, 15)
    assert [c.params["channel"] for c in offers(hotleads)] == ["DUCAT"]
    await hotleads.command("away until next monday", user_id="UANA")
    made = await make_hook(hotleads, kind="trial", owner="UANA")
    await send(hotleads, made, {"name": "Jim Roe", "email": "jim@acme.com"})
    await hotleads.slack.wait_for("chat.postMessage", count=3)  # her alert still goes out
    await later(hotleads, 1)  # and her lead goes on at the next run: Ben is away, so Cat
    assert [c.params["channel"] for c in offers(hotleads)] == ["DUCAT", "DUCAT"]
    assert "Welcome back" in reply_text(await hotleads.command("away off", user_id="UBEN"))
    await later(hotleads, 15)  # both leads' next turn: Ben, back
    assert [c.params["channel"] for c in offers(hotleads)][2:] == ["DUBEN", "DUBEN"]


async def test_home_shows_notifications_and_alerts_off_keeps_the_relay_away(hotleads):
    status, _ = await hotleads.sender.interactive(
        home_click(INSTANT_ACTION, user_id="UBEN", value="off")
    )
    assert status == 200
    await hotleads.slack.wait_for("views.publish")
    home = home_of(hotleads, "UBEN")
    assert "Notifications" in home and "Instant alerts off" in home
    assert "Turn instant alerts on" in home and "Away until" in home
    pick = home_click(AWAY_ACTION, user_id="UCAT", type="datepicker", selected_date="2026-11-25")
    status, _ = await hotleads.sender.interactive(pick)
    assert status == 200
    await hotleads.slack.wait_for("views.publish", count=2)
    assert "away until Wed 25 Nov" in home_of(hotleads, "UCAT")
    await quote_for_ana(hotleads)
    await later(hotleads, 30)
    assert offers(hotleads) == []  # Ben has alerts off, Cat is away: nobody to offer it to


# ------------------------------------------------------------------ more ways in and out


async def test_a_touch_that_makes_a_lead_hot_starts_a_relay_too(hotleads):
    await configure(hotleads, REPS)
    await hotleads.command("add Jane Doe company:Acme source:inbound", user_id="UANA")
    await hotleads.command("log #1 quote her own", user_id="UANA")  # she heard it herself
    await hotleads.command("add Jim Roe company:Acme source:inbound", user_id="UANA")
    await hotleads.command("log #2 quote 20 seats", user_id="UCAT")  # a teammate took the call
    await hotleads.command("log #1 call sent the quote", user_id="UANA")  # she answered hers
    await later(hotleads, 15)
    (to_ben,) = offers(hotleads)
    assert to_ben.params["channel"] == "DUBEN" and "Jim Roe" in reply_text(to_ben.params)
    await hotleads.command("log #2 call", user_id="UANA")
    await later(hotleads, 1)
    (ended,) = updates(hotleads)[-1:]
    assert "answered by <@UANA>" in reply_text(ended.params)


async def test_the_channel_claim_of_an_unowned_lead_ends_its_relay(hotleads):
    await configure(hotleads, "channel:<#CSALES|sales> respond:1")
    made = await make_hook(hotleads, kind="quote")
    await send(hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com"})
    (posted,) = await hotleads.slack.wait_for("chat.postMessage")
    hotleads.clock.moment += timedelta(minutes=4)
    sent = await alert_recorded(hotleads)
    status, _ = await hotleads.sender.interactive(
        block_actions_payload(
            "lead_claim",
            value=actions_value(posted.params, "lead_claim"),
            block_id="claim:1",
            user_id="UBEN",
            channel_id="CSALES",
            message={"type": "message", "ts": sent.ts, "text": "", "blocks": []},
            response_url=hotleads.slack.response_url("UBEN"),
        )
    )
    assert status == 200
    (update,) = await hotleads.slack.wait_for("chat.update")
    assert "claimed by <@UBEN> after 4 min" in reply_text(update.params)
    await later(hotleads, 120)  # no escalation: the relay is over
    assert not [
        c for c in hotleads.slack.calls_to("chat.postMessage") if "Unanswered" in c.params["text"]
    ]


async def test_an_offer_a_runner_took_but_never_sent_goes_out_once_after_a_restart(hotleads):
    await quote_for_ana(hotleads)
    relay = await relays.of_lead(hotleads.db.reader, TEAM, 1)
    hotleads.clock.moment += timedelta(minutes=15)
    async with hotleads.db.transaction() as conn:  # the turn taken, then the runner died
        assert await relays.offer(conn, TEAM, relay.id, 1, "UBEN", hotleads.clock.now())
    assert offers(hotleads) == []
    await later(hotleads, 1, count=3)  # the next runners, racing
    assert [c.params["channel"] for c in offers(hotleads)] == ["DUBEN"]
    await later(hotleads, 1, count=3)
    assert len(offers(hotleads)) == 1


async def alert_recorded(hotleads):
    """The alert's delivery once its channel and ts are stored (just after the post)."""
    async with asyncio.timeout(5):
        while True:
            sent = await deliveries.latest(hotleads.db.reader, TEAM, "alert")
            if sent is not None and sent.ts:
                return sent
            await asyncio.sleep(0.01)


def actions_value(params: dict, action_id: str) -> str:
    return next(
        e["value"]
        for b in params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


async def test_the_owners_own_fresh_signal_is_relayed_and_a_backfilled_one_is_not(hotleads):
    await configure(hotleads, REPS)
    await hotleads.command("add Jane Doe company:Acme source:inbound", user_id="UANA")
    await hotleads.command("log #1 quote 20 seats", user_id="UANA")  # and then lunch
    await hotleads.command("add Jim Roe company:Acme source:inbound", user_id="UANA")
    await hotleads.command("log #2 quote when:3 days ago", user_id="UANA")  # history
    await later(hotleads, 15)
    (to_ben,) = offers(hotleads)
    assert "Jane Doe" in reply_text(to_ben.params) and "Jim Roe" not in reply_text(to_ben.params)

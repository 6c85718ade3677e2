"""Digest and quiet-lead reminders end to end: run-due across days, zones and failures."""

import asyncio
from datetime import UTC, datetime, timedelta

from conftest import TEAM, every_lead, mrkdwn_text, reply_text
from slack_requests import block_actions_payload

from bot.app import web_client
from bot.domain.clock import FixedClock
from bot.domain.lead import NewTouch
from bot.domain.temperature import cutoffs, signals_from
from handlers.buttons import LOG_ACTION, LOST_ACTION, SNOOZE_ACTION
from handlers.context import Services
from handlers.delivery import run_due
from storage import deliveries, leads
from storage.db import Database

# Monday 23 November 2026. Berlin is UTC+1, New York UTC-5.
MONDAY_0759 = datetime(2026, 11, 23, 7, 59, tzinfo=UTC)
MONDAY_0900_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


async def configure(hotleads, text="channel:<#CSALES|sales> time:09:00 tz:Europe/Berlin"):
    """Admin UADMIN changes settings; the answer comes back on the response_url."""
    hotleads.slack.responses["cmd"].clear()
    await hotleads.command(f"settings {text}", user_id="UADMIN")
    (answer,) = await hotleads.slack.wait_for_responses("cmd")
    return answer


async def add_lead(hotleads, text, days_ago=0, user="U1"):
    """Run a command as if typed ``days_ago`` days before the clock's current time."""
    now = hotleads.clock.moment
    hotleads.clock.moment = now - timedelta(days=days_ago)
    reply = await hotleads.command(text, user_id=user)
    hotleads.clock.moment = now
    return reply


def digests(hotleads):
    return [
        c for c in hotleads.slack.calls_to("chat.postMessage") if c.params["channel"] == "CSALES"
    ]


def dms(hotleads):
    return [
        c for c in hotleads.slack.calls_to("chat.postMessage") if c.params["channel"] != "CSALES"
    ]


async def test_settings_show_defaults_and_admins_change_them(hotleads):
    shown = reply_text(await hotleads.command("settings"))
    assert "not set" in shown and "09:00" in shown and "7 days" in shown
    answer = await configure(
        hotleads, "channel:<#CSALES|sales> time:8:30 tz:europe/berlin quiet:5 days:mon,wed"
    )
    assert "changed" in reply_text(answer)
    settings = await deliveries.get_settings(hotleads.db.reader, TEAM)
    assert (settings.channel_id, settings.digest_time, settings.tz) == (
        "CSALES",
        "08:30",
        "Europe/Berlin",
    )
    assert (settings.quiet_days, settings.digest_days) == (5, ("mon", "wed"))


async def test_non_admins_cannot_change_settings(hotleads):
    hotleads.slack.users["U1"] = {"id": "U1", "tz": "UTC", "is_admin": False, "is_owner": False}
    await hotleads.command("settings channel:<#CX|x>")
    (answer,) = await hotleads.slack.wait_for_responses("cmd")
    assert "Only workspace admins" in reply_text(answer)
    assert (await deliveries.get_settings(hotleads.db.reader, TEAM)).channel_id is None


async def test_workspace_owner_may_change_settings(hotleads):
    hotleads.slack.users["UOWNER"] = {
        "id": "UOWNER",
        "tz": "UTC",
        "is_admin": False,
        "is_owner": True,
    }
    await hotleads.command("settings quiet:3", user_id="UOWNER")
    await hotleads.slack.wait_for_responses("cmd")
    assert (await deliveries.get_settings(hotleads.db.reader, TEAM)).quiet_days == 3


async def test_bad_settings_are_refused_with_a_reason(hotleads):
    for text in ("tz:Mars/Olympus", "time:25:00", "quiet:0", "channel:sales"):
        reply = await hotleads.command(f"settings {text}", user_id="UADMIN")
        assert ":warning:" in reply["text"]
    assert (await deliveries.get_settings(hotleads.db.reader, TEAM)).tz == "UTC"


DIGEST_ONLY = "channel:<#CSALES|sales> time:09:00 tz:Europe/Berlin relay:off"
"""The digest alone in the channel: the relay's escalations of unanswered quotes (which would
post there too) have their own tests in test_relay.py."""


async def test_digest_goes_out_once_at_the_hour_in_the_workspace_zone(hotleads):
    await configure(hotleads, DIGEST_ONLY)
    await add_lead(hotleads, "add Jane Doe company:Acme source:referral", days_ago=3)
    await hotleads.command("log #1 quote 20 seats")
    hotleads.clock.moment = MONDAY_0759
    assert await hotleads.run_due() == []
    hotleads.clock.moment = MONDAY_0900_BERLIN
    (outcome,) = [o for o in await hotleads.run_due() if o.kind == "digest"]
    assert outcome.status == "sent"
    (digest,) = digests(hotleads)
    text = mrkdwn_text(digest.params)
    assert "Jane Doe" in text and "<@U1>" in text and "Asked for a quote" in text
    assert "1 hot" in text
    assert "Newly hot" not in text  # no earlier digest to compare with
    hotleads.clock.moment += timedelta(hours=3)
    assert [o for o in await hotleads.run_due() if o.kind == "digest"] == []
    hotleads.clock.moment += timedelta(days=1)
    await hotleads.run_due()
    assert len(digests(hotleads)) == 2
    assert "Newly hot" not in mrkdwn_text(digests(hotleads)[1].params)


async def test_next_digest_says_what_is_newly_hot_cooled_off_and_cooling_soon(hotleads):
    await configure(hotleads, DIGEST_ONLY)
    tuesday = MONDAY_0900_BERLIN + timedelta(days=1)
    quote = signals_from([("quote", tuesday)])
    hot_for = cutoffs("cold", tuesday, quote).hot_until - tuesday
    # Cal is quoted so that he is hot on Monday's digest and warm by Tuesday's.
    hotleads.clock.moment = tuesday - hot_for - timedelta(hours=1)
    await hotleads.command("add Cal Cooling source:cold")
    await hotleads.command("log #1 quote")
    hotleads.clock.moment = MONDAY_0759
    await add_lead(hotleads, "add Ada Already source:cold")
    await hotleads.command("log #2 trial")
    await add_lead(hotleads, "add Bea Brandnew source:cold")
    hotleads.clock.moment = MONDAY_0900_BERLIN
    await hotleads.run_due()
    monday = mrkdwn_text(digests(hotleads)[0].params)
    assert "Cal Cooling" in monday and "Ada Already" in monday and "2 hot" in monday
    assert "Cooling soon" in monday.split("Ada Already")[-1]
    await hotleads.command("log #3 demo")
    hotleads.clock.moment = tuesday
    await hotleads.run_due()
    tuesday_text = mrkdwn_text(digests(hotleads)[1].params)
    assert "Newly hot:* *Bea Brandnew*" in tuesday_text
    assert "Cooled off:* *Cal Cooling*" in tuesday_text
    assert "2 hot" in tuesday_text


async def test_catch_up_sends_todays_digest_once_but_never_yesterdays(hotleads):
    await configure(hotleads)
    await add_lead(hotleads, "add Jane Doe source:referral", days_ago=1)
    hotleads.clock.moment = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # Tuesday afternoon
    await hotleads.run_due()
    await hotleads.run_due()
    (digest,) = digests(hotleads)
    assert "Tuesday 24 November" in reply_text(digest.params)


async def test_no_digest_on_weekends_or_without_a_channel(hotleads):
    await add_lead(hotleads, "add Jane Doe source:referral", days_ago=1)
    hotleads.clock.moment = MONDAY_0900_BERLIN + timedelta(hours=2)
    await hotleads.run_due()
    assert digests(hotleads) == []
    await configure(hotleads)
    hotleads.clock.moment = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # Saturday
    await hotleads.run_due()
    assert digests(hotleads) == []


async def test_four_runners_at_once_send_one_digest(hotleads):
    await configure(hotleads)
    await add_lead(hotleads, "add Jane Doe source:referral", days_ago=1)
    moment = MONDAY_0900_BERLIN + timedelta(minutes=1)
    runners = []
    for _ in range(4):
        db = await Database.open(hotleads.services.settings.database)
        runners.append(Services(hotleads.services.settings, db, FixedClock(moment)))
    try:
        await asyncio.gather(*(run_due(s, web_client(s), moment) for s in runners))
    finally:
        for services in runners:
            await services.db.close()
    assert len(digests(hotleads)) == 1


async def test_rate_limit_is_waited_out_in_the_same_run(hotleads):
    await configure(hotleads)
    await add_lead(hotleads, "add Jane Doe source:referral", days_ago=1)
    hotleads.slack.fail_next("chat.postMessage", status=429, retry_after=1)
    hotleads.clock.moment = MONDAY_0900_BERLIN
    (outcome,) = [o for o in await hotleads.run_due() if o.kind == "digest"]
    assert outcome.status == "sent"
    assert len([c for c in hotleads.slack.calls_to("chat.postMessage")]) == 2


async def test_server_error_is_retried_on_the_next_run(hotleads):
    await configure(hotleads)
    await add_lead(hotleads, "add Jane Doe source:referral", days_ago=1)
    hotleads.slack.fail_next("chat.postMessage", status=500, times=2)  # the try and its retry
    hotleads.clock.moment = MONDAY_0900_BERLIN
    (failed,) = [o for o in await hotleads.run_due() if o.kind == "digest"]
    assert failed.status == "failed"
    assert (await deliveries.latest(hotleads.db.reader, TEAM, "digest")).status == "failed"
    hotleads.clock.moment += timedelta(minutes=1)
    (sent,) = [o for o in await hotleads.run_due() if o.kind == "digest"]
    assert sent.status == "sent"


async def test_permanent_refusal_is_shown_in_settings_and_not_retried(hotleads):
    await configure(hotleads)
    await add_lead(hotleads, "add Jane Doe source:referral", days_ago=1)
    hotleads.slack.fail_next("chat.postMessage", error="not_in_channel")
    hotleads.clock.moment = MONDAY_0900_BERLIN
    (refused,) = [o for o in await hotleads.run_due() if o.kind == "digest"]
    assert (refused.status, refused.error) == ("refused", "not_in_channel")
    hotleads.clock.moment += timedelta(minutes=5)
    assert [o for o in await hotleads.run_due() if o.kind == "digest"] == []
    assert "/invite @hotleads" in reply_text(await hotleads.command("settings"))


async def test_150_hot_leads_fit_slacks_limits(hotleads):
    await configure(hotleads)
    hotleads.clock.moment = MONDAY_0900_BERLIN - timedelta(hours=1)
    async with hotleads.db.transaction() as conn:
        for n in range(150):
            lead = await leads.create(
                conn,
                team_id=TEAM,
                name=f"&lt;!channel&gt; <!here> Lead {n} " + "x" * 150,
                company="<@U999> " + "y" * 150,
                source="inbound",
                owner="U1",
                created_by="U1",
                now=hotleads.clock.moment,
            )
            await leads.add_touch(
                conn,
                lead,
                NewTouch(kind="trial", at=hotleads.clock.moment, logged_by="U1"),
                hotleads.clock.moment,
            )
    hotleads.clock.moment = MONDAY_0900_BERLIN
    await hotleads.run_due()
    (digest,) = digests(hotleads)  # the fake refused nothing: the fixture checks on teardown
    text = mrkdwn_text(digest.params)
    assert "and 120 more" in text
    assert "<!here>" not in text and "<!channel>" not in text and "<@U999>" not in text


async def test_no_hot_leads_still_posts_pointing_at_the_warmest(hotleads):
    await configure(hotleads)
    await add_lead(hotleads, "add Jane Doe source:referral", days_ago=1)
    hotleads.clock.moment = MONDAY_0900_BERLIN
    await hotleads.run_due()
    (digest,) = digests(hotleads)
    assert "No hot leads today" in reply_text(digest.params) and "Jane Doe" in reply_text(
        digest.params
    )


async def test_digest_preview_is_ephemeral(hotleads):
    await configure(hotleads)
    await add_lead(hotleads, "add Jane Doe source:cold", days_ago=1)
    await hotleads.command("log #1 trial")
    reply = await hotleads.command("digest")
    assert reply["response_type"] == "ephemeral"
    assert "Preview" in reply_text(reply) and "Jane Doe" in reply_text(reply)
    assert digests(hotleads) == []


async def test_quiet_lead_reminded_once_per_quiet_period(hotleads):
    await configure(hotleads)
    hotleads.slack.users["U1"] = {"id": "U1", "tz": "Europe/Berlin", "is_admin": False}
    await add_lead(hotleads, "add Jane Doe company:Acme source:referral", days_ago=10)
    await add_lead(hotleads, "add Fresh Lead source:referral", days_ago=1)
    await add_lead(hotleads, "add Hot Lead source:cold", days_ago=10)
    await add_lead(hotleads, "log #3 quote", days_ago=1)
    await add_lead(hotleads, "log #3 call", days_ago=1)  # answered: not waiting either
    hotleads.clock.moment = MONDAY_0900_BERLIN
    await hotleads.run_due()
    (dm,) = dms(hotleads)
    text = reply_text(dm.params)
    assert "Jane Doe" in text and "Fresh Lead" not in text and "Hot Lead" not in text
    assert {e["action_id"] for b in dm.params["blocks"] for e in b.get("elements", [])} >= {
        LOG_ACTION,
        SNOOZE_ACTION,
        LOST_ACTION,
    }
    for days in range(1, 7):  # Tue..Sun: not again while the period lasts
        hotleads.clock.moment = MONDAY_0900_BERLIN + timedelta(days=days)
        await hotleads.run_due()
    assert len(dms(hotleads)) == 1
    hotleads.clock.moment = MONDAY_0900_BERLIN + timedelta(days=7)
    await hotleads.run_due()
    assert len(dms(hotleads)) == 2


async def test_reminders_wait_for_each_reps_own_morning(hotleads):
    await configure(hotleads)
    hotleads.slack.users["U1"] = {"id": "U1", "tz": "Europe/Berlin", "is_admin": False}
    hotleads.slack.users["U2"] = {"id": "U2", "tz": "America/New_York", "is_admin": False}
    await add_lead(hotleads, "add Berlin Lead source:referral", days_ago=10, user="U1")
    await add_lead(hotleads, "add New York Lead source:referral", days_ago=10, user="U2")
    hotleads.clock.moment = MONDAY_0900_BERLIN
    await hotleads.run_due()
    assert ["Berlin Lead" in reply_text(c.params) for c in dms(hotleads)] == [True]
    hotleads.clock.moment = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 09:00 in New York
    await hotleads.run_due()
    assert len(dms(hotleads)) == 2 and "New York Lead" in reply_text(dms(hotleads)[1].params)


async def test_snoozed_lead_is_not_reminded_until_the_snooze_ends(hotleads):
    await configure(hotleads)
    await add_lead(hotleads, "add Jane Doe source:referral", days_ago=10)
    await hotleads.command("snooze #1 in 3 days")
    hotleads.clock.moment = MONDAY_0900_BERLIN + timedelta(hours=1)
    await hotleads.run_due()
    assert dms(hotleads) == []
    hotleads.clock.moment = MONDAY_0900_BERLIN + timedelta(days=4)
    await hotleads.run_due()
    assert len(dms(hotleads)) == 1


async def test_snooze_and_lost_buttons_update_the_reminder(hotleads):
    await configure(hotleads)
    await add_lead(hotleads, "add Jane Doe source:referral", days_ago=10)
    await add_lead(hotleads, "add Omar Haddad source:event", days_ago=10)
    hotleads.clock.moment = MONDAY_0900_BERLIN
    await hotleads.run_due()
    (dm,) = dms(hotleads)
    message = {"type": "message", "ts": "1700000000.000100", "blocks": dm.params["blocks"]}
    jane = "#1"
    snooze = block_actions_payload(SNOOZE_ACTION, message=message, channel_id="DU1")
    snooze["actions"][0] |= {"type": "static_select", "selected_option": {"value": f"{jane}:7"}}
    status, _ = await hotleads.sender.interactive(snooze)
    assert status == 200
    (update,) = await hotleads.slack.wait_for("chat.update")
    assert "Snoozed until" in reply_text(update.params)
    snoozed = await leads.get(hotleads.db.reader, TEAM, 1)
    assert snoozed.snoozed_until == hotleads.clock.now() + timedelta(days=7)
    lost = block_actions_payload(LOST_ACTION, value="#2", message=message, channel_id="DU1")
    await hotleads.sender.interactive(lost)
    await hotleads.slack.wait_for("chat.update", count=2)
    assert (await leads.get(hotleads.db.reader, TEAM, 2)).status == "lost"


async def test_log_button_opens_the_modal_for_that_lead(hotleads):
    await configure(hotleads)
    await add_lead(hotleads, "add Jane Doe source:referral", days_ago=10)
    hotleads.clock.moment = MONDAY_0900_BERLIN
    await hotleads.run_due()
    (dm,) = dms(hotleads)
    message = {"type": "message", "ts": "1700000000.000100", "blocks": dm.params["blocks"]}
    await hotleads.sender.interactive(
        block_actions_payload(LOG_ACTION, value="#1", message=message)
    )
    (opened,) = await hotleads.slack.wait_for("views.open")
    assert "Jane Doe" in reply_text(opened.params["view"])


async def test_a_lead_in_another_workspace_cannot_be_clicked(hotleads):
    await add_lead(hotleads, "add Secret source:referral", days_ago=10, user="U1")
    secret = (await every_lead(hotleads.db, TEAM))[0]
    payload = block_actions_payload(LOST_ACTION, value=f"#{secret.number}", team_id="TEVIL")
    status, _ = await hotleads.sender.interactive(payload)
    assert status == 200
    await asyncio.sleep(0.2)
    assert (await leads.get(hotleads.db.reader, TEAM, secret.number)).status == "open"


async def test_quiet_means_they_went_quiet_and_the_reminder_says_what_we_tried(hotleads):
    await configure(hotleads)
    hotleads.slack.users["U1"] = {"id": "U1", "tz": "Europe/Berlin", "is_admin": False}
    await add_lead(hotleads, "add Rita Referral source:referral", days_ago=10)  # 13 Nov
    for kind, days in (("email", 6), ("voicemail", 4), ("note", 3), ("email", 2)):
        await add_lead(hotleads, f"log #1 {kind}", days_ago=days)  # our effort: still quiet
    await add_lead(hotleads, "add Hot Hal source:cold", days_ago=12)
    await add_lead(hotleads, "log #2 quote", days_ago=9)
    await add_lead(hotleads, "log #2 call", days_ago=8)  # answered, then nothing for 8 days
    await add_lead(hotleads, "add Planned Pat source:referral", days_ago=10)
    await hotleads.command("next #3 send the proposal due:in 3 days")  # in hand
    await add_lead(hotleads, "add Talked Tom source:referral", days_ago=10)
    await add_lead(hotleads, "log #4 reply", days_ago=2)  # two-way, lately: not quiet
    hotleads.clock.moment = MONDAY_0900_BERLIN
    await hotleads.run_due()
    (dm,) = dms(hotleads)
    text = reply_text(dm.params)
    assert "Planned Pat" not in text and "Talked Tom" not in text
    assert text.index("Hot Hal") < text.index("Rita Referral"), "the hot quiet lead comes first"
    rita = text[text.index("Rita Referral") :]
    assert "No answer since <!date^" in rita and "|2026-11-13>" in rita
    assert "since then: 2 emails, 1 voicemail" in rita
    assert {e["action_id"] for b in dm.params["blocks"] for e in b.get("elements", [])} >= {
        LOG_ACTION,
        SNOOZE_ACTION,
        LOST_ACTION,
    }

"""Next steps and waiting leads through the real app: the daily DM,
the digest, Home and ``/lead report``, across days and time zones with a fake clock."""

from datetime import UTC, datetime, timedelta

import pytest
from conftest import START, TEAM, every_lead, reply_text
from slack_requests import block_actions_payload
from test_cli import hotleads as cli
from test_delivery import add_lead, configure, digests, dms
from test_report import NOW as REPORT_NOW
from test_report import seed
from test_surfaces import blocks_text, home_opened

from bot.domain.next_steps import NextStep, in_hand, is_due, is_overdue, overdue_first
from handlers.buttons import LOG_ACTION, SNOOZE_ACTION
from storage import next_steps

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
# Monday 23 November 2026. Tokyo is UTC+9, New York UTC-5.
TUESDAY_0900_TOKYO = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
TUESDAY_0900_NEW_YORK = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def action_ids(message) -> set[str]:
    return {e["action_id"] for b in message.get("blocks", []) for e in b.get("elements", [])}


def step(due, done=None):
    return NextStep(1, "call", due, "U1", datetime(2026, 1, 1, tzinfo=UTC), done)


TODAY = datetime(2026, 11, 24).date()


@pytest.mark.parametrize(
    ("due", "overdue", "due_now", "hand"),
    [
        (None, False, False, True),
        (TODAY + DAY, False, False, True),
        (TODAY, False, True, True),
        (TODAY - DAY, True, True, False),
    ],
)
def test_a_step_is_due_from_its_day_and_in_hand_until_overdue(due, overdue, due_now, hand):
    assert (is_overdue(step(due), TODAY), is_due(step(due), TODAY)) == (overdue, due_now)
    assert in_hand(step(due), TODAY) is hand


def test_no_step_is_not_in_hand_and_overdue_come_first():
    assert not in_hand(None, TODAY)
    steps = [step(None), step(TODAY + DAY), step(TODAY - 2 * DAY), step(TODAY - DAY)]
    assert [s.due_on for s in overdue_first(steps, TODAY)] == [
        TODAY - 2 * DAY,
        TODAY - DAY,
        TODAY + DAY,
        None,
    ]


async def test_next_sets_lists_overdue_first_and_done_offers_to_log(hotleads):
    for name in ("Ann Apple", "Bo Berry", "Cy Cherry"):
        await hotleads.command(f"add {name} source:referral")
    reply = reply_text(await hotleads.command("next #1 send the proposal due:in 2 weeks"))
    assert "send the proposal" in reply and "due Mon 7 Dec" in reply
    await hotleads.command("next #2 call back due:friday")
    await hotleads.command("next #3 book a demo")
    hotleads.clock.moment += 5 * DAY  # Saturday: #2 is overdue
    listed = reply_text(await hotleads.command("next"))
    assert listed.index("Bo Berry") < listed.index("Ann Apple") < listed.index("Cy Cherry")
    assert "*overdue* since Fri 27 Nov" in listed and "no date" in listed
    assert "1 overdue" in listed
    card = reply_text(await hotleads.command("show #1"))
    assert "Next step: send the proposal (due Mon 7 Dec)" in card
    done = await hotleads.command("next #2 done")
    assert "Done: call back" in reply_text(done) and LOG_ACTION in action_ids(done)
    assert "Bo Berry" not in reply_text(await hotleads.command("next"))
    again = reply_text(await hotleads.command("next #2 done"))
    assert "no open next step" in again


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("next #1 call due:yesterday", "already past"),
        ("next #1 call due:1985-03-01", "before 1990"),
        ("next #1 call due:in 11 years", "more than 10 years ahead"),
        ("next #1 call due:someday maybe", "couldn't read"),
        ("next #9 call", "#9"),
        ("next #1", "What is the next step?"),
    ],
)
async def test_a_bad_next_step_is_refused_and_changes_nothing(hotleads, text, says):
    await hotleads.command("add Ann Apple")
    reply = reply_text(await hotleads.command(text))
    assert says in reply
    async with hotleads.db.transaction() as conn:
        assert await next_steps.open_steps(conn, TEAM, [1]) == {}


async def test_a_closed_lead_takes_no_next_step(hotleads):
    await hotleads.command("add Ann Apple")
    await hotleads.command("won #1")
    assert "is won" in reply_text(await hotleads.command("next #1 send invoice"))


async def test_a_step_is_due_on_the_owners_own_day_tokyo_before_new_york(hotleads):
    await configure(hotleads, "time:09:00 tz:UTC")
    hotleads.slack.users["U1"] = {"id": "U1", "tz": "Asia/Tokyo", "is_admin": False}
    hotleads.slack.users["U2"] = {"id": "U2", "tz": "America/New_York", "is_admin": False}
    await hotleads.command("add Tokyo Lead source:referral", user_id="U1")
    await hotleads.command("add York Lead source:referral", user_id="U2")
    await hotleads.command("next #1 send the quote due:2026-11-24", user_id="U1")
    await hotleads.command("next #2 send the quote due:2026-11-24", user_id="U2")
    await hotleads.run_due()  # Monday: nothing is due yet
    assert dms(hotleads) == []
    hotleads.clock.moment = TUESDAY_0900_TOKYO - timedelta(minutes=1)
    await hotleads.run_due()
    assert dms(hotleads) == []
    hotleads.clock.moment = TUESDAY_0900_TOKYO
    await hotleads.run_due()
    (tokyo,) = dms(hotleads)
    text = reply_text(tokyo.params)
    assert "Tokyo Lead" in text and "send the quote (due today)" in text
    assert "York Lead" not in text
    hotleads.clock.moment = TUESDAY_0900_NEW_YORK
    await hotleads.run_due()
    assert len(dms(hotleads)) == 2 and "York Lead" in reply_text(dms(hotleads)[1].params)
    # Overdue, it stays in the message every day until done.
    hotleads.clock.moment = TUESDAY_0900_TOKYO + DAY
    await hotleads.run_due()
    assert len(dms(hotleads)) == 3
    assert "*overdue* since Tue 24 Nov" in reply_text(dms(hotleads)[2].params)
    await hotleads.command("next #1 done", user_id="U1")
    hotleads.clock.moment = TUESDAY_0900_TOKYO + 2 * DAY
    await hotleads.run_due()
    (york,) = dms(hotleads)[3:]  # New York's Wednesday, still overdue; Tokyo's is done
    assert "York Lead" in reply_text(york.params) and "Tokyo Lead" not in reply_text(york.params)


async def test_a_lead_with_a_step_ahead_gets_no_quiet_reminder_until_it_is_overdue(hotleads):
    await configure(hotleads, "time:09:00 tz:UTC")
    await add_lead(hotleads, "add Quiet Lead source:referral", days_ago=10)
    await hotleads.command("next #1 call her due:2026-11-25")
    hotleads.clock.moment = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    await hotleads.run_due()
    assert dms(hotleads) == []
    hotleads.clock.moment = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    await hotleads.run_due()
    (dm,) = dms(hotleads)
    assert "Quiet Lead" in reply_text(dm.params) and "call her (due today)" in reply_text(dm.params)


async def test_waiting_leads_come_first_in_the_dm_digest_and_home(hotleads):
    await configure(hotleads, "channel:<#CSALES|sales> time:09:00 tz:UTC respond:4")
    await add_lead(hotleads, "add Quiet Lead source:referral", days_ago=10)
    await add_lead(hotleads, "add Quinn Quote source:inbound", days_ago=1)
    await add_lead(hotleads, "log #2 quote wants 20 seats", days_ago=1)
    await add_lead(hotleads, "add Fast Answer source:inbound", days_ago=1)
    await add_lead(hotleads, "log #3 trial", days_ago=1)
    hotleads.clock.moment -= DAY - timedelta(minutes=30)
    await hotleads.command("log #3 call")
    hotleads.clock.moment = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    await hotleads.run_due()
    (dm,) = dms(hotleads)
    text = reply_text(dm.params)
    assert "1 waiting for an answer" in text and "1 gone quiet" in text
    assert text.index("Quinn Quote") < text.index("Quiet Lead")
    assert "Waiting 24 hours for our answer (asked for a quote)" in text
    assert "Fast Answer" not in text
    assert {LOG_ACTION, SNOOZE_ACTION} <= action_ids(dm.params)
    (digest,) = digests(hotleads)
    shown = reply_text(digest.params)
    assert "Waiting for an answer* (1)" in shown and "Quinn Quote" in shown
    assert "waiting 24 hours" in shown
    # Yesterday was a Sunday: no working time passed before the answer (the relay's clock).
    assert "speed to lead (working time):_ 2 buying signals; median answer 0 min" in shown
    assert "1 not answered yet" in shown
    view = await home_opened(hotleads, "U1")
    home = blocks_text(view["blocks"])
    assert home.index("Waiting for your answer") < home.index("Your hot leads")
    assert "Quinn Quote" in home[: home.index("Your hot leads")]
    # Exactly once: later runs that day send nothing more.
    hotleads.clock.moment += 3 * HOUR
    await hotleads.run_due()
    assert len(dms(hotleads)) == 1


async def test_respond_hours_decide_whether_the_dm_says_waiting(hotleads):
    await configure(hotleads, "time:09:00 tz:UTC respond:8")
    await add_lead(hotleads, "add Quinn Quote source:inbound")
    await hotleads.command("log #1 quote")
    hotleads.clock.moment += 5 * HOUR
    await hotleads.run_due()
    assert dms(hotleads) == []
    hotleads.clock.moment += 3 * HOUR
    await hotleads.run_due()
    (dm,) = dms(hotleads)
    assert "Waiting 8 hours" in reply_text(dm.params)


async def test_declined_ends_reminders_and_waiting(hotleads):
    await configure(hotleads, "time:09:00 tz:UTC")
    await add_lead(hotleads, "add Quiet Lead source:referral", days_ago=10)
    await add_lead(hotleads, "add Quinn Quote source:inbound", days_ago=1)
    await add_lead(hotleads, "log #2 quote", days_ago=1)
    await hotleads.command("log #1 declined not interested")
    await hotleads.command("log #2 declined went elsewhere")
    await hotleads.run_due()
    assert dms(hotleads) == []
    assert all(lead.status == "open" for lead in await every_lead(hotleads.db, TEAM))


async def test_the_report_command_is_the_cli_report_for_the_caller(hotleads, tmp_path):
    await seed(hotleads.db.address, team=TEAM)
    hotleads.clock.moment = REPORT_NOW
    reply = await hotleads.command("report days:90")
    assert reply["response_type"] == "ephemeral"
    text = reply_text(reply)
    assert "hot: 7 of 8 won, 88% █████████·" in text and "cold: 0 of 6 won, 0%" in text
    assert "<@U0>" in text and "4 of 8 buying signals (50%)" in text
    assert "Not enough closed leads yet" in reply_text(await hotleads.command("report days:5"))
    assert ":warning:" in reply_text(await hotleads.command("report days:soon"))


async def test_snoozing_a_waiting_lead_from_the_dm_keeps_it_out_until_the_snooze_ends(hotleads):
    await configure(hotleads, "time:09:00 tz:UTC")
    await add_lead(hotleads, "add Quinn Quote source:inbound", days_ago=1)
    await add_lead(hotleads, "log #1 quote", days_ago=1)
    await hotleads.run_due()
    (dm,) = dms(hotleads)
    message = {"type": "message", "ts": "1700000000.000100", "blocks": dm.params["blocks"]}
    snooze = block_actions_payload(SNOOZE_ACTION, message=message, channel_id="DU1")
    snooze["actions"][0] |= {"type": "static_select", "selected_option": {"value": "#1:3"}}
    status, _ = await hotleads.sender.interactive(snooze)
    assert status == 200
    (update,) = await hotleads.slack.wait_for("chat.update")
    assert "Quinn Quote" in reply_text(update.params) and "Snoozed until" in reply_text(
        update.params
    )
    for days in (1, 2):
        hotleads.clock.moment = START + days * DAY
        await hotleads.run_due()
    assert len(dms(hotleads)) == 1
    hotleads.clock.moment = START + 3 * DAY
    await hotleads.run_due()
    assert len(dms(hotleads)) == 2 and "Waiting 4 days" in reply_text(dms(hotleads)[1].params)


async def test_the_digest_lists_next_steps_due_with_their_owner(hotleads):
    await configure(hotleads, "channel:<#CSALES|sales> time:09:00 tz:UTC")
    await hotleads.command("add Ann Apple source:referral")
    await hotleads.command("add Bo Berry source:referral")
    await hotleads.command("next #1 send the proposal due:2026-11-24")
    await hotleads.command("next #2 call back due:2026-11-30")
    hotleads.clock.moment = START + DAY
    await hotleads.run_due()
    (digest,) = digests(hotleads)
    text = reply_text(digest.params)
    assert "Next steps due" in text and "Ann Apple" in text and "<@U1>: send the proposal" in text
    assert "call back" not in text


async def test_run_due_now_sends_a_step_on_the_owners_day(hotleads):
    await configure(hotleads, "time:09:00 tz:UTC")
    hotleads.slack.users["U1"] = {"id": "U1", "tz": "Asia/Tokyo", "is_admin": False}
    await hotleads.command("add Tokyo Lead source:referral")
    await hotleads.command("next #1 send the quote due:2026-11-24")
    env = {
        "DATABASE_URL": hotleads.db.address.url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": hotleads.slack.url,
    }
    code, out, err = await cli("run-due", "--now", "2026-11-23T23:59:00+00:00", env=env)
    assert (code, out) == (0, ""), err
    code, out, err = await cli("run-due", "--now", "2026-11-24T00:00:00+00:00", env=env)
    assert code == 0, err
    assert out.strip() == "sent: reminder T0001/U1 2026-11-24"
    assert "send the quote (due today)" in reply_text(dms(hotleads)[0].params)

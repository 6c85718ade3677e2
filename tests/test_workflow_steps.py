"""hotleads' Workflow Builder steps, end to end: Slack runs a step, the app completes or fails it.

Each step arrives as a signed ``function_executed`` event from the fake Slack, which
holds the app's completions to the manifest's declared outputs and ends a step
once. What a step stores is compared with what the slash command stores.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from conftest import START, TEAM, Hotleads, every_lead, fresh_database, running_hotleads
from fake_slack import Execution, FakeSlack
from slack_requests import block_actions_payload
from test_oauth import Hosted, hosted_hotleads

from bot.domain.clock import FixedClock
from bot.domain.lead import Lead
from bot.domain.temperature import temperature
from handlers.workflow_steps import CLAIM_ACTION
from storage import leads, pending_steps
from storage.db import Database


def advance(clock: FixedClock, by: timedelta) -> None:
    clock.moment += by


async def start_step(
    slack: FakeSlack, sender: Any, callback_id: str, inputs: dict[str, Any], team_id: str = TEAM
) -> str:
    """Workflow Builder runs the step: Slack sends the event, the app acks it at once."""
    event = slack.function_executed(callback_id, inputs, team_id=team_id)
    status, _ = await sender.event(event, team_id=team_id)
    assert status == 200
    return event["function_execution_id"]


async def run_step(
    hotleads: Hotleads, callback_id: str, inputs: dict[str, Any], team_id: str = TEAM
) -> Execution:
    execution_id = await start_step(hotleads.slack, hotleads.sender, callback_id, inputs, team_id)
    return await hotleads.slack.step_ended(execution_id)


def completions(slack: FakeSlack, execution_id: str) -> list:
    """Every call that tried to end this step, refused ones included."""
    return [
        call
        for call in slack.calls
        if call.method.startswith("functions.complete")
        and call.params.get("function_execution_id") == execution_id
    ]


async def stored(db: Database, team_id: str = TEAM) -> tuple[list[Lead], int, int]:
    """Everything a step could change: the leads, how many touches, how many offers wait."""
    touches = await db.reader.fetchone("SELECT count(*) FROM interactions")
    offers = await db.reader.fetchone("SELECT count(*) FROM pending_steps")
    assert touches is not None and offers is not None
    return await every_lead(db, team_id), touches[0], offers[0]


async def touches_of(db: Database, number: int, team_id: str = TEAM) -> list:
    lead = await leads.get(db.reader, team_id, number)
    assert lead is not None
    return await leads.recent_touches(db.reader, lead, limit=50)


# ------------------------------------------------------------ Add a lead


async def test_add_lead_stores_what_slash_add_stores_and_says_by_workflow(hotleads):
    await hotleads.command(
        'add "Jane Doe" company:Acme email:jane@acme.com phone:"+1 555 0100" '
        'source:"trade show" note:"met at the booth"',
        user_id="U2",
    )
    ended = await run_step(
        hotleads,
        "add_lead",
        {
            "name": "  John   Roe ",
            "company": "Acme",
            "email": "john@acme.com",
            "phone": "+1 555 0100",
            "source": "trade show",
            "owner": "U2",
            "note": "met at the booth",
        },
    )
    assert ended.state == "completed", ended.error
    typed, stepped = await every_lead(hotleads.db, TEAM)
    assert (stepped.name, stepped.email, stepped.source, stepped.owner) == (
        "John Roe",
        "john@acme.com",
        "event",
        "U2",
    )

    def apart_from_who(lead: Lead) -> Lead:
        return replace(lead, id=0, number=0, name="", email="")

    assert apart_from_who(stepped) == apart_from_who(typed)
    (typed_note,) = await touches_of(hotleads.db, 1)
    (stepped_note,) = await touches_of(hotleads.db, 2)
    same = ("kind", "note", "at", "logged_by", "logged_at")
    assert [getattr(stepped_note, f) for f in same] == [getattr(typed_note, f) for f in same]
    assert (typed_note.how, stepped_note.how) == ("command", "workflow")

    (completion,) = completions(hotleads.slack, ended.id)
    assert completion.token == ended.token  # the token Slack gave this run, not the app's own
    card = await hotleads.command("show #2")
    assert ended.outputs == {
        "lead_number": 2,
        "temperature": stepped.temperature(START).band,
        "summary": card["text"],
        "duplicate": False,
    }
    history = await hotleads.command("history #2")
    assert "by workflow" in str(history)


async def test_add_lead_with_only_a_name_is_nobodys_cold_lead(hotleads):
    ended = await run_step(hotleads, "add_lead", {"name": "Walk-in at the booth"})
    assert ended.state == "completed", ended.error
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert (lead.name, lead.source, lead.owner, lead.touch_count) == (
        "Walk-in at the booth",
        "cold",
        "",
        0,
    )
    assert ended.outputs is not None and ended.outputs["temperature"] == "cold"
    assert ended.outputs["summary"].startswith("#1 Walk-in at the booth: ")


async def test_what_a_step_gives_the_next_step_pings_nobody(hotleads):
    ended = await run_step(hotleads, "add_lead", {"name": "Ann <!channel> <@U1|x>"})
    assert ended.outputs is not None
    assert "&lt;!channel&gt;" in ended.outputs["summary"]
    assert "<!" not in ended.outputs["summary"] and "<@" not in ended.outputs["summary"]
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.name == "Ann <!channel> <@U1|x>"  # stored as typed, shown inert


async def test_a_lead_already_there_is_given_back_with_the_note_added(hotleads):
    await hotleads.command("add Jane Doe company:Acme email:jane@acme.com source:referral")
    ended = await run_step(
        hotleads,
        "add_lead",
        {"name": "Jane D.", "email": "JANE@acme.com", "note": "came by the booth again"},
    )
    assert ended.state == "completed", ended.error
    assert ended.outputs is not None
    assert (ended.outputs["lead_number"], ended.outputs["duplicate"]) == (1, True)
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.name == "Jane Doe"
    (note,) = await touches_of(hotleads.db, 1)
    assert (note.kind, note.note, note.how) == ("note", "came by the booth again", "workflow")

    # Same name and company, no note: the lead is given back, nothing is added.
    again = await run_step(hotleads, "add_lead", {"name": "jane doe", "company": "ACME"})
    assert again.outputs is not None
    assert (again.outputs["lead_number"], again.outputs["duplicate"]) == (1, True)
    assert len(await touches_of(hotleads.db, 1)) == 1


# ------------------------------------------------------------ Log a touch


async def test_log_touch_stores_what_slash_log_stores(hotleads):
    await hotleads.command("add Acme One source:inbound")
    await hotleads.command("add Acme Two source:inbound")
    await hotleads.command('log #1 quote asked for 20 seats when:"yesterday 3pm"', user_id="U2")
    ended = await run_step(
        hotleads,
        "log_touch",
        {
            "lead": "#2",
            "kind": "quote-request",
            "note": "asked for 20 seats",
            "when": "yesterday 3pm",
            "logged_by": "U2",
        },
    )
    assert ended.state == "completed", ended.error
    (typed,) = await touches_of(hotleads.db, 1)
    (stepped,) = await touches_of(hotleads.db, 2)
    same = ("kind", "note", "at", "logged_by", "logged_at")
    assert [getattr(stepped, f) for f in same] == [getattr(typed, f) for f in same]
    assert stepped.how == "workflow"
    one, two = await every_lead(hotleads.db, TEAM)
    assert (two.score, two.signals, two.hot_until, two.last_touch_at) == (
        one.score,
        one.signals,
        one.hot_until,
        one.last_touch_at,
    )
    card = await hotleads.command("show #2")
    assert ended.outputs == {
        "lead_number": 2,
        "temperature_before": temperature("inbound", START, {}, START).band,
        "temperature_after": two.temperature(START).band,
        "summary": card["text"],
    }


async def test_log_touch_finds_a_lead_by_its_email_or_its_name(hotleads):
    await hotleads.command("add Jane Doe company:Acme email:jane@acme.com")
    await hotleads.command("add Pat Kim company:Initech")
    by_email = await run_step(
        hotleads, "log_touch", {"lead": "JANE@acme.com", "kind": "call", "logged_by": "U1"}
    )
    by_name = await run_step(
        hotleads, "log_touch", {"lead": "initech", "kind": "called", "logged_by": "U1"}
    )
    assert [e.outputs["lead_number"] for e in (by_email, by_name) if e.outputs] == [1, 2]
    assert [t.kind for t in await touches_of(hotleads.db, 2)] == ["call"]


async def test_a_name_that_matches_two_leads_fails_and_names_them(hotleads):
    await hotleads.command("add Pat Kim")
    await hotleads.command("add Pat Lee")
    before = await stored(hotleads.db)
    ended = await run_step(
        hotleads, "log_touch", {"lead": "pat", "kind": "call", "logged_by": "U1"}
    )
    assert ended.state == "failed"
    assert ended.error is not None
    assert "#1 Pat Kim" in ended.error and "#2 Pat Lee" in ended.error
    assert "use #number or an email" in ended.error
    assert await stored(hotleads.db) == before
    # Said by number, it works: the refusal was about the name, not the touch.
    assert (
        await run_step(hotleads, "log_touch", {"lead": "#2", "kind": "call", "logged_by": "U1"})
    ).state == "completed"


# ------------------------------------------------------------ Get a lead's temperature


async def test_lead_temperature_gives_what_the_card_shows(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral", user_id="U2")
    await hotleads.command('log #1 quote when:"5 hours ago"', user_id="U2")
    ended = await run_step(hotleads, "lead_temperature", {"lead": "#1"})
    assert ended.state == "completed", ended.error
    (lead,) = await every_lead(hotleads.db, TEAM)
    temperature = lead.temperature(START)
    assert ended.outputs is not None
    assert ended.outputs["lead_number"] == 1
    assert ended.outputs["temperature"] == temperature.band == "hot"
    assert ended.outputs["score"] == temperature.score
    assert ended.outputs["owner"] == "U2"
    assert ended.outputs["waiting"] is True  # a quote 5 hours ago, unanswered, respond: 4h
    card = str(await hotleads.command("show #1"))
    reasons = ended.outputs["reasons"].split("\n")
    assert len(reasons) == len(temperature.reasons) >= 2
    assert all(reason in card for reason in reasons)


async def test_lead_temperature_of_nobodys_answered_lead(hotleads):
    await run_step(hotleads, "add_lead", {"name": "Walk-in"})
    await hotleads.command("log #1 call")
    ended = await run_step(hotleads, "lead_temperature", {"lead": "walk-in"})
    assert ended.outputs is not None
    assert "owner" not in ended.outputs
    assert ended.outputs["waiting"] is False


# ------------------------------------------------------------ bad inputs change nothing

GOOD = {
    "add_lead": {"name": "Jane Doe", "email": "jane@acme.com", "owner": "U2", "source": "event"},
    "log_touch": {"lead": "#1", "kind": "call", "logged_by": "U2", "when": "yesterday"},
    "claim_lead": {"lead": "#1", "user": "U2", "timeout_minutes": 30},
}
BAD = [
    ("add_lead", {"name": None}, "“Name” is empty"),
    ("add_lead", {"name": "   "}, "“Name” is empty"),
    ("add_lead", {"name": 42}, "“Name” must be text"),
    ("add_lead", {"email": "jane at acme"}, "doesn't look like an email"),
    ("add_lead", {"source": "refferral"}, "Did you mean `referral`?"),
    ("add_lead", {"source": "banana"}, "Sources: referral, client"),
    ("add_lead", {"owner": "alice"}, "“Owner” must be a person"),
    ("add_lead", {"owner": 7}, "“Owner” must be a person"),
    ("add_lead", {"note": "x" * 2001}, "too long"),
    ("add_lead", {"company": "y" * 201}, "too long"),
    ("log_touch", {"lead": None}, "“Lead” is empty"),
    ("log_touch", {"lead": " "}, "“Lead” is empty"),
    ("log_touch", {"lead": "#abc"}, "isn't a lead number"),
    ("log_touch", {"lead": "#99"}, "There is no lead #99"),
    ("log_touch", {"lead": "renee"}, "No lead matches “renee” — use #number or an email"),
    ("log_touch", {"lead": "<!here> pat"}, "No lead matches “&lt;!here&gt; pat”"),
    ("log_touch", {"lead": "nobody@acme.com"}, "No lead has the email"),
    ("log_touch", {"kind": None}, "“Kind” is empty"),
    ("log_touch", {"kind": "qoute"}, "Did you mean `quote`?"),
    ("log_touch", {"logged_by": None}, "“Logged by” is empty"),
    ("log_touch", {"logged_by": "bob"}, "“Logged by” must be a person"),
    ("log_touch", {"when": "next friday"}, "is in the future"),
    ("log_touch", {"when": "blurgh"}, "couldn't read"),
    ("log_touch", {"note": "z" * 2001}, "too long"),
    ("claim_lead", {"lead": None}, "“Lead” is empty"),
    ("claim_lead", {"lead": "#7"}, "There is no lead #7"),
    ("claim_lead", {"user": None}, "“Rep” is empty"),
    ("claim_lead", {"user": "#sales"}, "“Rep” must be a person"),
    ("claim_lead", {"timeout_minutes": 0}, "from 1 to 1440"),
    ("claim_lead", {"timeout_minutes": 5000}, "from 1 to 1440"),
    ("claim_lead", {"timeout_minutes": "ten"}, "from 1 to 1440"),
]


def with_change(good: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """``good`` with ``change`` applied; a ``None`` value leaves the input out, as Slack does."""
    inputs = {**good, **change}
    return {key: value for key, value in inputs.items() if value is not None}


@pytest.mark.parametrize(("callback_id", "change", "says"), BAD)
async def test_a_missing_or_malformed_input_fails_the_step_and_changes_nothing(
    hotleads, callback_id, change, says
):
    await hotleads.command("add Acme One source:inbound email:one@acme.com")
    before = await stored(hotleads.db)
    ended = await run_step(hotleads, callback_id, with_change(GOOD[callback_id], change))
    assert ended.state == "failed"
    assert ended.error is not None and says in ended.error, ended.error
    assert await stored(hotleads.db) == before
    assert hotleads.slack.calls_to("chat.postMessage") == []  # no offer went out either
    # The same step with good inputs does change something: the check above is not idle.
    good = await start_step(hotleads.slack, hotleads.sender, callback_id, GOOD[callback_id])
    if callback_id == "claim_lead":
        await offer_posted(hotleads.db, good)
    else:
        assert (await hotleads.slack.step_ended(good)).state == "completed"
    assert await stored(hotleads.db) != before


async def test_offering_a_lead_that_is_won_fails(hotleads):
    await hotleads.command("add Acme One")
    await hotleads.command("won #1")
    ended = await run_step(hotleads, "claim_lead", {"lead": "acme one", "user": "U2"})
    assert ended.state == "failed"
    assert ended.error == "“acme one” is only #1, which is won — reopen it first."


# ------------------------------------------------------------ Offer a lead to a rep


async def offer_posted(
    db: Database, execution_id: str, team_id: str = TEAM
) -> pending_steps.PendingStep:
    """Wait until the offer is out and stored with where it went."""
    async with asyncio.timeout(5):
        while True:
            step = await pending_steps.get(db.reader, team_id, execution_id)
            if step is not None and step.ts:
                return step
            await asyncio.sleep(0.01)


def claim_click(slack: FakeSlack, execution_id: str, user_id: str) -> dict[str, Any]:
    """The rep clicks Claim in the DM the step posted, as Slack sends that click."""
    (message,) = slack.step_messages[execution_id]
    (button,) = (
        element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    )
    assert button["action_id"] == CLAIM_ACTION
    return block_actions_payload(
        button["action_id"],
        value=button["value"],
        block_id="offer:1",
        user_id=user_id,
        channel_id=message["channel"],
        message=message,
        response_url=slack.response_url(user_id),
        extra=slack.function_scope(message, user_id),
    )


async def test_claim_lead_dms_the_rep_and_completes_when_they_claim(hotleads):
    await hotleads.command("add Jane Doe company:Acme email:jane@acme.com source:inbound")
    await hotleads.command("log #1 quote wants 20 seats", user_id="U1")
    execution_id = await start_step(
        hotleads.slack, hotleads.sender, "claim_lead", {"lead": "jane", "user": "U2"}
    )
    offer = await offer_posted(hotleads.db, execution_id)
    assert (offer.offered_to, offer.channel, offer.due_at) == (
        "U2",
        "DU2",
        START + timedelta(minutes=60),
    )
    (dm,) = hotleads.slack.calls_to("chat.postMessage")
    assert dm.token is not None and dm.token.startswith("xwfp-")  # the step's own token
    shown = str(dm.params["blocks"])
    assert "Jane Doe" in shown and "asked for a quote" in shown and "Claim" in shown
    assert hotleads.slack.executions[execution_id].state == "running"

    status, _ = await hotleads.sender.interactive(claim_click(hotleads.slack, execution_id, "U2"))
    assert status == 200
    ended = await hotleads.slack.step_ended(execution_id)
    assert ended.state == "completed"
    assert ended.outputs == {"claimed_by": "U2"}
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.owner == "U2"
    (update,) = hotleads.slack.calls_to("chat.update")
    assert "claimed by <@U2>" in str(update.params["blocks"])
    assert update.token is not None and update.token.startswith("xwfp-")
    assert len(completions(hotleads.slack, execution_id)) == 1

    # Time passes: run-due finds nothing left to end.
    advance(hotleads.clock, timedelta(hours=2))
    await hotleads.run_due()
    assert len(completions(hotleads.slack, execution_id)) == 1


async def test_claim_lead_completes_with_nobody_when_the_time_is_up(hotleads):
    await hotleads.command("add Jane Doe source:inbound", user_id="U1")
    execution_id = await start_step(
        hotleads.slack,
        hotleads.sender,
        "claim_lead",
        {"lead": "#1", "user": "U2", "timeout_minutes": 30},
    )
    await offer_posted(hotleads.db, execution_id)
    advance(hotleads.clock, timedelta(minutes=29))
    await hotleads.run_due()
    assert completions(hotleads.slack, execution_id) == []

    advance(hotleads.clock, timedelta(minutes=1))
    hotleads.slack.expire_workflow_tokens()  # 30 minutes on: the step's token is long gone
    outcomes = await hotleads.run_due()
    assert [(o.kind, o.recipient, o.status) for o in outcomes if o.kind == "step"] == [
        ("step", execution_id, "sent")
    ]
    ended = hotleads.slack.executions[execution_id]
    assert (ended.state, ended.outputs) == ("completed", {})
    (completion,) = completions(hotleads.slack, execution_id)
    assert completion.token == "xoxb-test-token"
    (update,) = hotleads.slack.calls_to("chat.update")
    assert "Nobody claimed" in str(update.params["blocks"]) and "30 min," in str(
        update.params["blocks"]
    )
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.owner == "U1"

    # A click after the end changes nothing and says so.
    await hotleads.sender.interactive(claim_click(hotleads.slack, execution_id, "U2"))
    (told,) = await hotleads.slack.wait_for_responses("U2")
    assert "ended" in told["text"]
    await hotleads.run_due()
    assert len(completions(hotleads.slack, execution_id)) == 1
    assert (await every_lead(hotleads.db, TEAM))[0].owner == "U1"


async def test_a_click_and_the_timeout_at_once_end_the_step_once(hotleads):
    await hotleads.command("add Jane Doe")
    execution_id = await start_step(
        hotleads.slack, hotleads.sender, "claim_lead", {"lead": "#1", "user": "U2"}
    )
    await offer_posted(hotleads.db, execution_id)
    advance(hotleads.clock, timedelta(minutes=60))
    click = claim_click(hotleads.slack, execution_id, "U2")
    await asyncio.gather(hotleads.sender.interactive(click), hotleads.run_due())
    ended = await hotleads.slack.step_ended(execution_id)
    await asyncio.sleep(0.2)  # anything still in flight lands
    assert len(completions(hotleads.slack, execution_id)) == 1
    owner = (await every_lead(hotleads.db, TEAM))[0].owner
    assert owner == ("U2" if ended.outputs == {"claimed_by": "U2"} else "U1")


async def test_only_the_rep_offered_the_lead_can_claim_it(hotleads):
    await hotleads.command("add Jane Doe")
    execution_id = await start_step(
        hotleads.slack, hotleads.sender, "claim_lead", {"lead": "#1", "user": "U2"}
    )
    await offer_posted(hotleads.db, execution_id)
    await hotleads.sender.interactive(claim_click(hotleads.slack, execution_id, "U3"))
    await hotleads.slack.wait_for_responses("U3")
    assert hotleads.slack.executions[execution_id].state == "running"
    assert (await every_lead(hotleads.db, TEAM))[0].owner == "U1"


# ------------------------------------------------------------ a restart while a step waits


@pytest.fixture
async def address(tmp_path, backend):
    async with fresh_database(backend, tmp_path) as where:
        yield where


@pytest.mark.parametrize("ends_by", ["click", "timeout"])
async def test_a_restart_while_claim_lead_waits_loses_nothing(address, slack, ends_by):
    async with running_hotleads(address, slack) as first:
        await first.command("add Jane Doe")
        execution_id = await start_step(
            slack, first.sender, "claim_lead", {"lead": "#1", "user": "U2"}
        )
        await offer_posted(first.db, execution_id)
    async with running_hotleads(address, slack) as second:  # a new process, the same database
        if ends_by == "click":
            await second.sender.interactive(claim_click(slack, execution_id, "U2"))
            await slack.step_ended(execution_id)
        advance(second.clock, timedelta(minutes=61))
        slack.expire_workflow_tokens()
        await second.run_due()
        await second.run_due()
        ended = slack.executions[execution_id]
        assert ended.state == "completed"
        assert ended.outputs == ({"claimed_by": "U2"} if ends_by == "click" else {})
        assert len(completions(slack, execution_id)) == 1
        owner = (await every_lead(second.db, TEAM))[0].owner
        assert owner == ("U2" if ends_by == "click" else "U1")


async def test_an_ending_slack_refused_for_a_while_is_finished_by_run_due(hotleads):
    await hotleads.command("add Jane Doe")
    execution_id = await start_step(
        hotleads.slack, hotleads.sender, "claim_lead", {"lead": "#1", "user": "U2"}
    )
    await offer_posted(hotleads.db, execution_id)
    hotleads.slack.fail_next("functions.completeSuccess", status=500, times=2)
    await hotleads.sender.interactive(claim_click(hotleads.slack, execution_id, "U2"))
    await hotleads.slack.wait_for("functions.completeSuccess", count=2)
    assert hotleads.slack.executions[execution_id].state == "running"
    advance(hotleads.clock, pending_steps.STALE + timedelta(minutes=1))
    hotleads.slack.expire_workflow_tokens()
    await hotleads.run_due()
    ended = hotleads.slack.executions[execution_id]
    assert (ended.state, ended.outputs) == ("completed", {"claimed_by": "U2"})


# ------------------------------------------------------------ many workspaces


@pytest.fixture
async def hosted(tmp_path, slack, backend) -> AsyncIterator[Hosted]:
    async with (
        fresh_database(backend, tmp_path) as where,
        hosted_hotleads(where, slack) as running,
    ):
        yield running


async def test_a_step_for_workspace_b_never_touches_workspace_a(hosted):
    await hosted.install("TA", "Alpha")
    await hosted.install("TB", "Beta")
    senders = {team: hosted.sender(team) for team in ("TA", "TB")}
    try:
        for team, name in (("TA", "Jane Alpha email:jane@alpha.com"), ("TB", "Bob Beta")):
            status, _ = await senders[team].command(f"add {name} source:inbound", team_id=team)
            assert status == 200
        alpha = await every_lead(hosted.db, "TA")

        execution_id = await start_step(
            hosted.slack,
            senders["TB"],
            "log_touch",
            {"lead": "#1", "kind": "demo", "logged_by": "U9"},
            team_id="TB",
        )
        ended = await hosted.slack.step_ended(execution_id)
        assert ended.state == "completed", ended.error
        (bob,) = await every_lead(hosted.db, "TB")
        assert (bob.name, bob.touch_count) == ("Bob Beta", 1)
        assert await every_lead(hosted.db, "TA") == alpha

        # Workspace A's lead can't be reached from B by name, nor by email.
        for lead, says in (("Jane Alpha", "No lead matches"), ("jane@alpha.com", "No lead has")):
            execution_id = await start_step(
                hosted.slack,
                senders["TB"],
                "lead_temperature",
                {"lead": lead},
                team_id="TB",
            )
            ended = await hosted.slack.step_ended(execution_id)
            assert ended.state == "failed"
            assert ended.error is not None and says in ended.error

        added = await start_step(
            hosted.slack, senders["TB"], "add_lead", {"name": "Jane Alpha"}, team_id="TB"
        )
        outputs = (await hosted.slack.step_ended(added)).outputs
        assert outputs is not None and (outputs["lead_number"], outputs["duplicate"]) == (2, False)
        assert await every_lead(hosted.db, "TA") == alpha
        assert [lead.name for lead in await every_lead(hosted.db, "TB")] == [
            "Bob Beta",
            "Jane Alpha",
        ]
    finally:
        for sender in senders.values():
            await sender.close()


async def test_claim_lead_in_workspace_b_ends_with_bs_token(hosted):
    await hosted.install("TA", "Alpha")
    await hosted.install("TB", "Beta")
    sender = hosted.sender("TB")
    try:
        await sender.command("add Bob Beta", team_id="TB")
        execution_id = await start_step(
            hosted.slack, sender, "claim_lead", {"lead": "#1", "user": "U2"}, team_id="TB"
        )
        await offer_posted(hosted.db, execution_id, team_id="TB")
        advance(hosted.clock, timedelta(minutes=61))
        hosted.slack.expire_workflow_tokens()
        await hosted.run_due()
        (completion,) = completions(hosted.slack, execution_id)
        assert completion.token in hosted.slack.tokens_of("TB")
        assert hosted.slack.executions[execution_id].state == "completed"
    finally:
        await sender.close()

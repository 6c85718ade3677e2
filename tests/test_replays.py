"""A signed request sent twice changes nothing the second time, on both engines.

Slack signs a request with a timestamp it accepts for five minutes; within that
window the same bytes verify again. Commands and interactions carry a trigger id
Slack makes for that one invocation, so the second arrival of one is acked and
dropped, whichever process it reaches (the ids are kept in the database).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from conftest import TEAM, every_lead, reply_text, running_hotleads
from slack_requests import (
    interactive_body,
    sign,
    slash_command_body,
    view_submission_payload,
)
from test_surfaces import add_values, card_elements, click

from bot.runner import TRIGGERS_KEPT
from storage import events, leads


async def replayed(hotleads, body: str) -> list[tuple[int, object]]:
    """The same signed bytes sent twice, as an attacker who saw them would."""
    headers = sign(body, hotleads.sender.signing_secret)
    return [await hotleads.sender.post(body, headers) for _ in range(2)]


async def test_a_replayed_slash_command_is_acked_and_logs_once(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    first, second = await replayed(hotleads, slash_command_body("log #1 call from a replay"))
    assert first[0] == 200 and "Logged" in reply_text(first[1])
    assert second == (200, "")  # acked, and nothing to show
    assert (await leads.get(hotleads.db.reader, TEAM, 1)).touch_count == 1


async def test_a_replayed_modal_submission_adds_the_lead_once(hotleads):
    payload = view_submission_payload("add_lead", add_values("Jane Doe", company="Acme"))
    first, second = await replayed(hotleads, interactive_body(payload))
    assert [first[0], second[0]] == [200, 200]
    assert [lead.name for lead in await every_lead(hotleads.db, TEAM)] == ["Jane Doe"]


async def test_a_replayed_button_click_acts_once(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    block_id, elements = card_elements(await hotleads.command("show #1"))
    won = click(hotleads, elements["lead_won"], block_id, key="won")
    first, second = await replayed(hotleads, interactive_body(won))
    assert [first[0], second[0]] == [200, 200]
    await hotleads.slack.wait_for_responses("won")
    await asyncio.sleep(0.2)
    assert len(hotleads.slack.responses["won"]) == 1  # the second click did nothing at all


async def test_a_new_invocation_with_the_same_words_is_not_a_replay(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    for _ in range(2):
        await hotleads.command("log #1 call")  # a new trigger id each time, as Slack sends
    assert (await leads.get(hotleads.db.reader, TEAM, 1)).touch_count == 2


async def test_a_replay_to_another_process_is_dropped_too(hotleads, slack):
    """Two servers on one database: the second sees what the first recorded."""
    body = slash_command_body("add Jane Doe company:Acme source:referral")
    headers = sign(body, hotleads.sender.signing_secret)
    async with running_hotleads(hotleads.db.address, slack) as other:
        assert (await hotleads.sender.post(body, headers))[0] == 200
        assert await other.sender.post(body, headers) == (200, "")
    assert len(await every_lead(hotleads.db, TEAM)) == 1


async def test_trigger_ids_are_forgotten_after_ten_minutes(hotleads):
    now = hotleads.clock.now()
    async with hotleads.db.transaction() as conn:
        assert await events.first_trigger(conn, "1.2.old", now - TRIGGERS_KEPT - timedelta(1))
        assert await events.first_trigger(conn, "1.2.new", now)
        assert await events.forget_triggers_before(conn, now - TRIGGERS_KEPT) == 1
        assert not await events.first_trigger(conn, "1.2.new", now)

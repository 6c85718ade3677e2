"""One workspace, one SLACK_BOT_TOKEN: when Slack takes the token back, hotleads stops using it.

``app_uninstalled`` and ``tokens_revoked`` are answered 200 (Slack retries
anything else), logged once, and nothing more is sent with that token; the
workspace's leads are kept. A reinstall gives a new token, which starts afresh.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from conftest import TEAM, every_lead
from slack_sdk.web.async_client import AsyncWebClient

from handlers.clients import fingerprint
from handlers.delivery import run_due
from storage import installations

DAY = timedelta(days=1)


async def due_digest(hotleads) -> None:
    """A lead and a digest channel, so run-due has something to send."""
    await hotleads.command("add Jane Doe company:Acme source:referral")
    await hotleads.command("settings channel:<#CSALES|sales>", user_id="UADMIN")
    await hotleads.slack.wait_for_responses("cmd")  # the change is made after the ack
    hotleads.clock.moment = hotleads.clock.moment.replace(hour=9, minute=5) + DAY


async def logged(caplog, words: str) -> list[logging.LogRecord]:
    """The log records holding ``words``, once there are some (events are handled after the ack)."""
    for _ in range(100):  # five seconds at most
        found = [r for r in caplog.records if words in r.getMessage()]
        if found:
            await asyncio.sleep(0.2)  # a second one, were there one, would come now
            return [r for r in caplog.records if words in r.getMessage()]
        await asyncio.sleep(0.05)
    return []


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}},
    ],
    ids=["app_uninstalled", "tokens_revoked"],
)
async def test_the_token_taken_back_is_answered_200_and_nothing_more_is_sent(
    hotleads, event, caplog
):
    await due_digest(hotleads)
    caplog.set_level(logging.WARNING, logger="handlers.clients")
    for attempt in range(2):  # Slack retries until it gets a 2xx
        status, _ = await hotleads.sender.event(event, event_id=f"EvGone{attempt}")
        assert status == 200
    switched_off = await logged(caplog, "switched off")  # handled after the ack
    assert len(switched_off) == 1 and TEAM in switched_off[0].getMessage()

    hotleads.slack.calls.clear()
    assert await hotleads.run_due() == []
    assert hotleads.slack.calls_to("chat.postMessage") == []
    assert [lead.name for lead in await every_lead(hotleads.db, TEAM)] == ["Jane Doe"]

    reinstalled = AsyncWebClient(token="xoxb-new-token", base_url=hotleads.slack.url)
    sent = await run_due(hotleads.services, reinstalled, hotleads.clock.now())
    assert [outcome.kind for outcome in sent] == ["digest"]


async def test_revoking_only_users_tokens_leaves_the_bot_working(hotleads):
    await due_digest(hotleads)
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}}
    status, _ = await hotleads.sender.event(event)
    assert status == 200
    assert [outcome.kind for outcome in await hotleads.run_due()] == ["digest"]


async def test_a_token_slack_refuses_for_good_is_switched_off_too(hotleads):
    await due_digest(hotleads)
    hotleads.slack.fail_next("chat.postMessage", error="token_revoked", times=5)
    (refused,) = await hotleads.run_due()
    assert (refused.status, refused.error) == ("refused", "token_revoked")
    assert await installations.token_revoked(hotleads.db.reader, fingerprint("xoxb-test-token"))
    hotleads.clock.moment += DAY
    assert await hotleads.run_due() == []

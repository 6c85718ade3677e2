"""The Home tab follows what a command changed, not the words it was typed with."""

from __future__ import annotations

import asyncio

from conftest import reply_text

from handlers.home import CHANGE_SETTLE


async def settled(hotleads) -> None:
    """Let the Home redraws of earlier commands land (each waits ``CHANGE_SETTLE``), forget them."""
    await hotleads.slack.wait_for("views.publish")
    seen = -1
    while seen != len(hotleads.slack.calls_to("views.publish")):
        seen = len(hotleads.slack.calls_to("views.publish"))
        await asyncio.sleep(CHANGE_SETTLE + 0.5)
    hotleads.slack.calls[:] = [c for c in hotleads.slack.calls if c.method != "views.publish"]


def shown(call) -> str:
    return reply_text({"blocks": call.params["view"]["blocks"]})


async def test_undo_draws_the_home_tab_again(hotleads):
    await hotleads.command("add Una Ulm source:cold")
    await hotleads.command("log #1 demo")
    await settled(hotleads)
    assert "Undone" in reply_text(await hotleads.command("undo"))
    (drawn,) = await hotleads.slack.wait_for("views.publish")
    assert drawn.params["user_id"] == "U1"


async def test_assign_draws_the_new_owners_home_too(hotleads):
    await hotleads.command("add Asa Berg source:referral")
    await settled(hotleads)
    assert "now belongs to" in reply_text(await hotleads.command("assign #1 <@U2|ben>"))
    drawn = await hotleads.slack.wait_for("views.publish", 2)
    assert sorted(call.params["user_id"] for call in drawn) == ["U1", "U2"]
    (bens,) = [call for call in drawn if call.params["user_id"] == "U2"]
    assert ":sunny: 1 warm" in shown(bens)  # the lead is in his pipeline now

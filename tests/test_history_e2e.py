"""Every touch visible and fixable, end to end: history, Undo, Edit, Delete, Restore."""

from datetime import timedelta

from conftest import TEAM, reply_text
from slack_requests import view_submission_payload
from test_payload_fuzz import button_in, edit_values
from test_surfaces import card_elements, click, interact, lead_no

from bot.domain.temperature import signals_from
from storage import leads


async def touches_of(hotleads, number: int):
    lead = await lead_no(hotleads, number)
    page, _ = await leads.touch_page(hotleads.db.reader, lead, limit=100)
    return lead, page


def as_user(payload: dict, user_id: str) -> dict:
    payload["user"]["id"] = user_id
    return payload


async def fresh(hotleads, number: int) -> None:
    """The stored lead is what scoring its remaining touches from scratch gives."""
    lead, page = await touches_of(hotleads, number)
    kept = sorted((t for t in page if t.deleted_at is None), key=lambda t: (t.at, t.id))
    assert lead.signals == signals_from((t.kind, t.at) for t in kept)
    assert lead.touch_count == len(kept)


async def test_history_lists_every_touch_newest_first_and_pages(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    for i in range(12):
        hotleads.clock.moment += timedelta(minutes=1)
        await hotleads.command(f"log #1 call number {i}")
    first = await hotleads.command("history acme")
    text = reply_text(first)
    assert "12 touches" in text and "number 11" in text and "number 2" in text
    assert "number 1:" not in text and "by command" in text
    older = button_in(first, "history_page")
    await interact(hotleads, click(hotleads, older, "p", key="older"))
    (page2,) = await hotleads.slack.wait_for_responses("older")
    assert page2["replace_original"] is True
    assert "number 1" in reply_text(page2) and "number 11" not in reply_text(page2)
    newer = button_in(page2, "history_page")
    assert newer["text"]["text"] == "Newer"


async def test_the_card_has_a_history_button(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    await hotleads.command("log #1 demo went well")
    block_id, elements = card_elements(await hotleads.command("show #1"))
    await interact(hotleads, click(hotleads, elements["lead_history"], block_id, key="h"))
    (shown,) = await hotleads.slack.wait_for_responses("h")
    assert "History of" in reply_text(shown) and "went well" in reply_text(shown)


async def test_undo_button_and_command_put_the_lead_back(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    before = await lead_no(hotleads, 1)
    reply = await hotleads.command("log #1 quote wants 20 seats")
    undo = button_in(reply, "touch_undo")
    # Someone else can't undo it.
    await interact(hotleads, as_user(click(hotleads, undo, "u", key="other"), "U3"))
    (refused,) = await hotleads.slack.wait_for_responses("other")
    assert "Only the rep who logged" in reply_text(refused)
    assert (await lead_no(hotleads, 1)).touch_count == 1
    await interact(hotleads, click(hotleads, undo, "u", key="undo"))
    (undone,) = await hotleads.slack.wait_for_responses("undo")
    assert "Undone" in reply_text(undone)
    after = await lead_no(hotleads, 1)
    assert (after.score, after.signals, after.touch_count) == (before.score, {}, 0)
    assert (after.hot_until, after.warm_until) == (before.hot_until, before.warm_until)

    await hotleads.command("log #1 call")
    assert "Undone" in reply_text(await hotleads.command("undo"))
    assert "no touch in the last 24 hours" in reply_text(await hotleads.command("undo"))
    await hotleads.command("log #1 call")
    hotleads.clock.moment += timedelta(hours=25)
    assert "no touch in the last 24 hours" in reply_text(await hotleads.command("undo"))
    await fresh(hotleads, 1)


async def test_delete_and_restore_by_author_and_owner_refused_for_another_rep(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral owner:<@U2|bob>")
    await hotleads.command("log #1 demo")
    shown = await hotleads.command("history #1")
    delete = button_in(shown, "touch_delete")
    assert delete["confirm"]["confirm"]["text"] == "Delete"
    await interact(hotleads, as_user(click(hotleads, delete, "d", key="stranger"), "U3"))
    (refused,) = await hotleads.slack.wait_for_responses("stranger")
    assert "Only" in reply_text(refused) and "admins" in reply_text(refused)
    assert (await lead_no(hotleads, 1)).touch_count == 1

    await interact(hotleads, as_user(click(hotleads, delete, "d", key="owner"), "U2"))
    (redrawn,) = await hotleads.slack.wait_for_responses("owner")
    assert "~" in reply_text(redrawn) and "deleted by <@U2>" in reply_text(redrawn)
    lead, (touch,) = await touches_of(hotleads, 1)
    assert (lead.touch_count, touch.deleted_by) == (0, "U2")
    await fresh(hotleads, 1)

    restore = button_in(redrawn, "touch_restore")
    await interact(hotleads, click(hotleads, restore, "r", key="author"))
    (restored,) = await hotleads.slack.wait_for_responses("author")
    assert "deleted by" not in reply_text(restored)
    assert (await lead_no(hotleads, 1)).touch_count == 1
    await fresh(hotleads, 1)


async def test_edit_changes_kind_when_and_note_by_the_rules_of_log(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    await hotleads.command("log #1 email typo")
    edit = button_in(await hotleads.command("history #1"), "touch_edit")
    await interact(hotleads, click(hotleads, edit, "e", key="e"))
    (opened,) = await hotleads.slack.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "touch_edit_form"
    submitted = view_submission_payload(
        "touch_edit_form", edit_values(), private_metadata=view["private_metadata"]
    )
    hotleads.slack.calls.clear()
    assert await interact(hotleads, submitted) in (None, {}, "")
    await hotleads.slack.wait_for("chat.postMessage")  # the change is saved after the ack
    _, (touch,) = await touches_of(hotleads, 1)
    yesterday_3pm = (hotleads.clock.now() - timedelta(days=1)).replace(hour=15, minute=0)
    assert (touch.kind, touch.note, touch.at) == ("call", "fixed", yesterday_3pm)
    await fresh(hotleads, 1)

    future = edit_values()
    future["when"]["when"]["value"] = "in 3 days"
    answer = await interact(
        hotleads,
        view_submission_payload(
            "touch_edit_form", future, private_metadata=view["private_metadata"]
        ),
    )
    assert answer["response_action"] == "errors" and "when" in answer["errors"]
    emptied = edit_values()
    emptied["when"]["when"]["value"] = ""
    answer = await interact(
        hotleads,
        view_submission_payload(
            "touch_edit_form", emptied, private_metadata=view["private_metadata"]
        ),
    )
    assert answer["errors"] == {"when": "Say when it happened, e.g. “yesterday 3pm”."}

    stranger = as_user(
        view_submission_payload(
            "touch_edit_form", edit_values(), private_metadata=view["private_metadata"]
        ),
        "U3",
    )
    answer = await interact(hotleads, stranger)
    assert answer["response_action"] == "errors"


async def test_history_of_a_lost_lead_and_undo_in_another_workspace(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    await hotleads.command("log #1 call")
    await hotleads.command("lost #1")
    assert "History of" in reply_text(await hotleads.command("history acme"))
    assert "no touch" in reply_text(await hotleads.command("undo", team_id="TOTHER"))
    assert (await lead_no(hotleads, 1, TEAM)).touch_count == 1

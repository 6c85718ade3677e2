"""/lead end to end: signed requests to the real app, replies checked, database checked."""

import re
from datetime import timedelta

import pytest
from conftest import TEAM, every_lead, mrkdwn_text, reply_text

from storage import leads


async def stored(hotleads, team=TEAM):
    return await every_lead(hotleads.db, team)


async def test_help_and_unknown_subcommand_show_usage(hotleads):
    for text in ("", "help"):
        reply = await hotleads.command(text)
        assert reply["response_type"] == "ephemeral"
        shown = reply_text(reply)
        assert "/lead add" in shown and "/lead log" in shown and "/lead list" in shown
    reply = await hotleads.command("frobnicate now")
    assert "I don't know `frobnicate`" in reply_text(reply) and "/lead log" not in reply_text(reply)


async def test_add_defaults_to_cold_and_says_how_to_change_it(hotleads):
    reply = await hotleads.command('add Jane Doe company:"Acme Inc" email:jane@acme.com')
    text = reply_text(reply)
    assert "#1" in text and "cold" in text and "source:referral" in text
    (lead,) = await stored(hotleads)
    assert (lead.name, lead.company, lead.email, lead.source, lead.owner) == (
        "Jane Doe",
        "Acme Inc",
        "jane@acme.com",
        "cold",
        "U1",
    )


async def test_add_with_source_owner_and_note(hotleads):
    reply = await hotleads.command(
        'add "Omar Haddad" company:Globex source:referral owner:<@U2|bob> note:"met via Ana"'
    )
    assert "warm" in reply_text(reply)
    (lead,) = await stored(hotleads)
    assert (lead.source, lead.owner, lead.touch_count) == ("referral", "U2", 1)
    (touch,) = await leads.recent_touches(hotleads.db.reader, lead)
    assert (touch.kind, touch.note) == ("note", "met via Ana")


async def test_duplicate_is_not_created_twice(hotleads):
    await hotleads.command("add Jane Doe company:Acme email:jane@acme.com")
    by_email = await hotleads.command("add Janet company:Other email:JANE@acme.com")
    by_name = await hotleads.command("add jane doe company:acme")
    for reply in (by_email, by_name):
        assert "already here" in reply_text(reply) and "#1" in reply_text(reply)
    assert len(await stored(hotleads)) == 1


async def test_log_shows_temperature_before_and_after(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    reply = await hotleads.command('log acme quote wants 20 seats when:"yesterday 3pm"')
    text = reply_text(reply)
    assert "warm" in text and "→" in text and "hot" in text
    (lead,) = await stored(hotleads)
    (touch,) = await leads.recent_touches(hotleads.db.reader, lead)
    assert touch.kind == "quote" and touch.note == "wants 20 seats"
    assert touch.at == (hotleads.clock.now() - timedelta(days=1)).replace(hour=15, minute=0)


async def test_when_is_read_in_the_reps_time_zone(hotleads):
    hotleads.slack.users["U1"] = {"id": "U1", "tz": "America/New_York", "is_admin": False}
    await hotleads.command("add Jane Doe source:referral")  # caches U1's zone after the ack
    await hotleads.user_cached()
    await hotleads.command('log #1 call when:"yesterday 3pm"')
    (lead,) = await stored(hotleads)
    (touch,) = await leads.recent_touches(hotleads.db.reader, lead)
    assert (touch.at.day, touch.at.hour) == (22, 20)  # 15:00 in New York is 20:00 UTC


async def test_log_in_the_future_is_refused_and_stores_nothing(hotleads):
    await hotleads.command("add Jane Doe")
    reply = await hotleads.command('log #1 demo when:"next friday"')
    assert "future" in reply_text(reply)
    assert (await stored(hotleads))[0].touch_count == 0


async def test_show_explains_the_score(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral email:jane@acme.com")
    await hotleads.command("log #1 demo great demo")
    reply = await hotleads.command("show jane")
    text = reply_text(reply)
    assert "Had a demo" in text and "Referred by someone" in text
    for label in ("Had a demo", "Referred by someone who knows them"):
        assert re.search(re.escape(label) + r"[^\n]*: \*\+[1-9][0-9]*\*", text), label
    assert "great demo" in text and "jane@acme.com" in text


async def test_list_hottest_first_and_cut_with_a_count(hotleads):
    await hotleads.command("add Warm One source:referral")
    await hotleads.command("add Hot One source:cold")
    await hotleads.command("log #2 trial")
    reply = await hotleads.command("list")
    text = reply_text(reply)
    assert text.index("Hot One") < text.index("Warm One")
    hot_only = reply_text(await hotleads.command("list hot team"))
    assert "Hot One" in hot_only and "Warm One" not in hot_only
    for i in range(30):
        await hotleads.command(f"add Person{i} source:event")
    assert "more" in reply_text(await hotleads.command("list all team"))


async def test_list_someone_elses(hotleads):
    await hotleads.command("add Bobs Lead owner:<@U2|bob> source:event")
    assert "Bobs Lead" not in reply_text(await hotleads.command("list"))
    assert "Bobs Lead" in reply_text(await hotleads.command("list <@U2|bob>"))


async def test_ambiguous_reference_changes_nothing_and_lists_matches(hotleads):
    await hotleads.command("add Jane Doe company:Acme")
    await hotleads.command("add John Roe company:Acme")
    reply = await hotleads.command("won acme")
    text = reply_text(reply)
    assert "more than one" in text and "#1" in text and "#2" in text
    assert {lead.status for lead in await stored(hotleads)} == {"open"}


async def test_not_found(hotleads):
    assert "no lead #7" in reply_text(await hotleads.command("show #7")).lower()
    assert "no lead matches" in reply_text(await hotleads.command("show nobody")).lower()


async def test_won_lost_reopen_assign(hotleads):
    await hotleads.command("add Jane Doe source:referral")
    assert "won" in reply_text(await hotleads.command("won #1"))
    assert "already won" in reply_text(await hotleads.command("won #1"))
    assert "lost" in reply_text(await hotleads.command("lost #1 went with a competitor"))
    (lead,) = await stored(hotleads)
    assert (lead.status, lead.lost_reason) == ("lost", "went with a competitor")
    await hotleads.command("reopen #1")
    await hotleads.command("assign #1 <@U9|zoe>")
    (lead,) = await stored(hotleads)
    assert (lead.status, lead.owner) == ("open", "U9")


async def test_edit_and_its_duplicate_guard(hotleads):
    await hotleads.command("add Jane Doe company:Acme email:jane@acme.com")
    await hotleads.command("add Omar company:Globex")
    reply = await hotleads.command(
        'edit #2 company:"Globex Corp" source:inbound phone:"+49 30 1234"'
    )
    assert "Globex Corp" in reply_text(reply)
    clash = await hotleads.command("edit #2 email:jane@acme.com")
    assert "duplicate" in reply_text(clash)
    omar = (await stored(hotleads))[1]
    assert (omar.company, omar.source, omar.phone, omar.email) == (
        "Globex Corp",
        "inbound",
        "+49 30 1234",
        "",
    )


async def test_snooze_and_unsnooze(hotleads):
    await hotleads.command("add Jane Doe source:referral")
    reply = await hotleads.command("snooze #1 in 30 days")
    assert "Snoozed" in reply_text(reply)
    (lead,) = await stored(hotleads)
    assert lead.snoozed_until - hotleads.clock.now() == timedelta(days=30)
    assert "already past" in reply_text(await hotleads.command("snooze #1 last week"))
    await hotleads.command("snooze #1 off")
    assert (await stored(hotleads))[0].snoozed_until is None


@pytest.mark.parametrize(
    "text",
    [
        "add " + "x" * 201,
        'add Jane note:"' + "n" * 2001 + '"',
        'add "Jane Doe',
        "add Jane source:carrier-pigeon",
        "add Jane email:not-an-email",
    ],
)
async def test_bad_input_gets_a_clear_message_and_stores_nothing(hotleads, text):
    reply = await hotleads.command(text)
    assert reply["response_type"] == "ephemeral"
    assert ":warning:" in reply["text"]
    assert await stored(hotleads) == []


async def test_unknown_kind_gets_a_clear_message_and_logs_nothing(hotleads):
    await hotleads.command("add Jane Doe")
    reply = await hotleads.command("log #1 smoke-signal")
    assert reply["response_type"] == "ephemeral"
    assert ":warning:" in reply["text"]
    assert (await stored(hotleads))[0].touch_count == 0


async def test_user_text_never_pings_or_links(hotleads):
    await hotleads.command("add &lt;!channel&gt; company:&lt;@U999&gt; source:referral")
    (lead,) = await stored(hotleads)
    assert lead.name == "<!channel>" and lead.company == "<@U999>"
    for text in ("show #1", "list", "log #1 note &lt;!here&gt; hi"):
        shown = mrkdwn_text(await hotleads.command(text))
        assert "<!channel>" not in shown and "<!here>" not in shown and "<@U999>" not in shown
        assert "&lt;!channel&gt;" in shown


async def test_workspaces_never_see_each_others_leads(hotleads):
    await hotleads.command("add Secret Lead source:referral", team_id="TOTHER")
    assert "no lead" in reply_text(await hotleads.command("show #1")).lower()
    assert "Secret" not in reply_text(await hotleads.command("list all team"))
    assert "no lead matches" in reply_text(await hotleads.command("log secret call")).lower()
    assert [lead.name for lead in await stored(hotleads, "TOTHER")] == ["Secret Lead"]


async def test_lead_numbers_count_per_workspace(hotleads):
    await hotleads.command("add A", team_id="TA")
    await hotleads.command("add B", team_id="TB")
    assert [lead.number for lead in await stored(hotleads, "TB")] == [1]


async def test_bad_signature_is_rejected_and_stores_nothing(hotleads):
    from slack_requests import sign, slash_command_body

    body = slash_command_body("add Forged Lead")
    headers = sign(body, "wrong-secret")
    status, _ = await hotleads.sender.post(body, headers)
    assert status == 401
    stale = sign(body, "8f742231b10e8888abcd99yyyzzz85a5", timestamp=1_600_000_000)
    status, _ = await hotleads.sender.post(body, stale)
    assert status == 401
    assert await stored(hotleads) == []


async def test_a_mistyped_year_is_refused_with_a_guess_and_the_workspace_keeps_working(hotleads):
    await hotleads.command("add Jane Doe source:referral")
    reply = await hotleads.command('log #1 meeting when:"0225-03-14"')
    assert "14 Mar 0225" in reply_text(reply) and "before 1990" in reply_text(reply)
    assert "did you mean 2025?" in reply_text(reply)
    assert (await stored(hotleads))[0].touch_count == 0
    assert "Jane Doe" in reply_text(await hotleads.command("show #1"))
    assert "Jane Doe" in reply_text(await hotleads.command("list"))


async def in_tokyo(hotleads):
    hotleads.slack.users["U1"] = {"id": "U1", "tz": "Asia/Tokyo", "is_admin": False}
    await hotleads.command("add Jane Doe source:referral")  # caches U1's zone after the ack
    await hotleads.user_cached()


async def test_year_one_from_tokyo_is_refused_not_an_overflow(hotleads):
    await in_tokyo(hotleads)
    for text in ('log #1 meeting when:"0001-01-01"', 'snooze #1 "0001-01-01"'):
        reply = await hotleads.command(text)
        assert "1 Jan 0001" in reply_text(reply) and "before 1990" in reply_text(reply)
    (lead,) = await stored(hotleads)
    assert (lead.touch_count, lead.snoozed_until) == (0, None)


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Tokyo"])
async def test_a_snooze_to_the_end_of_time_is_refused_not_an_overflow(hotleads, tz):
    hotleads.slack.users["U1"] = {"id": "U1", "tz": tz, "is_admin": False}
    await hotleads.command("add Jane Doe source:referral")
    await hotleads.user_cached()
    reply = await hotleads.command('snooze #1 "9999-12-31 23:00"')
    assert "31 Dec 9999" in reply_text(reply) and "more than 10 years ahead" in reply_text(reply)
    assert (await stored(hotleads))[0].snoozed_until is None
    assert "Snoozed" in reply_text(await hotleads.command('snooze #1 "in 9 years"'))

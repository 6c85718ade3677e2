"""One text rule at every door, on both engines: controls out, lone surrogates refused by field.

Every surface that takes text is driven through the real app: ``/lead add`` and
``/lead log``, the Add lead and Log a touch modals, the lead picker's search, the
message shortcut, hooks of every type (JSON and form-encoded) and CSV import. The
same input must store the same text on SQLite and PostgreSQL (which refuses NUL).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest
from conftest import TEAM, every_lead, lead_no, reply_text
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_requests import block_actions_payload, slash_command_body, view_submission_payload
from test_cli import db_env
from test_cli import hotleads as cli
from test_hooks import (
    DATA,
    calendly_body,
    calendly_signed,
    make_hook,
    post,
    send,
    stored,
    touches,
    typeform_signed,
)
from test_payloads import database
from test_surfaces import (
    add_values,
    block_suggestion_payload,
    interact,
    log_values,
    message_shortcut_payload,
)

from bot.app import build_app
from bot.domain.text import UnreadableText, clean
from storage import leads

DIRTY = "Ja\x00ne\x07 Do\x1be"
"""NUL, a bell and an escape: what PostgreSQL refuses and no one means to type."""
SURROGATE = "Sur\ud800rogate"
"""Half of an emoji: SQLite can't encode it, PostgreSQL stores something else."""


# ---------------------------------------------------------------- the rule itself


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("plain words", "plain words"),
        ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
        ("NUL\x00 goes", "NUL goes"),
        ("windows\r\nline\rbreaks", "windows\nline\nbreaks"),
        ("vertical\x0btab\x0cfeed\x1fsep", "vertical tab feed sep"),
        ("bell\x07 escape\x1b[31m", "bell escape[31m"),
        ("\x00\x01\x02\x03\x04\x05\x06\x08\x0e\x1a", ""),
        ("emoji 😀 and accents éü stay", "emoji 😀 and accents éü stay"),
        ("DEL \x7f and C1 \x85 are not C0", "DEL \x7f and C1 \x85 are not C0"),
    ],
)
def test_controls_are_taken_out_and_text_kept(typed, kept):
    assert clean(typed, "name") == kept


@pytest.mark.parametrize("typed", [SURROGATE, "\udfff", "end \ud83d", "\udc80 bytes"])
def test_a_lone_surrogate_is_refused_naming_the_field(typed):
    with pytest.raises(UnreadableText) as refused:
        clean(typed, "note")
    assert refused.value.field == "note" and "The note has a broken character" in str(refused.value)


# ---------------------------------------------------------------- commands


async def test_add_by_command_stores_the_name_and_note_without_controls(hotleads):
    reply = await hotleads.command(f'add {DIRTY} company:Ac\x00me note:"met at\x00 the fair"')
    assert "Added *Jane Doe* (Acme)" in reply_text(reply)
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert (lead.name, lead.company) == ("Jane Doe", "Acme")
    (touch,) = await leads.recent_touches(hotleads.db.reader, lead)
    assert touch.note == "met at the fair"


async def test_log_by_command_stores_the_note_without_controls(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    reply = await hotleads.command("log #1 call spoke\x00 to\x1b them\r\nagain")
    assert "Logged *call*" in reply_text(reply)
    (touch,) = await leads.recent_touches(hotleads.db.reader, await lead_no(hotleads, 1))
    assert touch.note == "spoke to them again"  # the command's words, as the grammar reads them


async def test_a_picked_command_is_read_by_the_same_rule(hotleads):
    """An ambiguous reply's button carries the typed command: it crosses the same door."""
    await hotleads.command("add Jane Doe company:Acme source:referral")
    value = json.dumps({"lead": 1, "command": "log acme call picked\x00 up"})
    url = hotleads.slack.response_url("pick")
    await interact(
        hotleads, block_actions_payload("lead_pick_match", value=value, response_url=url)
    )
    await hotleads.slack.wait_for_responses("pick")
    (touch,) = await leads.recent_touches(hotleads.db.reader, await lead_no(hotleads, 1))
    assert touch.note == "picked up"


async def test_a_command_with_half_an_emoji_is_answered_in_words(hotleads):
    """Over HTTP a command is a form, whose bad bytes Bolt reads as U+FFFD; in Socket Mode it
    is JSON, which can carry a lone surrogate: the door answers in words, changing nothing."""
    bolt = build_app(hotleads.services)
    body = dict(parse_qsl(slash_command_body("add"))) | {"text": f"add {SURROGATE}"}
    before = await database(hotleads)
    answer = await bolt.async_dispatch(AsyncBoltRequest(body=body, mode="socket_mode"))
    assert answer.status == 200
    assert "The command has a broken character" in json.loads(answer.body)["text"]
    assert await database(hotleads) == before


# ---------------------------------------------------------------- modals


async def test_add_modal_stores_clean_text_on_every_field(hotleads):
    values = add_values(DIRTY, company="Ac\x00me", email="jane@acme.com", note="first\x00 note")
    answer = await interact(hotleads, view_submission_payload("add_lead", values))
    assert answer in ("", None)
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert (lead.name, lead.company, lead.email) == ("Jane Doe", "Acme", "jane@acme.com")
    (touch,) = await leads.recent_touches(hotleads.db.reader, lead)
    assert touch.note == "first note"


@pytest.mark.parametrize("field", ["name", "company", "email", "phone", "note"])
async def test_add_modal_with_half_an_emoji_errs_on_that_field_and_stores_nothing(hotleads, field):
    before = await database(hotleads)
    values = add_values(**{"name": "Jane Doe", field: SURROGATE})  # type: ignore[arg-type]
    answer = await interact(hotleads, view_submission_payload("add_lead", values))
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [field]
    assert "broken character" in answer["errors"][field]
    assert await database(hotleads) == before


async def test_log_modal_stores_a_clean_note_and_errs_on_half_an_emoji(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    before = await database(hotleads)
    bad = view_submission_payload("log_touch", log_values(1, "call", note="hi " + SURROGATE))
    answer = await interact(hotleads, bad)
    assert answer["response_action"] == "errors" and list(answer["errors"]) == ["note"]
    assert await database(hotleads) == before

    bad_when = view_submission_payload("log_touch", log_values(1, "call", when=SURROGATE))
    answer = await interact(hotleads, bad_when)
    assert list(answer["errors"]) == ["when"]

    note = "called\x00 back\r\nsent the quote"
    good = view_submission_payload("log_touch", log_values(1, "call", note=note))
    assert await interact(hotleads, good) in ("", None)
    (touch,) = await leads.recent_touches(hotleads.db.reader, await lead_no(hotleads, 1))
    assert touch.note == "called back\nsent the quote"


async def test_the_lead_pickers_search_reads_clean_text(hotleads):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    answer = await interact(hotleads, block_suggestion_payload("Ja\x00ne"))
    assert [option["value"] for option in answer["options"]] == ["#1"]
    answer = await interact(hotleads, block_suggestion_payload(SURROGATE))
    assert answer == {"options": []}


async def test_the_message_shortcut_offers_the_message_without_controls(hotleads):
    await interact(hotleads, message_shortcut_payload("Call me\x00 back\x07"))
    (opened,) = await hotleads.slack.wait_for("views.open")
    note = next(b for b in opened.params["view"]["blocks"] if b["block_id"] == "note")
    assert note["element"]["initial_value"] == "Call me back"


async def test_the_message_shortcut_on_half_an_emoji_says_so_and_opens_nothing(hotleads):
    payload = message_shortcut_payload(SURROGATE)
    payload["response_url"] = hotleads.slack.response_url("shortcut")
    await interact(hotleads, payload)
    (told,) = await hotleads.slack.wait_for_responses("shortcut")
    assert "broken character" in reply_text(told)
    assert hotleads.slack.calls_to("views.open") == []


# ---------------------------------------------------------------- hooks


async def test_a_generic_hook_stores_clean_text_as_json_and_as_a_form(hotleads):
    made = await make_hook(hotleads)
    status, answer = await send(
        hotleads,
        made,
        {"name": DIRTY, "company": "Ac\x00me", "note": "20\x00 seats", "id": "k\x00"},
    )
    assert status == 200, answer
    form = urlencode({"name": "Jo\x00hn Roe", "note": "call\x00 back"}).encode()
    status, answer, _ = await post(
        hotleads,
        made.hook.id,
        form,
        **{"Content-Type": "application/x-www-form-urlencoded"},
        Authorization=f"Bearer {made.secret}",
    )
    assert status == 200, answer
    jane, john = await every_lead(hotleads.db, TEAM)
    assert (jane.name, jane.company, john.name) == ("Jane Doe", "Acme", "John Roe")
    assert [t["note"] for t in await touches(hotleads)] == ["20 seats", "call back"]
    status, answer = await send(hotleads, made, {"name": "Jane Doe", "id": "k"})
    assert answer["duplicate"] is True  # the key was stored clean too


@pytest.mark.parametrize("field", ["name", "first_name", "company", "email", "note", "owner", "id"])
async def test_a_generic_hook_refuses_half_an_emoji_by_field(hotleads, field):
    made = await make_hook(hotleads)
    before = await stored(hotleads)
    body = {"name": "Jane Doe", field: SURROGATE}
    raw = json.dumps(body).encode()  # json keeps the escape: "Sur\\ud800rogate"
    assert b"\\ud800" in raw
    status, answer, _ = await post(
        hotleads, made.hook.id, raw, Authorization=f"Bearer {made.secret}"
    )
    assert (status, answer["field"]) == (400, field), answer
    assert "broken character" in answer["error"]
    assert await stored(hotleads) == before


async def test_a_typeform_submission_stores_clean_text_and_refuses_half_an_emoji(hotleads):
    made = await make_hook(hotleads, type="typeform")
    payload = json.loads((DATA / "typeform_example.json").read_text())
    payload["form_response"]["hidden"] = {"name": "Ja\x00ne Doe"}
    payload["form_response"]["definition"]["title"] = "Quote\x00 form"
    body = json.dumps(payload).encode()
    signed = {"Typeform-Signature": typeform_signed(made.secret, body)}
    status, answer, _ = await post(hotleads, made.hook.id, body, **signed)
    assert status == 200, answer
    (touch,) = await touches(hotleads)
    assert touch["note"] == "Typeform: Quote form"

    before = await stored(hotleads)
    payload["event_id"] = "another"
    payload["form_response"]["definition"]["title"] = SURROGATE
    body = json.dumps(payload).encode()
    signed = {"Typeform-Signature": typeform_signed(made.secret, body)}
    status, answer, _ = await post(hotleads, made.hook.id, body, **signed)
    assert (status, answer["field"]) == (400, "note"), answer
    assert await stored(hotleads) == before


async def test_a_calendly_booking_stores_clean_text_and_refuses_half_an_emoji(hotleads):
    made = await make_hook(hotleads, type="calendly")
    body = calendly_body(name="Jo\x00hn Doe")
    header = calendly_signed(made.secret, body, hotleads.clock.now())
    status, answer, _ = await post(
        hotleads, made.hook.id, body, **{"Calendly-Webhook-Signature": header}
    )
    assert status == 200, answer
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.name == "John Doe"

    before = await stored(hotleads)
    body = calendly_body(name=SURROGATE, uri="https://api.calendly.com/x/other")
    header = calendly_signed(made.secret, body, hotleads.clock.now())
    status, answer, _ = await post(
        hotleads, made.hook.id, body, **{"Calendly-Webhook-Signature": header}
    )
    assert (status, answer["field"]) == (400, "name"), answer
    assert await stored(hotleads) == before


@pytest.mark.parametrize("hook_id", ["abc\x00def0123456789", "a" * 300, "%00" * 20])
async def test_a_hook_url_that_names_no_hook_is_404_on_both_engines(hotleads, hook_id):
    url = hotleads.url.removesuffix("/slack/events") + f"/hooks/{hook_id}"
    async with aiohttp.ClientSession() as session, session.post(url, data=b"{}") as answer:
        assert answer.status == 404


# ---------------------------------------------------------------- CSV import


async def test_csv_import_reports_bad_rows_by_line_and_imports_the_good(hotleads, tmp_path):
    """A NUL in the first row, bytes that aren't UTF-8 in another: the rest still goes in."""
    rows = [
        b"name,company,email,owner,note",
        b"Ja\x00ne Doe,Acme,jane@acme.com,U1,met\x00 at the fair",
        b"Bro\xedken Bytes,Globex,,U1,",
        b'John Roe,Initech,john@initech.com,U1,"call\rback"',
        b"Bad Owner,Umbrella,,U1\x00X,",
    ]
    file = tmp_path / "leads.csv"
    file.write_bytes(b"\n".join(rows) + b"\n")
    code, out, err = await cli("import", str(file), "--team", TEAM, env=db_env(hotleads.db.address))
    assert code == 0, err
    assert "imported 3 leads; 1 row skipped or refused" in out
    assert "line 3: name holds bytes that aren't UTF-8 text" in err
    assert "Traceback" not in err
    imported = await every_lead(hotleads.db, TEAM)
    assert [(x.name, x.company, x.owner) for x in imported] == [
        ("Jane Doe", "Acme", "U1"),
        ("John Roe", "Initech", "U1"),
        ("Bad Owner", "Umbrella", "U1X"),  # the NUL is taken out before the id is checked
    ]
    notes = [
        touch.note
        for lead in imported
        for touch in await leads.recent_touches(hotleads.db.reader, lead)
    ]
    assert notes == ["met at the fair", "call\nback"]


async def test_no_text_edge_leaves_an_error_in_the_log(hotleads, caplog):
    await hotleads.command(f"add {DIRTY}")
    await interact(hotleads, view_submission_payload("add_lead", add_values(SURROGATE)))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_command_line_reads_typed_arguments_by_the_same_rule(hotleads, tmp_path):
    """Arguments are bytes; ones that aren't UTF-8 arrive as lone surrogates."""
    file = tmp_path / "leads.csv"
    file.write_text("name,owner\nJane Doe,U1\n", encoding="utf-8")
    env = db_env(hotleads.db.address)
    code, out, err = await cli("import", str(file), "--team", "T1\udcff", env=env)
    assert code == 2 and err.startswith("hotleads: The --team has a broken character"), err
    assert "Traceback" not in err
    code, out, err = await cli("import", str(file), "--team", f"{TEAM}\x07", env=env)
    assert code == 0 and "imported 1 lead" in out, err
    assert [lead.team_id for lead in await every_lead(hotleads.db, TEAM)] == [TEAM]

"""Every moment from outside is range-checked before any arithmetic, on both engines.

At the calendar's edge (year 1 east of UTC, year 9999 west of it) a moment can't
even be turned into UTC; before 1990 or years ahead it is a typo. Each surface
that takes a moment is driven with them: hooks of every type (JSON and form),
CSV import, ``run-due --now``, ``/lead log``, ``snooze`` and ``next``, and the
Log a touch and Edit touch modals. Each answers a 400 naming the field (hooks) or
one sentence (elsewhere), stores nothing, and logs no error.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from conftest import TEAM, every_lead, reply_text
from slack_requests import view_submission_payload
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
    typeform_signed,
)
from test_payload_fuzz import button_in, edit_values
from test_payloads import database
from test_surfaces import click, interact, log_values

from bot import cli as hotleads_cli
from bot.domain.dates import DateError, from_iso
from handlers.hook_calendly import START_TIME

EDGE_OF_THE_CALENDAR = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]
"""Neither can be turned into UTC: ``astimezone`` raises OverflowError."""
IMPLAUSIBLE = ["0001-01-01", "9999-12-31T23:59:59", "1989-12-31T23:59:59Z", "2099-01-01T00:00Z"]
UNREADABLE = [
    "2026-13-01T00:00:00Z",
    "yesterday",
    "2026-11-23T10:00:00+25:00",
    "\u0661\u0669\u0669\u0660-01-01",
]  # Arabic-Indic digits
FROM_MACHINES = EDGE_OF_THE_CALENDAR + IMPLAUSIBLE + UNREADABLE
TYPED = [
    *EDGE_OF_THE_CALENDAR,
    "0001-01-01 00:00 +1400",
    "December 31, 9999 11pm",
    "1 Jan 1 00:00",
    "20000 days ago",
]


@pytest.fixture(autouse=True)
def no_errors_logged(caplog):
    """An out-of-range moment is an answer, not a failure: nothing at ERROR in the log."""
    yield
    during = caplog.get_records("call")  # not the app's shutdown, work after an ack cut short
    errors = [r for r in during if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize("text", FROM_MACHINES)
def test_the_one_reading_of_machine_moments_refuses_in_one_sentence(text):
    from conftest import START

    with pytest.raises(DateError) as refused:
        from_iso(text, START)
    assert "\n" not in str(refused.value) and str(refused.value).endswith((".", "?"))


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-11-23T09:00:00+01:00", "2026-11-23T08:00:00+00:00"),
        ("2026-11-23T09:00:00", "2026-11-23T09:00:00+00:00"),  # no zone: UTC
        ("1990-01-01T00:00:00+14:00", "1989-12-31T10:00:00+00:00"),  # 1990 on its own clock
    ],
)
def test_plausible_machine_moments_are_read_in_utc(text, utc):
    from conftest import START

    assert from_iso(text, START).isoformat() == utc


# ---------------------------------------------------------------- hooks


@pytest.mark.parametrize("at", FROM_MACHINES)
async def test_a_generic_hook_refuses_the_moment_by_field_as_json_and_as_a_form(hotleads, at):
    made = await make_hook(hotleads)
    before = await stored(hotleads)
    status, answer = await send(hotleads, made, {"name": "Jane Doe", "at": at})
    assert (status, answer["field"]) == (400, "at"), answer
    form = urlencode({"name": "Jane Doe", "at": at}).encode()
    status, answer, _ = await post(
        hotleads,
        made.hook.id,
        form,
        **{"Content-Type": "application/x-www-form-urlencoded"},
        Authorization=f"Bearer {made.secret}",
    )
    assert (status, answer["field"]) == (400, "at"), answer
    assert await stored(hotleads) == before


@pytest.mark.parametrize("at", FROM_MACHINES)
async def test_a_typeform_submission_refuses_submitted_at_by_field(hotleads, at):
    made = await make_hook(hotleads, type="typeform")
    payload = json.loads((DATA / "typeform_example.json").read_text())
    payload["form_response"]["submitted_at"] = at
    body = json.dumps(payload).encode()
    before = await stored(hotleads)
    signed = {"Typeform-Signature": typeform_signed(made.secret, body)}
    status, answer, _ = await post(hotleads, made.hook.id, body, **signed)
    assert (status, answer["field"]) == (400, "form_response.submitted_at"), answer
    assert await stored(hotleads) == before


@pytest.mark.parametrize("at", FROM_MACHINES)
async def test_a_calendly_booking_refuses_start_time_and_created_at_by_field(hotleads, at):
    made = await make_hook(hotleads, type="calendly")
    before = await stored(hotleads)
    delivery = json.loads(calendly_body())
    delivery["payload"]["scheduled_event"]["start_time"] = at
    for body, field in (
        (json.dumps(delivery).encode(), START_TIME),
        (calendly_body(created_at=at), "payload.created_at"),
    ):
        header = calendly_signed(made.secret, body, hotleads.clock.now())
        status, answer, _ = await post(
            hotleads, made.hook.id, body, **{"Calendly-Webhook-Signature": header}
        )
        assert (status, answer["field"]) == (400, field), answer
    assert await stored(hotleads) == before


async def test_a_calendly_start_a_few_years_ahead_is_a_plan_and_stored(hotleads):
    made = await make_hook(hotleads, type="calendly")
    delivery = json.loads(calendly_body(created_at="2026-11-23T09:00:00Z"))
    delivery["payload"]["scheduled_event"]["start_time"] = "2030-01-07T15:00:00-14:00"
    body = json.dumps(delivery).encode()
    header = calendly_signed(made.secret, body, hotleads.clock.now())
    status, answer, _ = await post(
        hotleads, made.hook.id, body, **{"Calendly-Webhook-Signature": header}
    )
    assert status == 200, answer


# ---------------------------------------------------------------- CSV and the command line


async def test_csv_import_refuses_each_moment_by_line_and_imports_the_good_row(hotleads, tmp_path):
    lines = ["name,owner,created_at,last_touch_at,snoozed_until", "Good Lead,U1,2026-01-05,,"]
    for i, at in enumerate(FROM_MACHINES):
        column = i % 3
        cells = ["", "", ""]
        cells[column] = at
        lines.append(f"Lead {i},U1,{','.join(cells)}")
    file = tmp_path / "leads.csv"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = await cli("import", str(file), "--team", TEAM, env=db_env(hotleads.db.address))
    assert code == 0, err
    assert f"imported 1 lead; {len(FROM_MACHINES)} rows skipped or refused" in out
    assert "Traceback" not in err
    refused_lines = [line.split(":")[0] for line in err.splitlines() if line.startswith("line")]
    assert refused_lines == [f"line {n}" for n in range(3, 3 + len(FROM_MACHINES))]
    assert [lead.name for lead in await every_lead(hotleads.db, TEAM)] == ["Good Lead"]


@pytest.mark.parametrize("now", FROM_MACHINES)
def test_run_due_now_refuses_the_moment_in_one_sentence(now, capsys):
    with pytest.raises(SystemExit) as exited:
        hotleads_cli.main(["run-due", "--now", now])
    assert exited.value.code == 2
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert said.startswith("hotleads run-due: error: argument --now: ") and "Traceback" not in said


async def test_run_due_now_at_the_calendars_edge_exits_2_without_a_traceback():
    code, _, err = await cli("run-due", "--now", "9999-12-31T23:59:59-14:00")
    assert code == 2 and "more than 10 years ahead" in err and "Traceback" not in err


# ---------------------------------------------------------------- what reps type


@pytest.mark.parametrize("when", TYPED)
async def test_commands_answer_a_moment_at_the_edge_in_one_sentence(hotleads, when):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    before = await database(hotleads)
    for typed in (f'log #1 call when:"{when}"', f"snooze #1 {when}", f'next #1 call due:"{when}"'):
        text = reply_text(await hotleads.command(typed))
        assert text.startswith(":warning:"), (typed, text)
    assert await database(hotleads) == before


@pytest.mark.parametrize("when", TYPED)
async def test_the_log_and_edit_modals_answer_a_moment_at_the_edge_on_its_field(hotleads, when):
    await hotleads.command("add Jane Doe company:Acme source:referral")
    await hotleads.command("log #1 call")
    before = await database(hotleads)
    logged = view_submission_payload("log_touch", log_values(1, "call", when=when))
    answer = await interact(hotleads, logged)
    assert answer["response_action"] == "errors" and list(answer["errors"]) == ["when"]

    edit = button_in(await hotleads.command("history #1"), "touch_edit")
    await interact(hotleads, click(hotleads, edit, "e", key="e"))
    (opened,) = await hotleads.slack.wait_for("views.open")
    values = edit_values()
    values["when"]["when"]["value"] = when
    metadata = opened.params["view"]["private_metadata"]
    edited = view_submission_payload("touch_edit_form", values, private_metadata=metadata)
    answer = await interact(hotleads, edited)
    assert answer["response_action"] == "errors" and list(answer["errors"]) == ["when"]
    assert await database(hotleads) == before

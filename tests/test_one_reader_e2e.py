"""One reader for every moment a person writes, end to end: ``/lead log``, ``when:``, the Log
and Edit modals, the ``log_touch`` workflow step, ``due:``, ``snooze``, ``away`` and CSV
import read ``3/4`` as the same day for the same person, and say how they read it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import TEAM, every_lead, reply_text
from slack_requests import view_submission_payload
from test_payload_fuzz import button_in, edit_values
from test_surfaces import click, interact, log_values
from test_workflow_steps import run_step

from bot import admin
from storage import leads, next_steps, notifications

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
TUESDAY_AFTERNOON = (2026, 12, 1, 15, 46)

ORDERS = [
    # locale, zone, the day "3/4" was (a touch), the day "3/4" will be (a plan)
    ("en-US", NEW_YORK, date(2026, 3, 4), date(2027, 3, 4)),
    ("en-GB", BERLIN, date(2026, 4, 3), date(2027, 4, 3)),
    ("de-DE", NEW_YORK, date(2026, 4, 3), date(2027, 4, 3)),
]


async def as_rep(hotleads, tz: str, locale: str) -> None:
    """U1 lives in ``tz`` with Slack set to ``locale``; it is Tuesday afternoon there."""
    hotleads.slack.users["U1"] = {"id": "U1", "tz": tz, "is_admin": False, "locale": locale}
    await hotleads.command("add Zed Zero source:referral")
    await hotleads.user_cached()
    hotleads.clock.moment = datetime(*TUESDAY_AFTERNOON, tzinfo=ZoneInfo(tz)).astimezone(UTC)


async def touch_days(hotleads, tz: str) -> list[tuple[date, int, int]]:
    """Each touch on lead 1, oldest first, as its day and time on the rep's wall clock."""
    (lead,) = [lead for lead in await every_lead(hotleads.db, TEAM) if lead.number == 1]
    page, _ = await leads.touch_page(hotleads.db.reader, lead, limit=100)
    local = [t.at.astimezone(ZoneInfo(tz)) for t in page if t.deleted_at is None]
    return sorted((moment.date(), moment.hour, moment.minute) for moment in local)


@pytest.mark.parametrize(("locale", "tz", "was", "will_be"), ORDERS)
async def test_a_reps_3_4_is_one_day_at_every_door(hotleads, locale, tz, was, will_be):
    await as_rep(hotleads, tz, locale)
    ten = (was, 10, 0)

    said = reply_text(await hotleads.command("log #1 call when:3/4 10am"))
    assert f"{was:%a} {was.day} {was:%b}, 10:00" in said
    assert await touch_days(hotleads, tz) == [ten]

    # So does the Log modal, and its DM says how a date without a time was taken.
    hotleads.slack.calls.clear()
    form = view_submission_payload("log_touch", log_values(1, "call", when="3/4"))
    assert await interact(hotleads, form) in (None, {}, "")
    (dm,) = await hotleads.slack.wait_for("chat.postMessage")
    assert f"{was:%a} {was.day} {was:%b}, 12:00 — from “3/4” (no time given: noon)" in reply_text(
        dm.params
    )
    assert await touch_days(hotleads, tz) == [ten, (was, 12, 0)]
    await hotleads.command("undo")
    assert await touch_days(hotleads, tz) == [ten]

    # The Edit modal reads the rep's 3/4 as the command did.
    await hotleads.command("log #1 email typo")
    edit = button_in(await hotleads.command("history #1"), "touch_edit")
    await interact(hotleads, click(hotleads, edit, "e", key="e"))
    (opened,) = await hotleads.slack.wait_for("views.open")
    values = edit_values()
    values["when"]["when"]["value"] = "3/4 10am"
    hotleads.slack.calls.clear()
    form = view_submission_payload(
        "touch_edit_form", values, private_metadata=opened.params["view"]["private_metadata"]
    )
    assert await interact(hotleads, form) in (None, {}, "")
    (dm,) = await hotleads.slack.wait_for("chat.postMessage")
    assert f"{was:%a} {was.day} {was:%b}, 10:00 — from “3/4 10am”" in reply_text(dm.params)
    assert await touch_days(hotleads, tz) == [ten, ten]

    # A workflow logging for this rep reads their 3/4 the same way.
    ended = await run_step(
        hotleads, "log_touch", {"lead": "#1", "kind": "call", "when": "3/4 10am", "logged_by": "U1"}
    )
    assert ended.state == "completed", ended.error
    assert await touch_days(hotleads, tz) == [ten, ten, ten]

    # Plans: the next such day, and each reply says what it read.
    next_step = reply_text(await hotleads.command("next #1 send the proposal due:3/4"))
    assert "(I read “3/4”)" in next_step
    snoozed = reply_text(await hotleads.command("snooze #1 3/4"))
    assert "(I read “3/4”)" in snoozed
    away = reply_text(await hotleads.command("away until 3/4"))
    assert f"Away until {will_be:%a} {will_be.day} {will_be:%b} (I read “3/4”)" in away
    async with hotleads.db.transaction() as conn:
        (step,) = (await next_steps.open_steps(conn, TEAM, [1])).values()
        rep = await notifications.get(conn, TEAM, "U1")
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.snoozed_until is not None
    snooze_day = lead.snoozed_until.astimezone(ZoneInfo(tz))
    assert (step.due_on, rep.away_until, snooze_day.date(), snooze_day.hour) == (
        will_be,
        will_be,
        will_be,
        0,
    )


@pytest.mark.parametrize(("locale", "when", "at"), [("en-US", "3/4 3", 15), ("en-GB", "4/3 9", 9)])
async def test_a_plan_at_a_bare_hour_is_in_working_hours(hotleads, locale, when, at):
    await as_rep(hotleads, BERLIN, locale)
    await hotleads.command(f"snooze #1 {when}")
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.snoozed_until is not None
    local = lead.snoozed_until.astimezone(ZoneInfo(BERLIN))
    assert (local.date(), local.hour) == (date(2027, 3, 4), at)


async def test_a_step_for_someone_we_dont_know_reads_numbers_month_first_on_the_teams_clock(
    hotleads,
):
    await hotleads.command("add Zed Zero source:referral")
    ended = await run_step(
        hotleads, "log_touch", {"lead": "#1", "kind": "call", "when": "3/4 10am", "logged_by": "U9"}
    )
    assert ended.state == "completed", ended.error
    assert await touch_days(hotleads, "UTC") == [(date(2026, 3, 4), 10, 0)]


# ------------------------------------------------------------ CSV import

CSV = (
    "name,created_at,last_touch_at,snoozed_until\n"
    "Iso Time,2025-11-25T14:00:00Z,,\n"
    "Iso Day,2025-11-25,,\n"
    'Named Month,25 Nov 2025,"Nov 27, 2025 2pm",\n'
    "Dotted,25.11.2025,,\n"
    "Slashed,3/4/2025,,3/4/2030\n"
    "Turned,13/11/2025,,\n"
    "Not A Date,soon,,\n"
    "Future Touch,,25 Nov 2031,\n"
)


async def import_file(hotleads, tmp_path, capsys, *, day_first: bool) -> tuple[str, str]:
    file = tmp_path / "leads.csv"
    file.write_text(CSV, encoding="utf-8")
    await admin.import_csv(
        hotleads.services.settings,
        str(file),
        team=TEAM,
        owner="U1",
        dry_run=False,
        day_first=day_first,
    )
    out = capsys.readouterr()
    return out.out, out.err


def utc(*when: int) -> datetime:
    return datetime(*when, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day_first", "slashed", "snoozed", "refused"),
    [
        (
            False,
            utc(2025, 3, 4, 12),
            utc(2030, 3, 4),
            "line 7: created_at: I couldn't read “13/11/2025”",
        ),
        (True, utc(2025, 4, 3, 12), utc(2030, 4, 3), "line 8: created_at: I couldn't read “soon”"),
    ],
)
async def test_csv_dates_are_read_whole_and_a_bad_cell_refuses_its_line_only(
    hotleads, tmp_path, capsys, day_first, slashed, snoozed, refused
):
    out, err = await import_file(hotleads, tmp_path, capsys, day_first=day_first)
    assert refused in err
    assert "line 8: created_at: I couldn't read “soon” as a date. Write 2025-12-31" in err
    assert "line 9: last_touch_at 25 Nov 2031 is in the future" in err
    found = {lead.name: lead for lead in await every_lead(hotleads.db, TEAM)}
    assert found["Iso Time"].created_at == utc(2025, 11, 25, 14)
    assert found["Iso Day"].created_at == utc(2025, 11, 25, 12)
    assert found["Named Month"].created_at == utc(2025, 11, 25, 12)
    assert found["Named Month"].last_touch_at == utc(2025, 11, 27, 14)
    assert found["Dotted"].created_at == utc(2025, 11, 25, 12)
    assert (found["Slashed"].created_at, found["Slashed"].snoozed_until) == (slashed, snoozed)
    assert ("Turned" in found) is day_first
    if day_first:
        assert found["Turned"].created_at == utc(2025, 11, 13, 12)
    assert "Not A Date" not in found and "Future Touch" not in found
    assert f"imported {len(found)} leads" in out
    assert "Snoozed until" in reply_text(await hotleads.command("show slashed"))


@pytest.mark.parametrize(
    ("typed", "stored"), [("noon", "12:00"), ("9:30am", "09:30"), ("17:30", "17:30")]
)
async def test_settings_read_a_time_of_day_as_when_does(hotleads, typed, stored):
    answer = reply_text(await hotleads.change_settings(f"time:{typed}"))
    assert stored in answer

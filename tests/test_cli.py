"""The command line as operators and cron use it: real processes, real files."""

import asyncio
import csv
import io
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import NO_DOTENV, bot_env, every_lead
from old_rows import write_old_database

from bot.domain.lead import NewTouch
from bot.domain.lead_csv import COLUMNS
from storage import deliveries, leads
from storage.db import Database
from storage.engine import Address

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def hotleads(*args: str, env: dict[str, str] | None = None, cwd: Path = NO_DOTENV):
    """Run ``python -m bot ARGS`` with only the environment given (no .env to pick up)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=bot_env(**(env or {})),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, out.decode(), err.decode()


def db_env(where: Path | Address) -> dict[str, str]:
    return {"DATABASE_URL": where.url if isinstance(where, Address) else f"sqlite:///{where}"}


async def seed(path: Path, team: str = "T1") -> None:
    db = await Database.open(path)
    async with db.transaction() as conn:
        jane = await leads.create(
            conn,
            team_id=team,
            name="Jane Doe",
            company="Acme, Inc.",
            email="jane@acme.com",
            phone="+49 30 1",
            source="referral",
            owner="U1",
            created_by="U1",
            now=NOW - timedelta(days=5),
        )
        await leads.add_touch(
            conn, jane, NewTouch(kind="quote", at=NOW - timedelta(days=1), logged_by="U1"), NOW
        )
        await leads.snooze(conn, jane, NOW + timedelta(days=3), NOW)
        omar = await leads.create(
            conn,
            team_id=team,
            name='Omar "O" Haddad',
            source="cold",
            owner="U2",
            created_by="U2",
            now=NOW,
        )
        await leads.set_status(conn, omar, "lost", NOW, "budget")
    await db.close()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "http"}, "PORT"),
    ],
)
async def test_missing_or_bad_settings_exit_2_with_one_sentence(tmp_path, env, named):
    code, _out, err = await hotleads(env=env, cwd=tmp_path)
    assert code == 2
    assert named in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


async def test_migrate_reports_the_schema_version(tmp_path):
    code, out, _ = await hotleads("migrate", env=db_env(tmp_path / "h.db"))
    assert code == 0 and "schema version" in out
    code, out, _ = await hotleads("migrate", env=db_env(tmp_path / "h.db"))
    assert "0 migrations applied" in out


async def test_export_import_round_trip(tmp_path):
    source, target = tmp_path / "a.db", tmp_path / "b.db"
    await seed(source)
    code, exported, err = await hotleads("export", env=db_env(source))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert list(rows[0].keys()) == list(COLUMNS)
    jane = rows[0]
    assert (jane["id"], jane["name"], jane["company"], jane["status"]) == (
        "1",
        "Jane Doe",
        "Acme, Inc.",
        "open",
    )
    assert (jane["temperature"], jane["interactions"], jane["owner"]) == ("hot", "1", "U1")
    assert jane["snoozed_until"].endswith("Z") and jane["created_at"].endswith("Z")
    file = tmp_path / "leads.csv"
    code, _, _ = await hotleads("export", "--team", "T1", "--out", str(file), env=db_env(source))
    assert code == 0
    assert list(csv.DictReader(io.StringIO(file.read_text()))) == rows

    code, out, err = await hotleads("import", str(file), "--team", "T9", env=db_env(target))
    assert code == 0, err
    assert "imported 2 leads" in out
    db = await Database.open(target)
    imported = await every_lead(db, "T9")
    await db.close()
    assert [(x.name, x.company, x.email, x.source, x.owner, x.status) for x in imported] == [
        ("Jane Doe", "Acme, Inc.", "jane@acme.com", "referral", "U1", "open"),
        ('Omar "O" Haddad', "", "", "cold", "U2", "lost"),
    ]
    assert imported[0].snoozed_until == NOW + timedelta(days=3)
    code, out, _ = await hotleads("import", str(file), "--team", "T9", env=db_env(target))
    assert "imported 0 leads" in out  # duplicates are skipped


async def test_import_reports_bad_rows_by_line_and_keeps_the_good(tmp_path):
    file = tmp_path / "in.csv"
    file.write_text(
        "name,email,source,owner\n"
        "Good One,good@x.com,referral,U1\n"
        ",nobody@x.com,referral,U1\n"
        "Bad Mail,not-an-email,referral,U1\n"
        "Bad Source,,carrier-pigeon,U1\n"
        "No Owner,,,\n"
        "Dup By Mail,GOOD@x.com,event,U1\n"
        f"{'x' * 201},,,U1\n"
    )
    env = db_env(tmp_path / "h.db")
    code, out, err = await hotleads("import", str(file), "--team", "T1", "--dry-run", env=env)
    assert code == 0 and "would import 1 lead;" in out
    for line in ("line 3:", "line 4:", "line 5:", "line 6:", "line 7:", "line 8:"):
        assert line in err
    code, out, _ = await hotleads("import", str(file), "--team", "T1", "--owner", "U7", env=env)
    assert "imported 2 leads" in out  # "No Owner" takes --owner
    db = await Database.open(tmp_path / "h.db")
    assert sorted(x.name for x in await every_lead(db, "T1")) == [
        "Good One",
        "No Owner",
    ]
    await db.close()


async def test_export_needs_team_when_there_are_several(tmp_path):
    path = tmp_path / "h.db"
    await seed(path, "T1")
    await seed(path, "T2")
    code, _, err = await hotleads("export", env=db_env(path))
    assert code == 2 and "--team" in err


async def test_run_due_prints_a_line_per_message_and_exits_0_on_refusal(tmp_path, slack):
    path = tmp_path / "h.db"
    await seed(path, "T0001")
    db = await Database.open(path)
    async with db.transaction() as conn:
        settings = await deliveries.get_settings(conn, "T0001")
        await deliveries.save_settings(
            conn, settings.__class__("T0001", "CSALES", "09:00", "UTC"), "UADMIN", NOW
        )
    await db.close()
    env = {
        **db_env(path),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.url,
    }
    code, out, err = await hotleads("run-due", "--now", "2026-11-23T08:59:00", env=env)
    assert (code, out) == (0, "")
    slack.fail_next("chat.postMessage", error="channel_not_found")
    code, out, err = await hotleads("run-due", "--now", "2026-11-23T09:30:00", env=env)
    assert code == 0, err
    assert "refused: digest T0001/CSALES 2026-11-23 (channel_not_found)" in out
    code, out, _ = await hotleads("run-due", "--now", "2026-11-24T09:30:00+00:00", env=env)
    assert "sent: digest T0001/CSALES 2026-11-24" in out


async def test_run_due_refuses_a_bad_time(tmp_path):
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", **db_env(tmp_path / "h.db")}
    code, _, err = await hotleads("run-due", "--now", "tomorrow-ish", env=env)
    assert code == 2 and "ISO 8601" in err


async def test_demo_shows_tomorrows_digest_and_reminders(tmp_path):
    code, out, err = await hotleads("demo", "--db", str(tmp_path / "demo.db"), cwd=tmp_path)
    assert code == 0, err
    assert "HOT LEADS" in out and "Omar Haddad" in out
    assert "DM to Anna" in out and "DM to Ben" in out and "DM to Chloé" in out
    assert "[Log a touch]" in out
    assert (tmp_path / "demo.db").exists()


async def test_export_and_run_due_work_on_a_database_holding_old_unpadded_years(tmp_path, slack):
    exported, sent = tmp_path / "export.db", tmp_path / "due.db"
    for path in (exported, sent):
        await write_old_database(path, NOW)  # each command is the first to open its file
    code, out, err = await hotleads("export", env=db_env(exported))
    assert code == 0, err
    jane, omar = csv.DictReader(io.StringIO(out))
    assert (jane["last_touch_at"], omar["created_at"]) == ("0225-03-14T04:56:00Z",) * 2
    assert omar["snoozed_until"] == "9999-12-31T23:00:00Z"
    env = {
        **db_env(sent),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.url,
    }
    code, out, err = await hotleads("run-due", "--now", "2026-11-23T09:30:00", env=env)
    assert code == 0, err
    assert "sent: digest T0001/CSALES 2026-11-23" in out


@pytest.mark.parametrize(
    ("now", "says"), [("0225-03-14T09:00:00", "before 1990"), ("9999-12-31T23:00:00", "10 years")]
)
async def test_run_due_refuses_a_time_no_team_means(tmp_path, now, says):
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", **db_env(tmp_path / "h.db")}
    code, _, err = await hotleads("run-due", "--now", now, env=env)
    assert code == 2 and says in err and "Traceback" not in err


async def test_hooks_new_list_and_revoke(tmp_path):
    await seed(tmp_path / "h.db")
    env = {**db_env(tmp_path / "h.db"), "PUBLIC_URL": "https://hotleads.example.com"}
    code, out, err = await hotleads(
        "hooks",
        "new",
        "--team",
        "T1",
        "--type",
        "typeform",
        "--kind",
        "signup",
        "--owner",
        "UANA",
        "--json",
        env=env,
    )
    assert code == 0, err
    made = json.loads(out)
    assert made["url"] == f"https://hotleads.example.com/hooks/{made['id']}"
    assert len(made["id"]) >= 22 and made["secret"]
    code, out, _ = await hotleads("hooks", "list", "--team", "T1", env=env)
    assert code == 0
    assert made["id"] in out and "typeform" in out and "kind trial" in out and "live" in out
    assert made["secret"] not in out
    code, out, _ = await hotleads("hooks", "revoke", made["id"], env=env)
    assert code == 0 and "revoked" in out
    code, out, _ = await hotleads("hooks", "list", env=env)
    assert "revoked" in out
    code, _, err = await hotleads("hooks", "revoke", made["id"], env=env)
    assert code == 2 and "no live hook" in err


async def test_hooks_new_without_public_url_gives_the_path(tmp_path):
    await seed(tmp_path / "h.db")
    code, out, err = await hotleads("hooks", "new", "--team", "T1", env=db_env(tmp_path / "h.db"))
    assert code == 0, err
    assert "Path:   /hooks/" in out and "public address" in out and "Secret: whsec_" in out
    code, _, err = await hotleads(
        "hooks", "new", "--team", "T1", "--kind", "telepathy", env=db_env(tmp_path / "h.db")
    )
    assert code == 2 and "--kind" in err


async def test_help_works_like_dash_dash_help():
    code, out, _ = await hotleads("help")
    assert code == 0 and "export" in out and "import" in out
    assert out == (await hotleads("--help"))[1]


async def test_export_on_an_empty_database_prints_the_header_and_exits_0(tmp_path):
    code, out, err = await hotleads("export", env=db_env(tmp_path / "empty.db"))
    assert (code, out.strip()) == (0, ",".join(COLUMNS)), err


async def test_formula_cells_are_guarded_on_export_and_unguarded_on_import(tmp_path):
    source, target = tmp_path / "a.db", tmp_path / "b.db"
    db = await Database.open(source)
    async with db.transaction() as conn:
        for name, company, phone in (
            ("=HYPERLINK(1)", "@Acme", "+1 555 0100"),
            ("-Ann", "\tTab", ""),
        ):
            await leads.create(
                conn,
                team_id="T1",
                name=name,
                company=company,
                phone=phone,
                source="cold",
                owner="U1",
                created_by="U1",
                now=NOW,
            )
    await db.close()
    file = tmp_path / "out.csv"
    code, _, err = await hotleads("export", "--out", str(file), env=db_env(source))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(file.read_text())))
    assert [(r["name"], r["company"], r["phone"]) for r in rows] == [
        ("'=HYPERLINK(1)", "'@Acme", "'+1 555 0100"),
        ("'-Ann", "'\tTab", ""),
    ]
    code, out, err = await hotleads("import", str(file), "--team", "T1", env=db_env(target))
    assert code == 0 and "imported 2 leads" in out, err
    db = await Database.open(target)
    back = [(x.name, x.company, x.phone) for x in await every_lead(db, "T1")]
    await db.close()
    assert back == [("=HYPERLINK(1)", "@Acme", "+1 555 0100"), ("-Ann", "Tab", "")]


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (
            "Full name,Organization,E-mail,Mobile,Lead Source,Owner,Notes,City\r\n"
            "Nate Wu,Tyrell,nate@tyrell.io,+1 555 0100,website,U1,met at the fair,Berlin\r\n",
            "utf-8",
        ),
        (
            "\ufeffNAME;Account;Email;Phone;Source;owner;note;city\n"
            "Nate Wu;Tyrell;nate@tyrell.io;+1 555 0100;web;U1;met at the fair;Berlin\n",
            "utf-8",
        ),
    ],
)
async def test_import_reads_the_headers_people_use(tmp_path, content, encoding):
    file = tmp_path / "in.csv"
    file.write_bytes(content.encode(encoding))
    path = tmp_path / "h.db"
    code, out, err = await hotleads("import", str(file), "--team", "T1", env=db_env(path))
    assert code == 0 and "imported 1 lead;" in out, err
    assert err.count("ignored columns: ") == 1 and "ignored columns: " in err
    assert err.split("ignored columns: ")[1].split("\n")[0].lower() == "city"
    db = await Database.open(path)
    (lead,) = await every_lead(db, "T1")
    (touch,) = await leads.recent_touches(db.reader, lead)
    await db.close()
    assert (lead.name, lead.company, lead.email, lead.phone, lead.source) == (
        "Nate Wu",
        "Tyrell",
        "nate@tyrell.io",
        "+1 555 0100",
        "inbound",
    )
    assert (touch.kind, touch.note, touch.how) == ("note", "met at the fair", "import")


async def test_an_unknown_import_source_gets_a_suggestion(tmp_path):
    file = tmp_path / "in.csv"
    file.write_text("name,source,owner\nAnn,refferals,U1\n")
    code, _, err = await hotleads(
        "import", str(file), "--team", "T1", env=db_env(tmp_path / "h.db")
    )
    assert code == 0 and "line 2: source “refferals” is not a source; did you mean referral?" in err


def test_progress_bars_stay_quiet_when_output_is_not_a_terminal(capsys):
    from bot.progress import bar

    with bar("copying", 3) as advance:
        advance(3)
    assert capsys.readouterr().err == ""

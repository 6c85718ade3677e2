"""The command line as a good citizen: pipes closed early, workspaces it doesn't know,
typos in flags, and a demo that knows which morning comes next."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

import pytest
from conftest import NO_DOTENV, bot_env
from test_cli import db_env, hotleads, seed

from bot import demo
from bot.domain import grammar
from bot.domain.lead_csv import ImportedLead
from storage import leads
from storage.db import Database

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def many_leads(path, count: int = 3000) -> None:
    """More CSV than a pipe holds (64 KiB), so the reader leaves while the writer writes."""
    rows = [
        ImportedLead(
            line=i,
            name=f"Lead Number {i}",
            company=f"Company {i}",
            email=f"lead{i}@example.com",
            phone="+1 555 0100",
            source="referral",
            owner="U1",
            status="open",
            created_at=NOW,
            last_touch_at=None,
            snoozed_until=None,
        )
        for i in range(count)
    ]
    db = await Database.open(path)
    try:
        async with db.transaction() as conn:
            await leads.insert_imported(conn, "T1", rows, created_by="test", now=NOW)
    finally:
        await db.close()


@pytest.mark.parametrize("reader", ["head -n 3", "head -c 100", "true"])
async def test_export_into_a_reader_that_leaves_early_ends_quietly(tmp_path, reader):
    path = tmp_path / "h.db"
    await many_leads(path)
    script = (
        f'"{sys.executable}" -m bot export 2> "{tmp_path / "err"}" | {reader} > "{tmp_path / "out"}";'
        f' echo "${{PIPESTATUS[0]}}" > "{tmp_path / "status"}"'
    )
    process = await asyncio.create_subprocess_exec(
        "bash", "-c", script, env=bot_env(**db_env(path)), cwd=NO_DOTENV
    )
    await asyncio.wait_for(process.wait(), 60)
    status = int((tmp_path / "status").read_text())
    assert status in (0, 141)
    assert (tmp_path / "err").read_text() == ""  # no traceback, no thread error
    if reader == "head -n 3":
        assert (tmp_path / "out").read_text().splitlines()[1].startswith("1,Lead Number 0,")


async def test_hooks_new_refuses_a_workspace_the_database_does_not_know(tmp_path):
    path = tmp_path / "h.db"
    code, _, err = await hotleads("hooks", "new", "--team", "T0001", env=db_env(path))
    assert code == 2 and "T0001" in err and "nor any other yet" in err, err
    await seed(path, "T1")
    await seed(path, "T2")
    code, out, err = await hotleads("hooks", "new", "--team", "TNOPE", env=db_env(path))
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert "TNOPE" in line and "T1, T2" in line and "Traceback" not in err
    code, out, _ = await hotleads("hooks", "list", env=db_env(path))
    assert "no hooks yet" in out  # nothing was made
    code, out, err = await hotleads("hooks", "new", "--team", "T2", env=db_env(path))
    assert code == 0 and "hook for T2" in out, err


@pytest.mark.parametrize("typed", ["qoute", "demoo", "telepathy"])
async def test_a_mistyped_kind_flag_gets_the_slash_commands_suggestion(tmp_path, typed):
    with pytest.raises(grammar.GrammarError) as slash:
        grammar.parse(f"log #1 {typed}")
    says = str(slash.value).splitlines()[0]  # what `/lead log #1 <typed>` answers first
    assert "Did you mean" in says or "Kinds:" in says
    path = tmp_path / "h.db"
    await seed(path, "T1")
    code, out, err = await hotleads(
        "hooks", "new", "--team", "T1", "--kind", typed, env=db_env(path)
    )
    assert code == 2 and out == ""
    assert err.splitlines()[-1].endswith(f"argument --kind: {says}"), err


async def test_a_known_alias_on_the_kind_flag_is_read_as_the_command_reads_it(tmp_path):
    path = tmp_path / "h.db"
    await seed(path, "T1")
    code, out, err = await hotleads(
        "hooks", "new", "--team", "T1", "--kind", "signup", env=db_env(path)
    )
    assert code == 0 and "kind trial" in out, err


@pytest.mark.parametrize(
    ("now", "says", "digest"),
    [
        # Friday 27 November 2026, noon in Berlin: no digest on Saturday.
        (
            datetime(2026, 11, 27, 11, 0, tzinfo=UTC),
            "No digest tomorrow (Saturday). Monday's digest",
            "Monday 30 November",
        ),
        # Wednesday: Thursday's digest is tomorrow's.
        (
            datetime(2026, 11, 25, 11, 0, tzinfo=UTC),
            "Tomorrow morning, hotleads would post this digest",
            "Thursday 26 November",
        ),
        # Sunday: Monday is tomorrow.
        (
            datetime(2026, 11, 29, 11, 0, tzinfo=UTC),
            "Tomorrow morning, hotleads would post this digest",
            "Monday 30 November",
        ),
    ],
)
async def test_the_demo_names_the_morning_it_shows(now, says, digest, capsys):
    assert await demo.show(now) == 0
    out = capsys.readouterr().out
    assert says in out and f"#sales · {digest}, 09:00" in out

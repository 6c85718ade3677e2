"""Exports stream: the workspace is read a page at a time, each lead with its own signals."""

import asyncio
import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import STORED_NOW as NOW
from conftest import add_lead, fresh_database
from test_cli import db_env, hotleads

from bot.domain.lead import NewTouch
from bot.domain.lead_csv import COLUMNS, ImportedLead
from bot.domain.snapshots import snapshot
from storage import leads, snapshots
from storage import snapshot as snapshot_export
from storage.db import Database

KINDS = ("call", "email", "quote", "meeting", "reply")


async def touch(
    db: Database, team: str, number: int, kinds: tuple[str, ...], now: datetime = NOW
) -> None:
    async with db.transaction() as conn:
        lead = await leads.get(conn, team, number)
        assert lead is not None
        for days, kind in enumerate(kinds, start=1):
            lead = await leads.add_touch(
                conn, lead, NewTouch(kind=kind, at=now - timedelta(days=days), logged_by="U1"), now
            )


async def test_leads_come_in_pages_by_number_each_with_its_own_signals(db):
    # Two workspaces' leads interleaved, so row ids and numbers don't line up; the first
    # and the last lead have no signals, the leads around each page's edge have several.
    for n in range(1, 24):
        await add_lead(db, team="T1", name=f"Lead {n}", at=NOW - timedelta(days=30))
        await add_lead(db, team="T2", name=f"Other {n}", at=NOW - timedelta(days=30))
    for number in (2, 5, 6, 10, 11, 22):
        await touch(db, "T1", number, KINDS[: 1 + number % len(KINDS)])
    await touch(db, "T2", 3, ("quote", "call"))

    batches = await asyncio.to_thread(
        lambda: list(snapshot_export.leads_of(db.address, "T1", size=5))
    )

    assert [len(batch) for batch in batches] == [5, 5, 5, 5, 3]
    streamed = [lead for batch in batches for lead in batch]
    assert [lead.number for lead in streamed] == list(range(1, 24))
    expected = [await leads.get(db.reader, "T1", n) for n in range(1, 24)]
    assert streamed == expected  # signals, touch counts and all, as a single read gives them
    assert {lead.number for lead in streamed if lead.signals} == {2, 5, 6, 10, 11, 22}


@pytest.mark.postgres
async def test_postgres_export_reads_through_server_side_cursors(tmp_path):
    """While the first page is out, the export's session is inside a FETCH, not done reading."""
    import psycopg

    async with fresh_database("postgres", tmp_path) as address:
        db = await Database.open(address)
        try:
            for n in range(1, 8):
                await add_lead(db, name=f"Lead {n}")
            await touch(db, "T1", 4, ("call",))
        finally:
            await db.close()
        pages = snapshot_export.leads_of(address, "T1", size=2)
        try:
            first = await asyncio.to_thread(next, pages)
            async with await psycopg.AsyncConnection.connect(address.url) as other:
                cursor = await other.execute(
                    "SELECT query FROM pg_stat_activity"
                    " WHERE state = 'idle in transaction' AND query LIKE 'FETCH %export_%'"
                )
                fetching = await cursor.fetchall()
            rest = await asyncio.to_thread(lambda: list(pages))
        finally:
            await asyncio.to_thread(pages.close)
    assert fetching, "the export had read its rows out before handing the first page over"
    assert [lead.number for lead in first] == [1, 2]
    assert [len(page) for page in rest] == [2, 2, 1]


async def test_export_of_many_leads_on_each_engine(tmp_path, backend):
    """More leads than one page holds, touched across the pages' edges: every row, in order."""
    many = 4_321  # more than two of the export's pages (2,000)
    now = datetime.now(UTC)  # the CLI scores at the wall clock
    rows = [
        ImportedLead(
            line=n,
            name=f"Lead {n}",
            company=f"Company {n % 97}",
            email=f"lead{n}@example.com",
            phone="",
            source="referral" if n % 3 else "cold",
            owner=f"U{n % 7}",
            status="open",
            created_at=now - timedelta(days=n % 300),
            last_touch_at=None,
            snoozed_until=None,
        )
        for n in range(1, many + 1)
    ]
    # Each touched lead has an untouched twin 300 numbers away: same source, same age.
    twins = {1: 301, 1999: 2299, 2000: 2300, 2001: 2301, 4000: 4300, 4001: 3701, many: many - 300}
    async with fresh_database(backend, tmp_path) as address:
        db = await Database.open(address)
        try:
            async with db.transaction() as conn:
                await leads.insert_imported(conn, "T1", rows, created_by="import", now=now)
            for number in twins:
                await touch(db, "T1", number, ("call", "quote"), now)
            await add_lead(db, team="T2", name="Someone else's")
        finally:
            await db.close()
        out = tmp_path / "leads.csv"
        code, _, err = await hotleads(
            "export", "--team", "T1", "--out", str(out), env=db_env(address)
        )

    assert code == 0, err
    assert f"wrote 4321 leads to {out}" in err
    reader = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline=""))
    assert reader.fieldnames == list(COLUMNS)
    exported = list(reader)
    assert [row["id"] for row in exported] == [str(n) for n in range(1, many + 1)]
    assert [row["name"] for row in exported] == [f"Lead {n}" for n in range(1, many + 1)]
    for number, twin in twins.items():
        row, untouched = exported[number - 1], exported[twin - 1]
        assert (row["source"], row["created_at"]) == (untouched["source"], untouched["created_at"])
        assert row["interactions"] == "2" and int(row["score"]) > int(untouched["score"]), row
    assert {row["interactions"] for i, row in enumerate(exported, 1) if i not in twins} == {"0"}


async def test_pipeline_history_comes_in_pages_by_workspace_and_day(db):
    first = date(2026, 10, 1)
    for team in ("T2", "T1", "T3"):
        for offset in range(4):
            day = first + timedelta(days=offset)
            async with db.transaction() as conn:
                await snapshots.keep(
                    conn,
                    snapshot(
                        team,
                        day,
                        NOW,
                        "UTC",
                        open_now={"hot": offset, "warm": 0, "cold": 0},
                        new_leads={"referral": 1},
                        won=0,
                        lost=0,
                        signals=[],
                    ),
                )

    pages = await asyncio.to_thread(
        lambda: list(snapshot_export.history_of(db.address, ["T1", "T2"], size=3))
    )

    assert [len(page) for page in pages] == [3, 3, 2]
    days = [first + timedelta(days=offset) for offset in range(4)]
    assert [(row.team_id, row.day) for page in pages for row in page] == [
        (team, day) for team in ("T1", "T2") for day in days
    ]
    assert pages[0][1] == (await snapshots.between(db.reader, "T1", days[1], days[1]))[0]

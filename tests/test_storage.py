import asyncio
from datetime import UTC, datetime, timedelta

import aiosqlite
import pytest

from bot.domain.temperature import signals_from, temperature
from storage import db as db_module
from storage import events, leads
from storage.db import Database, SchemaTooNew, migrations, schema_version

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "hotleads.db")
    yield database
    await database.close()


async def add(db, team="T1", name="Jane Doe", company="Acme", email="", source="referral", at=NOW):
    async with db.transaction() as conn:
        return await leads.create(
            conn,
            team_id=team,
            name=name,
            company=company,
            email=email,
            source=source,
            owner="U1",
            created_by="U1",
            now=at,
        )


async def test_migrations_set_user_version_and_pragmas(db):
    assert await schema_version(db.reader) == len(migrations())
    async with db.reader.execute("PRAGMA journal_mode") as c:
        assert (await c.fetchone())[0] == "wal"
    async with db.reader.execute("PRAGMA foreign_keys") as c:
        assert (await c.fetchone())[0] == 1
    async with db.reader.execute("PRAGMA busy_timeout") as c:
        assert (await c.fetchone())[0] >= 1000


async def test_reopening_runs_no_migration_twice(tmp_path):
    path = tmp_path / "again.db"
    first = await Database.open(path)
    await first.close()
    second = await Database.open(path)
    assert await second.migrate() == 0
    await second.close()


async def test_database_newer_than_code_is_refused(tmp_path):
    path = tmp_path / "future.db"
    async with aiosqlite.connect(path) as conn:
        await conn.execute(f"PRAGMA user_version = {len(migrations()) + 1}")
        await conn.commit()
    with pytest.raises(SchemaTooNew, match="newer hotleads"):
        await Database.open(path)


async def test_lead_numbers_count_per_workspace(db):
    a1 = await add(db, team="TA", name="A one")
    a2 = await add(db, team="TA", name="A two")
    b1 = await add(db, team="TB", name="B one")
    assert (a1.number, a2.number, b1.number) == (1, 2, 1)
    assert (await leads.get(db.reader, "TB", 2)) is None
    assert (await leads.get(db.reader, "TA", 2)).name == "A two"


async def test_search_stays_inside_the_workspace_and_escapes_wildcards(db):
    await add(db, team="TA", name="Percy", company="100% Juice")
    await add(db, team="TB", name="Percy", company="Other")
    await add(db, team="TA", name="Underscore_Man", company="")
    found = await leads.search(db.reader, "TA", "percy")
    assert [(lead.team_id, lead.company) for lead in found] == [("TA", "100% Juice")]
    assert [lead.name for lead in await leads.search(db.reader, "TA", "%")] == ["Percy"]
    assert [lead.name for lead in await leads.search(db.reader, "TA", "e_m")] == ["Underscore_Man"]


async def test_duplicates_by_email_or_name_and_company(db):
    await add(db, name="Jane Doe", company="Acme", email="jane@acme.com")
    assert await leads.find_duplicate(db.reader, "T1", "Other", "", "JANE@acme.com")
    assert await leads.find_duplicate(db.reader, "T1", "jane doe", "ACME", "")
    assert await leads.find_duplicate(db.reader, "T1", "Jane Doe", "Globex", "") is None
    assert await leads.find_duplicate(db.reader, "T2", "Jane Doe", "Acme", "") is None


async def test_touches_keep_signals_that_match_a_full_recount(db):
    lead = await add(db, source="cold", at=NOW - timedelta(days=30))
    history = [("call", 20), ("quote", 5), ("call", 3), ("quote", 9)]
    for kind, days in history:
        async with db.transaction() as conn:
            lead = await leads.add_touch(
                conn, lead, kind=kind, at=NOW - timedelta(days=days), logged_by="U1", now=NOW
            )
    stored = await leads.get(db.reader, "T1", lead.number)
    recount = signals_from((kind, NOW - timedelta(days=d)) for kind, d in history)
    expected = temperature("cold", stored.created_at, recount, NOW)
    assert stored.temperature(NOW) == expected
    assert stored.score == expected.score
    assert stored.touch_count == 4
    assert stored.last_touch_at == NOW - timedelta(days=3)
    touches = await leads.recent_touches(db.reader, lead.id, limit=2)
    assert [(t.kind, t.at) for t in touches] == [
        ("call", NOW - timedelta(days=3)),
        ("quote", NOW - timedelta(days=5)),
    ]


async def test_a_failed_transaction_stores_nothing(db):
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await leads.create(
                conn,
                team_id="T1",
                name="Ghost",
                source="cold",
                owner="U1",
                created_by="U1",
                now=NOW,
            )
            raise RuntimeError("boom")
    assert await leads.search(db.reader, "T1", "ghost") == []


async def test_background_checkpoints_keep_the_log_short_off_the_write_path(tmp_path):
    db = await Database.open(tmp_path / "wal.db")
    stop = asyncio.Event()
    checkpoints = asyncio.create_task(db.keep_wal_short(stop, every=0.05))
    try:
        await asyncio.sleep(0.1)
        async with db._writer.execute("PRAGMA wal_autocheckpoint") as c:
            assert (await c.fetchone())[0] == 0  # commits never checkpoint by themselves
        before = (tmp_path / "wal.db").stat().st_size
        for n in range(100):
            await add(db, name=f"Lead {n}", company="x" * 4000)
        await asyncio.sleep(0.3)
        # The pages went from the log into the database file without any commit's help.
        assert (tmp_path / "wal.db").stat().st_size - before > 100 * 4000
    finally:
        stop.set()
        await checkpoints
    async with db._writer.execute("PRAGMA wal_autocheckpoint") as c:
        assert (await c.fetchone())[0] == 1000
    await db.close()


async def test_old_event_ids_are_forgotten_recent_ones_kept(db):
    async with db.transaction() as conn:
        assert await events.first_arrival(conn, "T1", "Ev1", NOW - timedelta(days=2))
        assert await events.first_arrival(conn, "T1", "Ev2", NOW - timedelta(hours=1))
        assert await events.forget_before(conn, NOW - timedelta(days=1)) == 1
        assert not await events.first_arrival(conn, "T1", "Ev2", NOW)  # still a retry
        assert await events.first_arrival(conn, "T1", "Ev1", NOW)


async def test_background_checkpoints_start_the_log_over_while_writes_keep_coming(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(db_module, "RESTART_AT_FRAMES", 20)
    db = await Database.open(tmp_path / "restart.db")
    stop = asyncio.Event()
    checkpoints = asyncio.create_task(db.keep_wal_short(stop, every=0.01))
    try:
        for n in range(300):
            await add(db, name=f"Lead {n}")
        async with db.reader.execute("PRAGMA wal_checkpoint(PASSIVE)") as c:
            _, frames, _ = await c.fetchone()
        assert frames < 300  # without starting over, every frame ever written is still there
    finally:
        stop.set()
        await checkpoints
        await db.close()

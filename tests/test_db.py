"""storage.db: migrations, pragmas, transactions and keeping the write-ahead log short."""

import asyncio

import aiosqlite
import pytest
from conftest import STORED_NOW as NOW
from conftest import add_lead

from storage import db as db_module
from storage import leads
from storage.db import Database, migrations, schema_version
from storage.schema import SchemaTooNew


async def test_migrations_set_user_version_and_pragmas(sqlite_db):
    db = sqlite_db
    assert await schema_version(db.reader) == len(migrations())
    assert (await db.reader.fetchone("PRAGMA journal_mode"))[0] == "wal"
    assert (await db.reader.fetchone("PRAGMA foreign_keys"))[0] == 1
    assert (await db.reader.fetchone("PRAGMA busy_timeout"))[0] >= 1000


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
            await add_lead(db, name=f"Lead {n}", company="x" * 4000)
        await asyncio.sleep(0.3)
        # The pages went from the log into the database file without any commit's help.
        assert (tmp_path / "wal.db").stat().st_size - before > 100 * 4000
    finally:
        stop.set()
        await checkpoints
    async with db._writer.execute("PRAGMA wal_autocheckpoint") as c:
        assert (await c.fetchone())[0] == 1000
    await db.close()


async def test_background_checkpoints_start_the_log_over_while_writes_keep_coming(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(db_module, "RESTART_AT_FRAMES", 20)
    db = await Database.open(tmp_path / "restart.db")
    stop = asyncio.Event()
    checkpoints = asyncio.create_task(db.keep_wal_short(stop, every=0.01))
    try:
        for n in range(300):
            await add_lead(db, name=f"Lead {n}")
        _, frames, _ = await db.reader.fetchone("PRAGMA wal_checkpoint(PASSIVE)")
        assert frames < 300  # without starting over, every frame ever written is still there
    finally:
        stop.set()
        await checkpoints
        await db.close()


async def test_the_reader_sees_each_commit_while_other_reads_are_under_way(db):
    """Ten clicks at once read side by side: a read after a commit must see it."""
    for n in range(20):
        await add_lead(db, name=f"Lead {n}")
    stop = asyncio.Event()

    async def reading() -> None:
        while not stop.is_set():
            await db.reader.fetchall("SELECT l.id, l.name FROM leads l, leads m LIMIT 400")

    readers = [asyncio.create_task(reading()) for _ in range(4)]
    try:
        for n in range(30):
            async with db.transaction() as conn:
                await conn.execute("UPDATE leads SET company = ? WHERE number = 1", (f"v{n}",))
            row = await db.reader.fetchone("SELECT company FROM leads WHERE number = 1")
            assert row is not None and row[0] == f"v{n}"
    finally:
        stop.set()
        await asyncio.gather(*readers)

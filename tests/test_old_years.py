"""A workspace holding years stored the broken way (``225-03-14…``) still opens, lists, shows,
previews its digest and sends it; migration 0005 gives every timestamp its four digits."""

from __future__ import annotations

import sqlite3

from conftest import START, TEAM, every_lead, reply_text, running_hotleads
from old_rows import END_OF_TIME, TYPO, YEAR_ONE, timestamp_columns, write_old_database

from storage import leads
from storage.db import Database, migrations, schema_version

RESCORED = {("leads", "hot_until"), ("leads", "warm_until")}


async def test_every_timestamp_column_of_every_table_gets_its_four_digits(tmp_path):
    path = tmp_path / "old.db"
    await write_old_database(path, START)
    with sqlite3.connect(path) as raw:
        columns = timestamp_columns(raw)
        for table, names in columns.items():
            assert raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0], f"{table} is empty"
            raw.execute(
                f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in names)}",
                ["225-03-14T04:56:00Z"] * len(names),
            )
    raw.close()
    db = await Database.open(path)
    assert await schema_version(db.reader) == len(migrations())
    await db.close()
    with sqlite3.connect(path) as raw:
        for table, names in columns.items():
            for name in names:
                values = {r[0] for r in raw.execute(f"SELECT {name} FROM {table}")}
                if (table, name) in RESCORED:  # worked out again by 0007's model, from 0225
                    assert all(v.startswith("0225-") for v in values), (table, name)
                else:
                    assert values == {"0225-03-14T04:56:00Z"}, (table, name)
    raw.close()


async def test_old_rows_read_back_even_before_the_migration_runs(tmp_path):
    path = tmp_path / "old.db"
    await write_old_database(path, START)
    db = await Database.open(path, run_migrations=False)
    try:
        jane, omar = await every_lead(db, TEAM)
        (touch,) = await leads.recent_touches(db.reader, jane.id)
    finally:
        await db.close()
    assert (touch.at, jane.last_touch_at, omar.created_at) == (TYPO, TYPO, TYPO)
    assert omar.snoozed_until == END_OF_TIME


async def test_after_the_migration_text_order_is_time_order(tmp_path):
    path = tmp_path / "old.db"
    await write_old_database(path, START)
    db = await Database.open(path)
    try:
        order = [r[0] for r in await db.reader.fetchall("SELECT at FROM interactions ORDER BY at")]
        jane, omar = await every_lead(db, TEAM)
    finally:
        await db.close()
    assert order == ["0001-01-01T00:00:00Z", "0225-03-14T04:56:00Z"]
    assert (jane.last_touch_at, omar.created_at, omar.snoozed_until) == (TYPO, TYPO, END_OF_TIME)
    assert omar.last_touch_at == YEAR_ONE


async def test_a_workspace_holding_old_rows_shows_lists_previews_and_sends(tmp_path, slack):
    path = tmp_path / "hotleads.db"
    await write_old_database(path, START)
    async with running_hotleads(path, slack) as hotleads:
        jane = reply_text(await hotleads.command("show #1"))
        assert "Jane Doe" in jane and "Something went wrong" not in jane
        omar = reply_text(await hotleads.command("show #2"))
        assert "Omar Haddad" in omar and "Snoozed until" in omar
        listed = reply_text(await hotleads.command("list"))
        assert "Jane Doe" in listed and "Omar Haddad" in listed
        preview = reply_text(await hotleads.command("digest"))
        assert "Preview" in preview
        outcomes = await hotleads.run_due()
        assert outcomes and all(o.status == "sent" for o in outcomes), outcomes
        sent = [c.params["channel"] for c in slack.calls if c.method == "chat.postMessage"]
        assert sorted(sent) == ["CSALES", "DU1"]  # the digest, and a reminder of a quiet lead

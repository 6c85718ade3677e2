"""A database as hotleads wrote it before migration 0005: years before 1000 without zeros.

``strftime("%Y")`` wrote ``225-03-14T04:56:00Z`` for a touch logged
``when:"0225-03-14"``; such rows must not break a workspace that holds them.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.domain.lead import NewTouch
from bot.domain.schedule import WorkspaceSettings
from bot.domain.slack_user import SlackUser
from storage import deliveries, events, leads, users
from storage.db import Database, migrations

TEAM = "T0001"
PADDED_SINCE = 5
"""The first schema version that stores four-digit years."""
TYPO = datetime(225, 3, 14, 4, 56, tzinfo=UTC)
YEAR_ONE = datetime(1, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
TIMESTAMP = re.compile(r"^(at|as_of|.+_at|.+_until)$")


def timestamp_columns(raw: sqlite3.Connection) -> dict[str, list[str]]:
    """Every column of every table that holds a stored moment, read from the schema itself."""
    tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    found = {}
    for table in tables:
        names = [r[1] for r in raw.execute(f"PRAGMA table_info({table})")]
        if columns := [n for n in names if TIMESTAMP.match(n)]:
            found[table] = columns
    return found


async def write_old_database(path: Path, now: datetime) -> None:
    """Leads whose touches, creation and snooze hold the dates old hotleads accepted, one row
    in every table, then every timestamp rewritten as strftime wrote it, at schema 4."""
    db = await Database.open(path)
    async with db.transaction() as conn:
        await deliveries.save_settings(
            conn, WorkspaceSettings(TEAM, "CSALES", "09:00", "UTC"), "UADMIN", now
        )
        jane = await leads.create(
            conn,
            team_id=TEAM,
            name="Jane Doe",
            source="referral",
            owner="U1",
            created_by="U1",
            now=now - timedelta(days=30),
        )
        await leads.add_touch(conn, jane, NewTouch(kind="meeting", at=TYPO, logged_by="U1"), now)
        omar = await leads.create(
            conn,
            team_id=TEAM,
            name="Omar Haddad",
            source="cold",
            owner="U1",
            created_by="import",
            now=TYPO,  # imported with created_at 0225-03-14
        )
        await leads.add_touch(conn, omar, NewTouch(kind="call", at=YEAR_ONE, logged_by="U1"), now)
        await leads.snooze(conn, omar, END_OF_TIME, now)
        await users.save(conn, SlackUser(TEAM, "U1", "UTC", False, now))
        await events.first_arrival(conn, TEAM, "Ev1", now)
        day = date(2026, 11, 20)
        await deliveries.claim(conn, TEAM, "digest", "CSALES", day, now - timedelta(days=3))
        await deliveries.finish(
            conn, TEAM, "digest", "CSALES", day, status="sent", now=now - timedelta(days=3)
        )
        await deliveries.mark_reminded(conn, TEAM, [jane.id], now - timedelta(days=30))
    await db.close()
    _rewind_schema(path, PADDED_SINCE - 1)
    with sqlite3.connect(path) as raw:
        for table, columns in timestamp_columns(raw).items():
            for column in columns:
                raw.execute(
                    f"UPDATE {table} SET {column} = ltrim(substr({column}, 1, 4), '0')"
                    f" || substr({column}, 5) WHERE {column} < '1000'"
                )
        assert raw.execute("SELECT count(*) FROM interactions WHERE at LIKE '225-%'").fetchone()[0]
    raw.close()


def _rewind_schema(path: Path, version: int) -> None:
    """The same rows in a database built by the first ``version`` migrations only.

    Later migrations add tables and columns; copying the columns both schemas have
    keeps this helper true however many migrations follow.
    """
    current = path.with_suffix(".current")
    path.rename(current)
    with sqlite3.connect(path) as old:
        old.executescript("".join(migrations()[:version]) + f"PRAGMA user_version = {version};")
        old.execute("ATTACH DATABASE ? AS current", (str(current),))
        tables = [
            r[0] for r in old.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            kept = {r[1] for r in old.execute(f"PRAGMA main.table_info({table})")}
            shared = [
                r[1] for r in old.execute(f"PRAGMA current.table_info({table})") if r[1] in kept
            ]
            names = ", ".join(shared)
            old.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM current.{table}")
    old.close()
    current.unlink()

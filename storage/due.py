"""The due index: when each workspace next owes scheduled work, so a minute reads only those.

A worker takes the workspaces due now in one statement (``FOR UPDATE SKIP LOCKED``
on PostgreSQL, the one write lock on SQLite), which moves their ``due_at`` to the
end of a short lease: two workers never take the same workspace at once, and one
that dies loses it to another when the lease ends. When it is done it puts back
the next moment the workspace owes something. Anything that makes a workspace owe
something sooner (new settings, a hook's signal, a step's offer) calls ``sooner``
in its own transaction; a moment asked for while a worker has the workspace is kept
in ``soonest`` and wins over the worker's own answer.

Which messages go out, once, is still decided by ``storage.deliveries.claim``:
the index only spares the minute from looking at workspaces that owe nothing.
"""

from __future__ import annotations

from datetime import datetime

from storage.engine import Connection
from storage.times import from_db, to_db


async def sooner(conn: Connection, team_id: str, moment: datetime) -> None:
    """The workspace owes something at ``moment`` (or now): look at it then at the latest."""
    await conn.execute(
        "INSERT INTO workspace_due (team_id, due_at, soonest) VALUES (:team, :at, :at)"
        " ON CONFLICT (team_id) DO UPDATE SET"
        " due_at = CASE WHEN excluded.due_at < workspace_due.due_at"
        " THEN excluded.due_at ELSE workspace_due.due_at END,"
        " soonest = CASE WHEN workspace_due.soonest IS NULL"
        " OR excluded.due_at < workspace_due.soonest"
        " THEN excluded.due_at ELSE workspace_due.soonest END",
        {"team": team_id, "at": to_db(moment)},
    )


async def known(conn: Connection, team_id: str, now: datetime) -> None:
    """A workspace seen for the first time (its first lead) is looked at now; a known one
    keeps its moment, so adding leads costs the minute nothing."""
    await conn.execute(
        "INSERT INTO workspace_due (team_id, due_at) VALUES (?, ?)"
        " ON CONFLICT (team_id) DO NOTHING",
        (team_id, to_db(now)),
    )


async def take(conn: Connection, now: datetime, lease_until: datetime, limit: int) -> list[str]:
    """Up to ``limit`` workspaces due at ``now``, earliest first, each now this caller's until
    ``lease_until``; others calling at the same time get other workspaces or none."""
    rows = await conn.fetchall(
        "UPDATE workspace_due SET due_at = :lease, soonest = NULL"
        " WHERE team_id IN (SELECT team_id FROM workspace_due WHERE due_at <= :now"
        f" ORDER BY due_at LIMIT :limit{conn.dialect.skip_locked()})"
        " RETURNING team_id",
        {"now": to_db(now), "lease": to_db(lease_until), "limit": limit},
    )
    return sorted(row[0] for row in rows)


async def put_back(conn: Connection, team_id: str, next_at: datetime) -> None:
    """Done with the workspace: due again at ``next_at``, or sooner if asked meanwhile."""
    await conn.execute(
        "UPDATE workspace_due SET due_at = CASE WHEN soonest IS NOT NULL AND soonest < :next"
        " THEN soonest ELSE :next END, soonest = NULL WHERE team_id = :team",
        {"team": team_id, "next": to_db(next_at)},
    )


async def due_at(conn: Connection, team_id: str) -> datetime | None:
    """When the workspace is next looked at; ``None`` for one never seen."""
    row = await conn.fetchone("SELECT due_at FROM workspace_due WHERE team_id = ?", (team_id,))
    return from_db(row[0]) if row else None

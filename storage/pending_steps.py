"""Workflow steps that wait: every read and write of ``pending_steps``.

The "Offer a lead to a rep" step (``claim_lead``) ends when the rep clicks Claim
or when its time is up. Whichever comes first takes the row from ``waiting`` to
``ending`` in one statement that only one caller can win, in any process, on
either engine; the winner tells Slack and then marks it ``done``. A row left
``ending`` (Slack unreachable, a process died) is taken again after ``STALE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import due
from storage.engine import Connection, Row
from storage.times import from_db, required_from_db, to_db

STALE = timedelta(minutes=10)
"""An ending this old that never got to ``done`` is tried again."""

_COLUMNS = (
    "execution_id, team_id, lead_id, offered_to, due_at, status, claimed_by, channel, ts,"
    " created_at, ending_at,"
    " (SELECT l.number FROM leads l"
    "  WHERE l.id = pending_steps.lead_id AND l.team_id = pending_steps.team_id) AS lead_number"
)


@dataclass(frozen=True)
class PendingStep:
    execution_id: str
    team_id: str
    lead_id: int
    lead_number: int
    offered_to: str
    due_at: datetime
    status: str
    claimed_by: str
    """Who claimed it; ``''`` when it ended by its timeout."""
    channel: str
    ts: str
    """Where the offer was posted (``''`` until it was)."""
    created_at: datetime
    ending_at: datetime | None


def _step(row: Row) -> PendingStep:
    return PendingStep(
        execution_id=row["execution_id"],
        team_id=row["team_id"],
        lead_id=row["lead_id"],
        lead_number=row["lead_number"],
        offered_to=row["offered_to"],
        due_at=required_from_db(row["due_at"]),
        status=row["status"],
        claimed_by=row["claimed_by"],
        channel=row["channel"],
        ts=row["ts"],
        created_at=required_from_db(row["created_at"]),
        ending_at=from_db(row["ending_at"]),
    )


async def add(
    conn: Connection,
    *,
    team_id: str,
    execution_id: str,
    lead_id: int,
    offered_to: str,
    due_at: datetime,
    now: datetime,
) -> bool:
    """Start waiting; ``False`` when this execution waits already (Slack sent it twice)."""
    row = await conn.fetchone(
        "INSERT INTO pending_steps (execution_id, team_id, lead_id, offered_to, due_at, status,"
        " created_at) VALUES (?, ?, ?, ?, ?, 'waiting', ?)"
        " ON CONFLICT (execution_id) DO NOTHING RETURNING execution_id",
        (execution_id, team_id, lead_id, offered_to, to_db(due_at), to_db(now)),
    )
    await due.sooner(conn, team_id, due_at)  # its offer ends then, with nobody if unclaimed
    return row is not None


async def posted(conn: Connection, team_id: str, execution_id: str, channel: str, ts: str) -> None:
    """Where the offer went, so its ending can be shown on it."""
    await conn.execute(
        "UPDATE pending_steps SET channel = ?, ts = ? WHERE team_id = ? AND execution_id = ?",
        (channel, ts, team_id, execution_id),
    )


async def get(conn: Connection, team_id: str, execution_id: str) -> PendingStep | None:
    row = await conn.fetchone(
        f"SELECT {_COLUMNS} FROM pending_steps WHERE team_id = ? AND execution_id = ?",
        (team_id, execution_id),
    )
    return _step(row) if row else None


async def claim(
    conn: Connection, team_id: str, execution_id: str, user_id: str, now: datetime
) -> PendingStep | None:
    """``user_id`` claimed the lead offered to them: the step ends, if it still waits."""
    row = await conn.fetchone(
        "UPDATE pending_steps SET status = 'ending', claimed_by = ?, ending_at = ?"
        " WHERE team_id = ? AND execution_id = ? AND offered_to = ? AND status = 'waiting'"
        f" RETURNING {_COLUMNS}",
        (user_id, to_db(now), team_id, execution_id, user_id),
    )
    return _step(row) if row else None


async def take_due(conn: Connection, team_id: str, now: datetime) -> list[PendingStep]:
    """Steps whose time is up, and endings left stale: each taken by one caller only."""
    rows = await conn.fetchall(
        "UPDATE pending_steps SET status = 'ending', ending_at = :now"
        " WHERE team_id = :team AND ((status = 'waiting' AND due_at <= :now)"
        " OR (status = 'ending' AND ending_at < :stale))"
        f" RETURNING {_COLUMNS}",
        {"team": team_id, "now": to_db(now), "stale": to_db(now - STALE)},
    )
    return sorted((_step(row) for row in rows), key=lambda step: step.due_at)


async def done(conn: Connection, team_id: str, execution_id: str, now: datetime) -> None:
    """Slack has the ending (or said the step had ended already): nothing more to do."""
    await conn.execute(
        "UPDATE pending_steps SET status = 'done', done_at = ?"
        " WHERE team_id = ? AND execution_id = ? AND status = 'ending'",
        (to_db(now), team_id, execution_id),
    )


async def drop(conn: Connection, team_id: str, execution_id: str) -> None:
    """The offer could not be sent, so the step fails now: nothing waits."""
    await conn.execute(
        "DELETE FROM pending_steps WHERE team_id = ? AND execution_id = ? AND status = 'waiting'",
        (team_id, execution_id),
    )


async def next_end(conn: Connection, team_id: str) -> datetime | None:
    """When the first offer still waiting ends: what the due index needs to know of steps."""
    row = await conn.fetchone(
        "SELECT MIN(due_at) FROM pending_steps WHERE team_id = ? AND status = 'waiting'",
        (team_id,),
    )
    return from_db(row[0]) if row else None

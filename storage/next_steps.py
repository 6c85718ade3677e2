"""Each lead's next step: what, by which day (the owner's), and whether it is done."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.lead import Lead
from bot.domain.next_steps import NextStep
from storage.engine import Connection, Row
from storage.times import from_db, required_from_db, to_db


def _step(row: Row) -> NextStep:
    due = date.fromisoformat(row[2]) if row[2] else None
    return NextStep(row[0], row[1], due, row[3], required_from_db(row[4]), from_db(row[5]))


_COLUMNS = "s.lead_id, s.what, s.due_on, s.set_by, s.set_at, s.done_at"


async def set_step(
    conn: Connection, lead: Lead, what: str, due_on: date | None, by: str, now: datetime
) -> None:
    """The lead's next step, replacing any earlier one."""
    await conn.execute(
        "INSERT INTO next_steps (lead_id, what, due_on, set_by, set_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (lead_id) DO UPDATE SET what = excluded.what, due_on = excluded.due_on,"
        " set_by = excluded.set_by, set_at = excluded.set_at, done_at = NULL",
        (lead.id, what, due_on.isoformat() if due_on else None, by, to_db(now)),
    )


async def mark_done(conn: Connection, lead: Lead, now: datetime) -> NextStep | None:
    """Mark the open next step done; ``None`` when there was none."""
    row = await conn.fetchone(
        "UPDATE next_steps SET done_at = ? WHERE lead_id = ? AND done_at IS NULL"
        " RETURNING lead_id, what, due_on, set_by, set_at, done_at",
        (to_db(now), lead.id),
    )
    return _step(row) if row else None


async def open_steps(conn: Connection, team_id: str, lead_ids: list[int]) -> dict[int, NextStep]:
    """The open next step of each of these of the workspace's leads that has one."""
    if not lead_ids:
        return {}
    rows = await conn.fetchall(
        f"SELECT {_COLUMNS} FROM next_steps s JOIN leads l ON l.id = s.lead_id"
        f" WHERE l.team_id = ? AND s.done_at IS NULL"
        f" AND s.lead_id IN ({','.join('?' * len(lead_ids))})",
        (team_id, *lead_ids),
    )
    return {row[0]: _step(row) for row in rows}


async def owners_steps(conn: Connection, team_id: str, owner: str) -> list[NextStep]:
    """An owner's open next steps on open leads, soonest due first, undated last."""
    rows = await conn.fetchall(
        f"SELECT {_COLUMNS} FROM next_steps s JOIN leads l ON l.id = s.lead_id"
        " WHERE l.team_id = ? AND l.owner = ? AND l.status = 'open' AND s.done_at IS NULL"
        " ORDER BY s.due_on IS NULL, s.due_on, l.number",
        (team_id, owner),
    )
    return [_step(row) for row in rows]


async def team_due(conn: Connection, team_id: str, day: date) -> list[NextStep]:
    """Open next steps on a workspace's open leads due on or before ``day``, oldest first."""
    rows = await conn.fetchall(
        f"SELECT {_COLUMNS} FROM next_steps s JOIN leads l ON l.id = s.lead_id"
        " WHERE l.team_id = ? AND l.status = 'open' AND s.done_at IS NULL AND s.due_on <= ?"
        " ORDER BY s.due_on, l.number",
        (team_id, day.isoformat()),
    )
    return [_step(row) for row in rows]

"""Workspace settings, and the claims that make each digest and reminder go out once.

A runner claims a message (team, kind, recipient, local day) in a write
transaction before sending it, in one statement that only one runner can win
(in any process, on either engine); the others get nothing back and move on. A failed send gives the claim back
(status ``failed``) so the next run retries it; a permanent refusal is kept
(``refused``) so nobody retries it every minute.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.schedule import WorkspaceSettings
from storage import due
from storage.batches import chunks
from storage.engine import Connection, Row
from storage.times import from_db, required_from_db, to_db

STALE_CLAIM = timedelta(minutes=10)
"""A claim this old with no outcome belonged to a runner that died mid-send."""


async def get_settings(conn: Connection, team_id: str) -> WorkspaceSettings:
    row = await conn.fetchone(
        "SELECT channel_id, digest_time, tz, quiet_days, digest_days, respond_hours, reps, weekly,"
        " relay_minutes, hours, manager FROM workspace_settings"
        " WHERE team_id = ?",
        (team_id,),
    )
    if row is None:
        return WorkspaceSettings(team_id)
    return WorkspaceSettings(
        team_id,
        row[0],
        row[1],
        row[2],
        row[3],
        tuple(row[4].split(",")),
        row[5],
        tuple(rep for rep in row[6].split(",") if rep),
        row[7],
        row[8],
        row[9],
        row[10],
    )


async def save_settings(
    conn: Connection, settings: WorkspaceSettings, user_id: str, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO workspace_settings (team_id, channel_id, digest_time, tz, quiet_days,"
        " digest_days, respond_hours, reps, weekly, relay_minutes, hours, manager, updated_by,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (team_id) DO UPDATE SET channel_id = excluded.channel_id,"
        " digest_time = excluded.digest_time, tz = excluded.tz, quiet_days = excluded.quiet_days,"
        " digest_days = excluded.digest_days, respond_hours = excluded.respond_hours,"
        " reps = excluded.reps, weekly = excluded.weekly, relay_minutes = excluded.relay_minutes,"
        " hours = excluded.hours, manager = excluded.manager,"
        " updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at",
        (
            settings.team_id,
            settings.channel_id,
            settings.digest_time,
            settings.tz,
            settings.quiet_days,
            ",".join(settings.digest_days),
            settings.respond_hours,
            ",".join(settings.reps),
            settings.weekly,
            settings.relay_minutes,
            settings.hours,
            settings.manager,
            user_id,
            to_db(now),
        ),
    )
    await due.sooner(conn, settings.team_id, now)  # a new time or zone: worked out again now


async def next_rep(conn: Connection, team_id: str) -> str:
    """The rep whose turn it is in the round robin (``''`` without ``reps:``), turn taken.

    One statement advances the turn and reads it, so two hooks at once never share one.
    """
    row = await conn.fetchone(
        "UPDATE workspace_settings SET next_rep = next_rep + 1"
        " WHERE team_id = ? AND reps != '' RETURNING reps, next_rep",
        (team_id,),
    )
    if row is None:
        return ""
    reps: list[str] = row[0].split(",")
    turn: int = row[1]
    return reps[(turn - 1) % len(reps)]


async def workspaces(conn: Connection) -> list[str]:
    """Every workspace that has leads or settings: the ones a run may owe messages."""
    rows = await conn.fetchall(
        "SELECT team_id FROM workspace_settings UNION SELECT DISTINCT team_id FROM leads"
        " ORDER BY team_id"
    )
    return [row[0] for row in rows]


@dataclass(frozen=True)
class Delivery:
    team_id: str
    kind: str
    recipient: str
    local_date: date
    status: str
    attempts: int
    claimed_at: datetime
    sent_at: datetime | None
    error: str | None
    channel: str | None
    ts: str | None
    detail: dict[str, Any]


def _delivery(row: Row) -> Delivery:
    return Delivery(
        team_id=row["team_id"],
        kind=row["kind"],
        recipient=row["recipient"],
        local_date=date.fromisoformat(row["local_date"]),
        status=row["status"],
        attempts=row["attempts"],
        claimed_at=required_from_db(row["claimed_at"]),
        sent_at=from_db(row["sent_at"]),
        error=row["error"],
        channel=row["channel"],
        ts=row["ts"],
        detail=json.loads(row["detail"]),
    )


async def settled(conn: Connection, team_id: str, kind: str, recipient: str, day: date) -> bool:
    """Sent or refused for good: a run need not even work out what it would say.

    A shortcut only; ``claim`` still decides who sends.
    """
    row = await conn.fetchone(
        "SELECT 1 FROM deliveries WHERE team_id = ? AND kind = ? AND recipient = ?"
        " AND local_date = ? AND status IN ('sent', 'refused')",
        (team_id, kind, recipient, day.isoformat()),
    )
    return row is not None


async def claim(
    conn: Connection, team_id: str, kind: str, recipient: str, day: date, now: datetime
) -> bool:
    """Take the right to send this message; False when it is sent, refused or being sent."""
    won = await conn.fetchone(
        "INSERT INTO deliveries (team_id, kind, recipient, local_date, status, attempts,"
        " claimed_at) VALUES (:team, :kind, :recipient, :day, 'claimed', 1, :now)"
        " ON CONFLICT (team_id, kind, recipient, local_date) DO UPDATE SET status = 'claimed',"
        " attempts = deliveries.attempts + 1, claimed_at = excluded.claimed_at"
        " WHERE deliveries.status = 'failed'"
        " OR (deliveries.status = 'claimed' AND deliveries.claimed_at < :stale)"
        " RETURNING attempts",
        {
            "team": team_id,
            "kind": kind,
            "recipient": recipient,
            "day": day.isoformat(),
            "now": to_db(now),
            "stale": to_db(now - STALE_CLAIM),
        },
    )
    return won is not None


async def finish(
    conn: Connection,
    team_id: str,
    kind: str,
    recipient: str,
    day: date,
    *,
    status: str,
    now: datetime,
    error: str | None = None,
    channel: str | None = None,
    ts: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record how the claimed send ended: ``sent``, ``failed`` (retry) or ``refused`` (don't)."""
    await conn.execute(
        "UPDATE deliveries SET status = ?, sent_at = ?, error = ?, channel = ?, ts = ?,"
        " detail = ? WHERE team_id = ? AND kind = ? AND recipient = ? AND local_date = ?",
        (
            status,
            to_db(now) if status == "sent" else None,
            error,
            channel,
            ts,
            json.dumps(detail or {}),
            team_id,
            kind,
            recipient,
            day.isoformat(),
        ),
    )


async def latest(
    conn: Connection, team_id: str, kind: str, recipient: str | None = None
) -> Delivery | None:
    """The most recent delivery of a kind (for the recipient, when given)."""
    where = "team_id = ? AND kind = ?"
    params: list[object] = [team_id, kind]
    if recipient is not None:
        where += " AND recipient = ?"
        params.append(recipient)
    row = await conn.fetchone(
        f"SELECT * FROM deliveries WHERE {where} ORDER BY local_date DESC, claimed_at DESC LIMIT 1",
        params,
    )
    return _delivery(row) if row else None


async def last_sent_digest(conn: Connection, team_id: str) -> Delivery | None:
    row = await conn.fetchone(
        "SELECT * FROM deliveries WHERE team_id = ? AND kind = 'digest' AND status = 'sent'"
        " ORDER BY local_date DESC LIMIT 1",
        (team_id,),
    )
    return _delivery(row) if row else None


async def last_reminded(conn: Connection, team_id: str, lead_ids: list[int]) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for chunk in chunks(lead_ids):
        for row in await conn.fetchall(
            "SELECT r.lead_id, r.reminded_at FROM lead_reminders r JOIN leads l ON l.id = r.lead_id"
            f" WHERE l.team_id = ? AND r.lead_id IN ({','.join('?' * len(chunk))})",
            (team_id, *chunk),
        ):
            found[row[0]] = required_from_db(row[1])
    return found


async def mark_reminded(conn: Connection, team_id: str, lead_ids: list[int], now: datetime) -> None:
    await conn.executemany(
        "INSERT INTO lead_reminders (lead_id, reminded_at)"
        " SELECT l.id, ? FROM leads l WHERE l.team_id = ? AND l.id = ?"
        " ON CONFLICT (lead_id) DO UPDATE SET reminded_at = excluded.reminded_at",
        [(to_db(now), team_id, lead_id) for lead_id in lead_ids],
    )

"""Inbound hooks and the deliveries they stored: every read and write of their tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.hooks import Hook
from storage import due
from storage.engine import Connection, Row
from storage.times import from_db, required_from_db, to_db

MAX_ERROR = 300
"""Characters of the last refusal kept for ``hooks list``."""

_COLUMNS = (
    "id, team_id, type, kind, owner, created_by, created_at, secret_hash, signing_key,"
    " revoked_at, last_used_at, received, last_error"
)


def _hook(row: Row) -> Hook:
    return Hook(
        id=row["id"],
        team_id=row["team_id"],
        type=row["type"],
        kind=row["kind"],
        owner=row["owner"],
        created_by=row["created_by"],
        created_at=required_from_db(row["created_at"]),
        secret_hash=row["secret_hash"],
        signing_key=row["signing_key"],
        revoked_at=from_db(row["revoked_at"]),
        last_used_at=from_db(row["last_used_at"]),
        received=row["received"],
        last_error=row["last_error"],
    )


async def create(conn: Connection, hook: Hook) -> None:
    await conn.execute(
        "INSERT INTO hooks (id, team_id, type, kind, owner, created_by, created_at,"
        " secret_hash, signing_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            hook.id,
            hook.team_id,
            hook.type,
            hook.kind,
            hook.owner,
            hook.created_by,
            to_db(hook.created_at),
            hook.secret_hash,
            hook.signing_key,
        ),
    )


async def addressed(conn: Connection, hook_id: str) -> Hook | None:
    """The hook a request's URL names: the one read by id alone, before its secret is checked.

    Its ``team_id`` is the workspace everything the request stores goes to.
    """
    row = await conn.fetchone(f"SELECT {_COLUMNS} FROM hooks WHERE id = ?", (hook_id,))
    return _hook(row) if row else None


async def get(conn: Connection, team_id: str, hook_id: str) -> Hook | None:
    row = await conn.fetchone(
        f"SELECT {_COLUMNS} FROM hooks WHERE team_id = ? AND id = ?", (team_id, hook_id)
    )
    return _hook(row) if row else None


async def of_team(conn: Connection, team_id: str | None) -> list[Hook]:
    """A workspace's hooks (every workspace's without ``team_id``), oldest first."""
    where, params = ("WHERE team_id = ?", (team_id,)) if team_id else ("", ())
    rows = await conn.fetchall(
        f"SELECT {_COLUMNS} FROM hooks {where} ORDER BY team_id, created_at, id", params
    )
    return [_hook(row) for row in rows]


async def revoke(conn: Connection, team_id: str, hook_id: str, now: datetime) -> bool:
    """Revoke a live hook of the workspace; ``False`` when it has none by that id (or it was)."""
    changed = await conn.execute(
        "UPDATE hooks SET revoked_at = ? WHERE team_id = ? AND id = ? AND revoked_at IS NULL",
        (to_db(now), team_id, hook_id),
    )
    return changed == 1


async def used(conn: Connection, hook: Hook, now: datetime) -> None:
    await conn.execute(
        "UPDATE hooks SET received = received + 1, last_used_at = ? WHERE team_id = ? AND id = ?",
        (to_db(now), hook.team_id, hook.id),
    )


async def refused(conn: Connection, hook: Hook, error: str, now: datetime) -> None:
    """Remember why the last delivery was refused, for whoever set the sender up."""
    await conn.execute(
        "UPDATE hooks SET last_error = ?, last_error_at = ? WHERE team_id = ? AND id = ?",
        (error[:MAX_ERROR], to_db(now), hook.team_id, hook.id),
    )


async def delivered(conn: Connection, hook: Hook, key: str) -> int | None:
    """The lead a delivery with this idempotency key already went to, if it came before."""
    row = await conn.fetchone(
        "SELECT d.lead_id FROM hook_deliveries d JOIN hooks h ON h.id = d.hook_id"
        " WHERE h.team_id = ? AND d.hook_id = ? AND d.key = ?",
        (hook.team_id, hook.id, key),
    )
    return row[0] if row else None


async def remember(conn: Connection, hook: Hook, key: str, lead_id: int, now: datetime) -> None:
    """Keep the key; the primary key makes a second delivery with it fail, never store twice."""
    await conn.execute(
        "INSERT INTO hook_deliveries (hook_id, key, lead_id, received_at) VALUES (?, ?, ?, ?)",
        (hook.id, key, lead_id, to_db(now)),
    )


@dataclass(frozen=True)
class HookSignal:
    """A signal from a hook that deserves an alert: its row id names its deliveries."""

    id: int
    team_id: str
    lead_id: int
    hook_id: str
    kind: str
    note: str
    at: datetime
    arrived_at: datetime
    burst_of: int | None = None
    """The first signal of the burst this one joined: its alert is updated, not sent anew."""


_SIGNAL_COLUMNS = "id, team_id, lead_id, hook_id, kind, note, at, arrived_at, burst_of"


def _signal(row: Row) -> HookSignal:
    return HookSignal(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        required_from_db(row[6]),
        required_from_db(row[7]),
        row[8],
    )


async def add_signal(
    conn: Connection,
    *,
    team_id: str,
    lead_id: int,
    hook_id: str,
    kind: str,
    note: str,
    at: datetime,
    arrived_at: datetime,
    burst_of: int | None = None,
) -> HookSignal:
    row = await conn.fetchone(
        "INSERT INTO hook_signals (team_id, lead_id, hook_id, kind, note, at, arrived_at,"
        " burst_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (team_id, lead_id, hook_id, kind, note, to_db(at), to_db(arrived_at), burst_of),
    )
    assert row is not None
    await due.sooner(conn, team_id, arrived_at)  # its alert's backstop, and its follow-up's time
    return HookSignal(row[0], team_id, lead_id, hook_id, kind, note, at, arrived_at, burst_of)


async def get_signal(conn: Connection, team_id: str, signal_id: int) -> HookSignal | None:
    row = await conn.fetchone(
        f"SELECT {_SIGNAL_COLUMNS} FROM hook_signals WHERE team_id = ? AND id = ?",
        (team_id, signal_id),
    )
    return _signal(row) if row else None


async def burst_started(
    conn: Connection, team_id: str, lead_id: int, since: datetime
) -> HookSignal | None:
    """The lead's signal that started a burst since ``since``, which a new one joins."""
    row = await conn.fetchone(
        f"SELECT {_SIGNAL_COLUMNS} FROM hook_signals WHERE team_id = ? AND lead_id = ?"
        " AND burst_of IS NULL AND arrived_at >= ? ORDER BY arrived_at DESC, id DESC LIMIT 1",
        (team_id, lead_id, to_db(since)),
    )
    return _signal(row) if row else None


async def burst(conn: Connection, team_id: str, first_id: int) -> list[HookSignal]:
    """The signals that joined the burst ``first_id`` started, in the order they came."""
    rows = await conn.fetchall(
        f"SELECT {_SIGNAL_COLUMNS} FROM hook_signals WHERE team_id = ? AND burst_of = ?"
        " ORDER BY arrived_at, id",
        (team_id, first_id),
    )
    return [_signal(row) for row in rows]


async def unsent_signals(
    conn: Connection,
    team_id: str,
    delivery: str,
    *,
    arrived_after: datetime,
    arrived_by: datetime,
) -> list[HookSignal]:
    """Signals that arrived in the window whose ``delivery`` (alert, follow_up) is not done.

    Done is sent or refused for good; a failed or stale claim is left for the claim to judge.
    """
    rows = await conn.fetchall(
        f"SELECT {_SIGNAL_COLUMNS} FROM hook_signals s"
        " WHERE team_id = ? AND arrived_at > ? AND arrived_at <= ? AND NOT EXISTS ("
        "SELECT 1 FROM deliveries d WHERE d.team_id = s.team_id AND d.kind = ?"
        " AND d.recipient = CAST(s.id AS TEXT) AND d.status IN ('sent', 'refused'))"
        " ORDER BY arrived_at, id",
        (team_id, to_db(arrived_after), to_db(arrived_by), delivery),
    )
    return [_signal(row) for row in rows]


async def first_undone(
    conn: Connection, team_id: str, delivery: str, *, arrived_after: datetime
) -> datetime | None:
    """When the earliest signal after ``arrived_after`` whose ``delivery`` is not done arrived:
    what the due index needs to know of follow-ups still to come."""
    row = await conn.fetchone(
        "SELECT MIN(arrived_at) FROM hook_signals s WHERE team_id = ? AND arrived_at > ?"
        " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.team_id = s.team_id AND d.kind = ?"
        " AND d.recipient = CAST(s.id AS TEXT) AND d.status IN ('sent', 'refused'))",
        (team_id, to_db(arrived_after), delivery),
    )
    return from_db(row[0]) if row else None

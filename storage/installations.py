"""Installed workspaces: their sealed tokens, the one refresh path, and forgetting a workspace.

Tokens are sealed with ``storage.sealing`` on the way in and opened on the way
out; no other module sees a sealed value. SQL here is what SQLite and
PostgreSQL both accept (``ON CONFLICT ... DO UPDATE``, ``DELETE ... RETURNING``).
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.installation import Installation, InstalledWorkspace
from storage import due
from storage.engine import Connection, Row
from storage.sealing import Sealer
from storage.times import from_db, required_from_db, to_db

_COLUMNS = (
    "enterprise_id, team_id, team_name, app_id, bot_token, refresh_token, token_expires_at,"
    " scopes, bot_user_id, bot_id, installer, installed_at, active, inactive_reason"
)


def _installation(row: Row, sealer: Sealer) -> Installation:
    return Installation(
        enterprise_id=row["enterprise_id"],
        team_id=row["team_id"],
        team_name=row["team_name"],
        app_id=row["app_id"],
        bot_token=sealer.open(row["bot_token"]),
        refresh_token=sealer.open(row["refresh_token"]),
        token_expires_at=from_db(row["token_expires_at"]),
        scopes=tuple(s for s in row["scopes"].split(",") if s),
        bot_user_id=row["bot_user_id"],
        bot_id=row["bot_id"],
        installer=row["installer"],
        installed_at=required_from_db(row["installed_at"]),
        active=bool(row["active"]),
        inactive_reason=row["inactive_reason"],
    )


async def save(conn: Connection, installation: Installation, sealer: Sealer) -> None:
    """Store a new install, or a reinstall over the old row (which makes it active again)."""
    i = installation
    await conn.execute(
        f"INSERT INTO installations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (enterprise_id, team_id) DO UPDATE SET team_name = excluded.team_name,"
        " app_id = excluded.app_id, bot_token = excluded.bot_token,"
        " refresh_token = excluded.refresh_token, token_expires_at = excluded.token_expires_at,"
        " scopes = excluded.scopes, bot_user_id = excluded.bot_user_id, bot_id = excluded.bot_id,"
        " installer = excluded.installer, installed_at = excluded.installed_at,"
        " active = excluded.active, inactive_reason = excluded.inactive_reason",
        (
            i.enterprise_id,
            i.team_id,
            i.team_name,
            i.app_id,
            sealer.seal(i.bot_token),
            sealer.seal(i.refresh_token),
            to_db(i.token_expires_at) if i.token_expires_at else None,
            ",".join(i.scopes),
            i.bot_user_id,
            i.bot_id,
            i.installer,
            to_db(i.installed_at),
            int(i.active),
            i.inactive_reason,
        ),
    )
    await due.sooner(conn, i.team_id, i.installed_at)  # a reinstall: what it missed goes out


async def find(
    conn: Connection, team_id: str, sealer: Sealer, enterprise_id: str | None = None
) -> Installation | None:
    """The workspace's installation; without an enterprise id, the latest one for the team."""
    query = f"SELECT {_COLUMNS} FROM installations WHERE team_id = ?"
    params: tuple[str, ...] = (team_id,)
    if enterprise_id is not None:
        query, params = query + " AND enterprise_id = ?", (team_id, enterprise_id)
    row = await conn.fetchone(query + " ORDER BY installed_at DESC LIMIT 1", params)
    return _installation(row, sealer) if row else None


async def hold_refresh_lock(conn: Connection, team_id: str) -> None:
    """Make this transaction the only one renewing ``team_id``'s token until it ends.

    On SQLite the transaction already holds the database's write lock, which no
    other connection or process can take meanwhile; on PostgreSQL an advisory
    lock per workspace, released with the transaction.
    """
    lock = conn.dialect.lock_until_commit()
    if lock is not None:
        await conn.execute(lock, (f"hotleads refresh {team_id}",))


async def renewed(
    conn: Connection,
    team_id: str,
    *,
    old_refresh_token: str,
    bot_token: str,
    refresh_token: str | None,
    expires_at: datetime,
    sealer: Sealer,
) -> None:
    """Store a refreshed token pair; the caller holds ``hold_refresh_lock``."""
    await conn.execute(
        "UPDATE installations SET bot_token = ?, refresh_token = ?, token_expires_at = ?"
        " WHERE team_id = ?",
        (
            sealer.seal(bot_token),
            sealer.seal(refresh_token or old_refresh_token),
            to_db(expires_at),
            team_id,
        ),
    )


async def deactivate(conn: Connection, team_id: str, reason: str) -> bool:
    """Stop using a workspace whose token Slack refuses for good; True if it was active."""
    changed = await conn.execute(
        "UPDATE installations SET active = 0, inactive_reason = ? WHERE team_id = ? AND active = 1",
        (reason, team_id),
    )
    return changed > 0


async def revoke_bot(conn: Connection, team_id: str, enterprise_id: str = "") -> None:
    """``tokens_revoked``: drop the bot's tokens, keep the workspace's data (it may reinstall)."""
    await conn.execute(
        "UPDATE installations SET bot_token = NULL, refresh_token = NULL,"
        " token_expires_at = NULL, active = 0, inactive_reason = 'tokens revoked'"
        " WHERE team_id = ? AND enterprise_id = ?",
        (team_id, enterprise_id),
    )


async def revoke_token(
    conn: Connection, fingerprint: str, team_id: str, reason: str, now: datetime
) -> bool:
    """Single-workspace mode: Slack took the one token back; True the first time it is told."""
    stored = await conn.execute(
        "INSERT INTO revoked_tokens (fingerprint, team_id, reason, revoked_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (fingerprint, team_id, reason, to_db(now)),
    )
    return stored == 1


async def token_revoked(conn: Connection, fingerprint: str) -> bool:
    row = await conn.fetchone("SELECT 1 FROM revoked_tokens WHERE fingerprint = ?", (fingerprint,))
    return row is not None


async def active_teams(conn: Connection) -> list[str]:
    rows = await conn.fetchall(
        "SELECT DISTINCT team_id FROM installations WHERE active = 1 AND bot_token IS NOT NULL"
        " ORDER BY team_id"
    )
    return [row[0] for row in rows]


async def listing(conn: Connection) -> list[InstalledWorkspace]:
    """Every installed workspace with its lead count, for ``python -m bot workspaces``."""
    rows = await conn.fetchall(
        "SELECT i.team_id, i.team_name, i.installed_at, i.active, i.inactive_reason,"
        " (SELECT count(*) FROM leads WHERE leads.team_id = i.team_id) AS leads"
        " FROM installations AS i ORDER BY i.installed_at, i.team_id"
    )
    return [
        InstalledWorkspace(
            team_id=row["team_id"],
            team_name=row["team_name"],
            installed_at=required_from_db(row["installed_at"]),
            active=bool(row["active"]),
            inactive_reason=row["inactive_reason"],
            leads=row["leads"],
        )
        for row in rows
    ]


async def reseal(conn: Connection, sealer: Sealer) -> int:
    """Seal every stored token again with the newest key; returns how many rows."""
    rows = await conn.fetchall(
        "SELECT enterprise_id, team_id, bot_token, refresh_token FROM installations"
    )
    for row in rows:
        await conn.execute(
            "UPDATE installations SET bot_token = ?, refresh_token = ?"
            " WHERE enterprise_id = ? AND team_id = ?",
            (
                sealer.reseal(row["bot_token"]),
                sealer.reseal(row["refresh_token"]),
                row["enterprise_id"],
                row["team_id"],
            ),
        )
    return len(rows)


WORKSPACE_TABLES = (
    "leads",
    "slack_users",
    "workspace_settings",
    "deliveries",
    "seen_events",
    "hooks",
    "hook_signals",
    "pending_steps",
    "installations",
    "lead_numbers",
    "revoked_tokens",
    "snapshots",
    "workspace_due",
    "relays",
    "notifications",
)
"""Every table with a ``team_id``; the rest (touches, signals, reminders, hook deliveries)
hang off leads and hooks and go with them (``ON DELETE CASCADE``). A test checks
this list against the schema, so a new table can't be forgotten here."""


async def forget_workspace(conn: Connection, team_id: str) -> int:
    """``app_uninstalled``: delete every row of the workspace; returns how many top-level rows.

    Run inside one transaction, so an uninstall is all or nothing; a second run
    finds nothing and deletes nothing.
    """
    deleted = 0
    for table in WORKSPACE_TABLES:
        changed = await conn.execute(f"DELETE FROM {table} WHERE team_id = ?", (team_id,))
        deleted += changed
    return deleted

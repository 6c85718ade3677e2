"""``python -m bot workspaces`` and ``keygen``: the installed workspaces, and the key sealing their tokens."""

from __future__ import annotations

from bot.config import ConfigError, Settings
from storage import installations
from storage.db import Database
from storage.sealing import Sealer, new_key
from storage.times import to_db


def keygen() -> int:
    """Print a new Fernet key for ``HOTLEADS_ENCRYPTION_KEY``."""
    print(new_key())
    return 0


async def list_workspaces(settings: Settings, *, reseal: bool = False) -> int:
    """One line per installed workspace: team id, name, installed at, active, lead count."""
    db = await Database.open(settings.database)
    try:
        if reseal:
            if not settings.encryption_keys:
                raise ConfigError("--reseal needs HOTLEADS_ENCRYPTION_KEY, newest key first.")
            async with db.transaction() as conn:
                count = await installations.reseal(conn, Sealer(settings.encryption_keys))
            print(f"{count} workspace(s) resealed with the newest key")
        rows = await installations.listing(db.reader)
    finally:
        await db.close()
    if not rows:
        print("No workspace has installed hotleads yet: share https://<host>/slack/install.")
        return 0
    print("team\tname\tinstalled at\tactive\tleads")
    for row in rows:
        active = "yes" if row.active else f"no ({row.inactive_reason})"
        print(f"{row.team_id}\t{row.team_name}\t{to_db(row.installed_at)}\t{active}\t{row.leads}")
    return 0

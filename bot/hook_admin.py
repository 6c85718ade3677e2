"""The operator's hook commands: ``hooks new``, ``hooks list``, ``hooks revoke``, on the database.

The secret is printed once, when the hook is made; only its hash (and, for
signatures, the key) is kept, and nothing prints it again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.config import ConfigError, Settings
from bot.domain.hooks import Hook, new_hook
from bot.domain.slack_user import USER_ID_EXAMPLE, is_user_id
from storage import hooks, workspaces
from storage.db import Database

CREATED_BY = "cli"
WHERE_THE_SECRET_GOES = {
    "generic": "send it as `Authorization: Bearer <secret>`, or sign with it (Standard Webhooks)",
    "typeform": "paste it into the Secret of the form's webhook (Connect → Webhooks)",
    "calendly": "pass it as signing_key when you create the webhook subscription",
}


def _unknown_team(team: str, known: list[str]) -> str:
    if not known:
        return (
            f"no workspace {team} in this database, nor any other yet: use /lead in Slack "
            "once first, or make the hook there with `/lead hooks new`."
        )
    return f"no workspace {team} in this database; it knows {', '.join(known)}."


def hook_path(hook_id: str) -> str:
    return f"/hooks/{hook_id}"


def hook_url(settings: Settings, hook_id: str) -> str | None:
    return settings.public_url + hook_path(hook_id) if settings.public_url else None


async def new(
    settings: Settings, *, team: str, type: str, kind: str, owner: str | None, as_json: bool
) -> int:
    """Make a hook for a workspace this database knows; ``kind`` is already a known kind."""
    if owner and not is_user_id(owner):
        raise ConfigError(f"--owner must be a Slack user id like {USER_ID_EXAMPLE}, not {owner!r}.")
    db = await Database.open(settings.database)
    try:
        known = await workspaces.known(db.reader)
        if team not in known:
            raise ConfigError(_unknown_team(team, known))
        made = new_hook(
            team_id=team,
            type=type,
            kind=kind,
            owner=owner or "",
            created_by=CREATED_BY,
            now=datetime.now(UTC),
        )
        async with db.transaction() as conn:
            await hooks.create(conn, made.hook)
    finally:
        await db.close()
    url = hook_url(settings, made.hook.id)
    if as_json:
        print(json.dumps({"id": made.hook.id, "url": url, "secret": made.secret}))
        return 0
    print(f"New {type} hook for {team}: kind {kind}, owner {owner or 'nobody'}")
    if url:
        print(f"URL:    {url}")
    else:
        print(
            f"Path:   {hook_path(made.hook.id)}  (put this server's public address in front,"
            " or set PUBLIC_URL)"
        )
    print(f"Secret: {made.secret}")
    print(f"Shown this once: {WHERE_THE_SECRET_GOES[type]}.")
    return 0


async def list_hooks(settings: Settings, *, team: str | None) -> int:
    db = await Database.open(settings.database)
    try:
        found = await hooks.of_team(db.reader, team)
    finally:
        await db.close()
    if not found:
        print("no hooks yet: `python -m bot hooks new --team T…` makes one")
    for hook in found:
        print(_line(hook))
    return 0


def _line(hook: Hook) -> str:
    state = f"revoked {_when(hook.revoked_at)}" if hook.revoked_at else "live"
    parts = [
        hook.id,
        hook.team_id,
        hook.type,
        f"kind {hook.kind}",
        f"owner {hook.owner or 'nobody'}",
        f"by {hook.created_by} {_when(hook.created_at)}",
        f"last used {_when(hook.last_used_at)}",
        f"{hook.received} received",
        state,
    ]
    if hook.last_error:
        parts.append(f"last error: {hook.last_error}")
    return "  ".join(parts)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


async def revoke(settings: Settings, hook_id: str) -> int:
    db = await Database.open(settings.database)
    try:
        async with db.transaction() as conn:
            hook = await hooks.addressed(conn, hook_id)
            done = hook is not None and await hooks.revoke(
                conn, hook.team_id, hook_id, datetime.now(UTC)
            )
    finally:
        await db.close()
    if not done:
        raise ConfigError(
            f"There is no live hook {hook_id}; `python -m bot hooks list` shows them."
        )
    print(f"revoked {hook_id}: its URL answers 404 from now on")
    return 0

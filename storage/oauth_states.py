"""OAuth states in flight: issued for ``/slack/install``, consumed once by the redirect.

A state lives in the database, not in one process's memory, so the redirect
may land on any server behind a load balancer. Consuming is one
``DELETE ... RETURNING``: of two redirects with the same state only one gets
the row back, and an expired state is deleted and refused alike.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from storage.engine import Connection
from storage.times import required_from_db, to_db

LIFETIME = timedelta(minutes=10)


async def issue(conn: Connection, now: datetime) -> str:
    """A new state valid for ten minutes; expired ones are cleared on the way."""
    await conn.execute("DELETE FROM oauth_states WHERE expires_at <= ?", (to_db(now),))
    state = secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO oauth_states (state, expires_at) VALUES (?, ?)",
        (state, to_db(now + LIFETIME)),
    )
    return state


STATE = re.compile(r"[A-Za-z0-9_-]{43}")
"""What ``issue`` makes (``token_urlsafe(32)``): anything else was never ours."""


async def consume(conn: Connection, state: str, now: datetime) -> bool:
    """True once for a state issued here and not yet expired; False ever after."""
    if STATE.fullmatch(state) is None:  # junk (a NUL, 10 kB) never reaches the query
        return False
    row = await conn.fetchone(
        "DELETE FROM oauth_states WHERE state = ? RETURNING expires_at", (state,)
    )
    return row is not None and required_from_db(row[0]) > now

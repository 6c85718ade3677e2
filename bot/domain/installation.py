"""A workspace that installed hotleads through Slack's OAuth, and when its token needs renewing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

REFRESH_BEFORE = timedelta(minutes=10)
"""A rotating token is renewed this long before it expires (Slack's last 12 hours)."""


@dataclass(frozen=True)
class Installation:
    team_id: str
    installed_at: datetime
    enterprise_id: str = ""
    team_name: str = ""
    app_id: str = ""
    bot_token: str | None = None
    refresh_token: str | None = None
    token_expires_at: datetime | None = None
    """None when token rotation is off: the token lasts until revoked."""
    scopes: tuple[str, ...] = ()
    bot_user_id: str = ""
    bot_id: str = ""
    installer: str = ""
    active: bool = True
    inactive_reason: str = ""

    @property
    def usable(self) -> bool:
        return self.active and self.bot_token is not None

    def needs_refresh(self, now: datetime) -> bool:
        """A rotating token this close to its end is renewed before anyone uses it."""
        return (
            self.refresh_token is not None
            and self.token_expires_at is not None
            and self.token_expires_at - REFRESH_BEFORE <= now
        )


@dataclass(frozen=True)
class InstalledWorkspace:
    """One line of ``python -m bot workspaces``."""

    team_id: str
    team_name: str
    installed_at: datetime
    active: bool
    inactive_reason: str
    leads: int

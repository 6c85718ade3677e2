"""What we know of a Slack user: their time zone and whether they administer the workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SlackUser:
    team_id: str
    user_id: str
    tz: str | None
    is_admin: bool
    fetched_at: datetime

"""What we know of a Slack user: their id's shape, their time zone and whether they administer the workspace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

USER_ID_PATTERN = r"[UW][A-Z0-9]{1,20}"
"""A Slack user id (``U…``, or ``W…`` on Enterprise Grid): the one shape every door accepts."""
USER_ID = re.compile(USER_ID_PATTERN)
USER_ID_EXAMPLE = "U0123ABCD"


def is_user_id(text: object) -> bool:
    """Shaped like a Slack user id: the only thing ever put in a mention or stored as an owner."""
    return isinstance(text, str) and USER_ID.fullmatch(text) is not None


@dataclass(frozen=True)
class SlackUser:
    team_id: str
    user_id: str
    tz: str | None
    is_admin: bool
    fetched_at: datetime
    locale: str | None = None
    """Slack's locale (``en-US``, ``de-DE``): how the rep writes numeric dates."""

"""What every listener needs at hand: settings, the database and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import aiohttp

from bot.domain.clock import Clock
from handlers.coalesce import Coalescer
from storage.db import Database


class ListenerSettings(Protocol):
    """What listeners read of the process settings (``bot.config.Settings`` has it)."""

    @property
    def admins(self) -> frozenset[str]: ...

    @property
    def public_url(self) -> str | None:
        """Where the server is reachable from outside, for hook URLs."""
        ...


@dataclass(frozen=True)
class Services:
    settings: ListenerSettings
    db: Database
    clock: Clock
    redraws: Coalescer = field(default_factory=Coalescer)
    """Home tab redraws in flight, one per rep at a time."""
    http: aiohttp.ClientSession | None = None
    """The process's one HTTP session for the Web API, whatever the token: its connections
    to Slack are kept and reused. ``None``: each call opens its own (commands, tests)."""

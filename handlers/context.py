"""What every listener needs at hand: settings, the database and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Settings
from bot.domain.clock import Clock
from handlers.coalesce import Coalescer
from storage.db import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock
    redraws: Coalescer = field(default_factory=Coalescer)
    """Home tab redraws in flight, one per rep at a time."""

"""What every listener needs at hand: settings, the database and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.coalesce import Coalescer
from bot.config import Settings
from storage.db import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock
    redraws: Coalescer = field(default_factory=Coalescer)
    """Home tab redraws in flight, one per rep at a time."""

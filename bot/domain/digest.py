"""What the morning digest says: the hot leads, what changed, what is cooling."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.answers import Speed
from bot.domain.lead import Lead
from bot.domain.next_steps import NextStep
from bot.domain.ranking import Ranked, Scored

COOLING_WINDOW = timedelta(days=2)
"""A hot lead that drops to warm within this long is "cooling soon"."""
WARMEST_SHOWN = 5
"""With no hot leads, the digest points at this many of the warmest instead."""


@dataclass(frozen=True)
class Digest:
    """Each part holds the first few leads and how many there are in all."""

    counts: Counter[str]
    hot: Ranked
    hot_ids: list[int]
    """Every hot lead, so the next digest can say what is new and what cooled off."""
    newly_hot: Ranked
    cooled: Ranked
    cooling_soon: Ranked
    """Soonest to cool first."""
    warmest: list[Scored]
    waiting: list[tuple[Lead, datetime]] = field(default_factory=list)
    """Leads whose buying signal has had no answer, since when, longest wait first."""
    steps_due: list[tuple[Lead, NextStep]] = field(default_factory=list)
    """Next steps due today or overdue, oldest first."""
    yesterday: Speed | None = None
    """Speed to lead on yesterday's buying signals, if there were any."""

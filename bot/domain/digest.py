"""What the morning digest says: the hot leads, what changed, what is cooling."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

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

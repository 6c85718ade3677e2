"""The hottest few leads right now, without scoring every candidate.

Storage hands over candidates in order of their stored score, then number. A
stored score can only have fallen since it was stored, so it bounds the score
now from above: once the n-th best score now beats the next candidate's stored
score, no later candidate can get in, and the rest are never read.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime

from bot.domain.lead import Lead
from bot.domain.temperature import Temperature


@dataclass(frozen=True)
class Scored:
    lead: Lead
    temperature: Temperature


@dataclass(frozen=True)
class Ranked:
    """The first few leads of a longer list, and how many the list has in all."""

    shown: list[Scored]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


def hottest_first(scored: Scored) -> tuple[int, int]:
    return -scored.temperature.score, scored.lead.number


class Top:
    """Keeps the ``n`` hottest of the leads offered, in ``band`` if one is given."""

    def __init__(self, n: int, now: datetime, band: str | None = None):
        self.n, self.now, self.band = n, now, band
        self._kept: list[tuple[int, int, Scored]] = []  # a heap: the weakest kept on top

    def full_above(self, stored_score: int, number: int) -> bool:
        """Whether no candidate from this one on can still get in.

        Candidates come by stored score, highest first, then by number: one
        whose stored score ties the n-th best can only beat it with a lower number.
        """
        if len(self._kept) < self.n:
            return False
        return not self._kept or (stored_score, -number) < self._kept[0][:2]

    def offer(self, lead: Lead) -> None:
        temperature = lead.temperature(self.now)
        if self.band and temperature.band != self.band:
            return
        entry = (temperature.score, -lead.number, Scored(lead, temperature))
        if len(self._kept) < self.n:
            heapq.heappush(self._kept, entry)
        elif entry[:2] > self._kept[0][:2]:
            heapq.heapreplace(self._kept, entry)

    def best(self) -> list[Scored]:
        return sorted((entry[2] for entry in self._kept), key=hottest_first)

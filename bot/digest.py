"""What the morning digest says: the hot leads, what changed, what is cooling."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.temperature import HOT_AT, Temperature, drops_below
from storage.leads import Lead

COOLING_WINDOW = timedelta(days=2)
WARMEST_SHOWN = 5


@dataclass(frozen=True)
class Scored:
    lead: Lead
    temperature: Temperature
    cools_at: datetime | None = None


@dataclass(frozen=True)
class Digest:
    hot: list[Scored]
    counts: Counter[str]
    newly_hot: list[Scored] = field(default_factory=list)
    cooled: list[Scored] = field(default_factory=list)
    cooling_soon: list[Scored] = field(default_factory=list)
    warmest: list[Scored] = field(default_factory=list)

    @property
    def hot_ids(self) -> list[int]:
        return [s.lead.id for s in self.hot]


def _hottest_first(scored: Iterable[Scored]) -> list[Scored]:
    return sorted(scored, key=lambda s: (-s.temperature.score, s.lead.number))


def build_digest(
    open_leads: Iterable[Lead],
    now: datetime,
    previous_hot: set[int],
    open_count: int | None = None,
) -> Digest:
    """The digest for ``now``, compared with the hot leads of the previous digest.

    ``open_leads`` may leave out leads known to be cold (a stored score under
    ``WARM_AT``) if ``open_count`` says how many open leads there are in all;
    they only count, as cold. It must include every lead in ``previous_hot``.
    """
    scored = [Scored(lead, lead.temperature(now)) for lead in open_leads if lead.status == "open"]
    counts = Counter(s.temperature.band for s in scored)
    if open_count is not None:
        counts["cold"] = open_count - counts["hot"] - counts["warm"]
    hot = []
    for s in _hottest_first(x for x in scored if x.temperature.band == "hot"):
        lead = s.lead
        cools = drops_below(HOT_AT, lead.source, lead.created_at, lead.signals, now, COOLING_WINDOW)
        hot.append(Scored(lead, s.temperature, cools))
    return Digest(
        hot=hot,
        counts=counts,
        newly_hot=[s for s in hot if s.lead.id not in previous_hot],
        cooled=_hottest_first(
            s for s in scored if s.lead.id in previous_hot and s.temperature.band != "hot"
        ),
        cooling_soon=sorted((s for s in hot if s.cools_at), key=lambda s: s.cools_at),
        warmest=[]
        if hot
        else _hottest_first(s for s in scored if s.temperature.band == "warm")[:WARMEST_SHOWN],
    )

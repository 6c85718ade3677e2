"""What a write did to a lead, so the surfaces that show it are drawn again.

A command, a click or a form reports each lead it changed; whose Home tab is
drawn again follows from those changes, never from the words that made them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.lead import Lead


@dataclass(frozen=True)
class Change:
    lead_id: int
    owners: frozenset[str]
    """Whose pipelines show the lead: its owner, and before a hand-over the one it left."""


def changed(after: Lead, before: Lead | None = None) -> Change:
    """The change from ``before`` (``None``: the lead is new, or kept its owner) to ``after``."""
    owners = {after.owner, before.owner if before else after.owner}
    return Change(after.id, frozenset(owner for owner in owners if owner))


def homes(changes: Iterable[Change], actor: str) -> list[str]:
    """The reps whose Home tab is out of date: the one who changed something, then each owner.

    Every change can move a lead on or off its owner's lists (hot, waiting, quiet,
    steps), so an owner's Home is drawn again for any change to their lead.
    """
    reps: list[str] = []
    for change in changes:
        for rep in [actor, *sorted(change.owners)]:
            if rep not in reps:
                reps.append(rep)
    return reps

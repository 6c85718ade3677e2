"""A lead's next step: what the rep will do, and by which day in the owner's zone.

A lead with a next step that is not overdue is in hand: it needs no quiet-lead
reminder. A step is in the owner's daily message from its due day until it is
done or moved. Pure: the owner's ``today`` is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class NextStep:
    lead_id: int
    what: str
    due_on: date | None
    """A day on the owner's calendar, or ``None``: no date."""
    set_by: str
    set_at: datetime
    done_at: datetime | None


def is_overdue(step: NextStep, today: date) -> bool:
    return step.due_on is not None and step.due_on < today


def is_due(step: NextStep, today: date) -> bool:
    """Due today or overdue: it belongs in the owner's daily message."""
    return step.due_on is not None and step.due_on <= today


def in_hand(step: NextStep | None, today: date) -> bool:
    """A next step that is not overdue: the lead is looked after, not quiet."""
    return step is not None and not is_overdue(step, today)


def overdue_first(steps: Iterable[NextStep], today: date) -> list[NextStep]:
    """Overdue first (oldest first), then by due day, undated last."""
    return sorted(
        steps,
        key=lambda s: (not is_overdue(s, today), s.due_on is None, s.due_on or date.max),
    )

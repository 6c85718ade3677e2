"""The one place that reads the time; everything below asks a clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that says what it is told: ``run-due --now`` and the tests move it."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment

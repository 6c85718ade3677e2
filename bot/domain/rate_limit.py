"""A token bucket per hook: bursts up to the rate, then the rate itself, for one process."""

from __future__ import annotations

from dataclasses import dataclass, field

PER_MINUTE = 120


@dataclass
class Buckets:
    per_minute: int = PER_MINUTE
    _levels: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per key: tokens left, and when they were counted (monotonic seconds)."""

    def take(self, key: str, now: float) -> float:
        """Spend a token: 0 when allowed, else the seconds until one is back."""
        rate = self.per_minute / 60
        tokens, then = self._levels.get(key, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - then) * rate)
        if tokens < 1:
            self._levels[key] = (tokens, now)
            return (1 - tokens) / rate
        self._levels[key] = (tokens - 1, now)
        return 0.0

"""Long id lists in pieces: SQLite binds at most a few thousand parameters a statement."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in runs of at most ``size``, in order."""
    for start in range(0, len(items), size):
        yield items[start : start + size]

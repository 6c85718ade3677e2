"""How long storage work reports its progress, without storage knowing about terminals.

The command line passes ``bot.progress.bar``; everything else passes nothing
and gets ``quiet``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

Advance = Callable[[int], None]
"""Called with how many more items are done."""


class Progress(Protocol):
    def __call__(self, label: str, total: int) -> AbstractContextManager[Advance]: ...


@contextmanager
def quiet(label: str, total: int) -> Iterator[Advance]:
    yield lambda done: None

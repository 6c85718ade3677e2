"""A progress bar for long CLI work on a terminal; silence when output goes elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from storage.progress import Advance


@contextmanager
def bar(label: str, total: int) -> Iterator[Advance]:
    """``storage.progress.Progress`` drawn by tqdm on stderr, only when stderr is a terminal."""
    with tqdm(total=total, desc=label, unit=" rows", disable=not sys.stderr.isatty()) as shown:
        yield shown.update

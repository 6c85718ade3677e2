"""Benchmarks, run by hand (``python -m bench.<name>``); see BENCHMARKS.md.

Running any of them as ``-m bench.…`` imports this package first, which puts the
tests' fake Slack and signed-request helpers on the import path.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

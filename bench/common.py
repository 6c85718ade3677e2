"""What every benchmark shares: the machine line, medians, and the test doubles."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import ROOT
from storage.engine import Address

SIGNING_SECRET = "bench-signing-secret-0123456789ab"
BOT_TOKEN = "xoxb-bench-token"
TEAM = "T0001"
# The data is generated up to the wall clock, because the served app reads the wall clock.
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def command() -> str:
    """How the figures were made, as a reader would type it (``python -m bench.scale …``)."""
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    script = ["-m", spec.name] if spec is not None else sys.argv[:1]
    return " ".join([".venv/bin/python", *script, *sys.argv[1:]])


def machine() -> str:
    """The command and the machine the figures came from."""
    return (
        f"command: {command()}\n"
        f"machine: {platform.node()} {platform.machine()}, nproc={os.cpu_count()}, "
        f"python {platform.python_version()}, sqlite {__import__('sqlite3').sqlite_version}"
    )


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; ``q`` in 0..100."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database: Path | Address, api_url: str, port: int) -> dict[str, str]:
    """The environment of a ``python -m bot`` serving ``database`` against a fake Slack."""
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": (
            database if isinstance(database, Address) else Address.sqlite(database)
        ).url,
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process, in MB (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

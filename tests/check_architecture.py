"""The one direction through the house: prints what points the wrong way, exits 1 if anything.

wiring (bot/*.py) -> handlers/ -> storage/ -> bot/domain/, and handlers/ -> bot/domain/.
Run from the repository root: ``python tests/check_architecture.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

WIRING = r"bot\.(app|cli|serve|runner|admin|demo|config)"
FORBIDDEN = {
    "bot/domain": rf"(handlers|storage|slack_bolt|slack_sdk|aiosqlite|aiohttp|{WIRING})",
    "storage": rf"(handlers|slack_bolt|slack_sdk|aiohttp|{WIRING})",
    "handlers": WIRING,
}
OUTSIDE_DOMAIN = {"storage", "handlers", "slack_bolt", "slack_sdk", "aiosqlite", "aiohttp"}


def wrong_imports(root: Path) -> list[str]:
    found = []
    for room, names in FORBIDDEN.items():
        pattern = re.compile(rf"^\s*(from|import) {names}\b")
        for path in sorted((root / room).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.match(line):
                    found.append(f"{path.relative_to(root)}:{number}:{line}")
    return found


def loaded_by_domain() -> list[str]:
    """What importing every domain module drags in, in a fresh interpreter."""
    script = (
        "import importlib,pkgutil,sys,bot.domain as d;"
        "[importlib.import_module('bot.domain.'+m.name) for m in pkgutil.iter_modules(d.__path__)];"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}}&{OUTSIDE_DOMAIN!r}))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return [] if out.stdout.strip() == "[]" else [f"bot.domain loads {out.stdout.strip()}"]


def main() -> int:
    problems = wrong_imports(Path.cwd()) + loaded_by_domain()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

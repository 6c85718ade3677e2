"""The README's two commands and its Configuration table, read from the README itself.

CI runs the commands as written here (``python3 tests/readme.py bot|test`` prints
one), and the tests compare the table with the code: the README and what is run
or read can't drift apart. Standard library only: CI calls it before any venv exists.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"
HEADINGS = {"bot": "**Run the bot", "test": "**Run the tests"}


def command(which: str, text: str | None = None) -> str:
    """The first ``sh`` block after the Quick start's "Run the bot" or "Run the tests"."""
    text = README.read_text(encoding="utf-8") if text is None else text
    start = text.index(HEADINGS[which])
    block = re.search(r"```sh\n(.*?)\n```", text[start:], re.DOTALL)
    if block is None:
        raise ValueError(f"no sh block after {HEADINGS[which]!r} in the README")
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    if len(lines) != 1:
        raise ValueError(f"the README's {which} command should be one line, not {lines}")
    return lines[0]


def configuration_variables(text: str | None = None) -> list[str]:
    """The variables in the first column of the Configuration section's table, in order."""
    text = README.read_text(encoding="utf-8") if text is None else text
    section = text[text.index("## Configuration") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, re.MULTILINE)


if __name__ == "__main__":
    print(command(sys.argv[1]))

"""``check_architecture`` sees what a plain reading of the top of each file would miss."""

from __future__ import annotations

from pathlib import Path

import check_architecture as check
import pytest

CLEAN = {
    "bot/__init__.py": "",
    "bot/domain/__init__.py": "",
    "bot/domain/lead.py": "import datetime\n",
    "bot/kiosk.py": "import handlers.a\n",  # a wiring module nobody listed anywhere
    "handlers/__init__.py": "from handlers import a, b\n",
    "handlers/a.py": "from handlers.b import thing\nfrom storage import rows\n",
    "handlers/b.py": "from bot.domain.lead import datetime\nthing = 1\n",
    "storage/__init__.py": "",
    "storage/rows.py": "from bot.domain import lead\n",
}


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_house_in_order_has_nothing_to_say(tmp_path):
    assert check.static_problems(tree(tmp_path, CLEAN)) == []


@pytest.mark.parametrize(
    ("changed", "said"),
    [
        # lazy, inside a function, from a wiring module found in the folder
        (
            {"handlers/b.py": "def f():\n    from bot import kiosk\n"},
            "handlers/b.py:2: from bot import kiosk",
        ),
        (
            {"storage/rows.py": "def f():\n    import slack_sdk.web\n"},
            "storage/rows.py:2: import slack_sdk.web",
        ),
        ({"bot/domain/lead.py": "from storage.rows import x\n"}, "bot/domain/lead.py:1:"),
        (
            {"bot/domain/lead.py": "from standardwebhooks.webhooks import Webhook\n"},
            "bot/domain/lead.py:1:",
        ),
        (
            {
                "handlers/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                "    from handlers.a import f\n"
            },
            "import circle: handlers.a -> handlers.b -> handlers.a",
        ),
        (
            {"storage/rows.py": "from . import more\n", "storage/more.py": "import storage.rows\n"},
            "import circle: storage.more -> storage.rows -> storage.more",
        ),
    ],
)
def test_what_points_the_wrong_way_is_said(tmp_path, changed, said):
    problems = check.static_problems(tree(tmp_path, {**CLEAN, **changed}))
    assert any(problem.startswith(said) for problem in problems), problems

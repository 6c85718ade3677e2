"""``.env`` is the operator's, read from the folder the bot starts in, and never the tests'.

The CLI reads ``.env`` from its working directory only (it used to search up from
its own code, so a ``.env`` in the project reached every bot a test started), and
a variable already set, even empty, wins over ``.env``. Tests start their bots in
a folder without one and set every variable (``conftest.bot_env``). CI runs the
whole suite once more in a clone whose ``.env`` is full of junk (``tests/newcomer.py``).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from conftest import ROOT, bot_env

from bot.config import VARIABLES

JUNK = {
    "SLACK_BOT_TOKEN": "junk",
    "SLACK_SIGNING_SECRET": "junk",
    "SLACK_APP_TOKEN": "junk",
    "SLACK_CLIENT_ID": "junk",
    "SLACK_CLIENT_SECRET": "junk",
    "HOTLEADS_ENCRYPTION_KEY": "junk",
    "PUBLIC_URL": "junk",
    "DATABASE_URL": "postgresql://junk:junk@junk.invalid:1/junk",
    "DATABASE_POOL_MIN": "junk",
    "DATABASE_POOL_MAX": "junk",
    "HOTLEADS_WORKER": "junk",
    "SLACK_API_URL": "junk",
    "PORT": "junk",
    "LOG_LEVEL": "junk",
    "HOTLEADS_ADMINS": "junk",
}


def write_junk(folder: Path) -> None:
    assert set(JUNK) == set(VARIABLES)
    (folder / ".env").write_text("".join(f"{name}={value}\n" for name, value in JUNK.items()))


async def migrate(cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "migrate",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode()


async def test_dotenv_is_read_from_the_working_directory_and_nowhere_above(tmp_path):
    bare = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}  # nothing set: .env may fill in
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///from-dotenv.db\n")
    below = tmp_path / "below"
    below.mkdir()
    code, out = await migrate(tmp_path, bare)
    assert code == 0 and (tmp_path / "from-dotenv.db").exists(), out
    code, out = await migrate(below, bare)
    assert code == 0, out
    assert (below / "hotleads.db").exists() and not (below / "from-dotenv.db").exists()


async def test_a_junk_dotenv_where_a_test_bot_starts_changes_nothing(tmp_path):
    write_junk(tmp_path)
    env = bot_env(DATABASE_URL=f"sqlite:///{tmp_path / 'real.db'}")
    code, out = await migrate(tmp_path, env)
    assert code == 0 and "schema version" in out, out
    assert (tmp_path / "real.db").exists()


async def test_the_same_junk_dotenv_does_reach_a_bot_that_sets_nothing(tmp_path):
    """The test above can fail: without the variables set, the junk is read and refused."""
    write_junk(tmp_path)
    code, out = await migrate(tmp_path, {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)})
    assert code == 2 and out.startswith("hotleads: ") and "Traceback" not in out, out

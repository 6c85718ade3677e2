"""What the README and ``.env.example`` say about configuration, checked against the code.

The list of variables is ``bot.config.VARIABLES``: ``Settings.from_env`` reads no
other (its reader refuses a name missing from it), and nothing else in the product
reads the environment. The README's table and ``.env.example`` must list exactly it.
"""

from __future__ import annotations

import ast
import asyncio
import re
import sys
from pathlib import Path

import pytest
import readme
from conftest import NO_DOTENV
from dotenv import dotenv_values

from bot.config import MANY_WORKSPACES, ONE_WORKSPACE, VARIABLES, Settings

ROOT = Path(__file__).parent.parent
PRODUCT = ("bot", "handlers", "storage")
READS_THE_ENVIRONMENT = {
    "bot/cli.py": "loads .env and hands os.environ to Settings.from_env",
    "bot/app.py": "hides SLACK_* from Bolt while it is built",
}


def test_the_readme_table_lists_every_variable_the_app_reads():
    assert readme.configuration_variables() == list(VARIABLES)


def test_env_example_lists_every_variable_and_no_other():
    text = (ROOT / ".env.example").read_text()
    assert re.findall(r"^([A-Z][A-Z0-9_]*)=", text, re.MULTILINE) == list(VARIABLES)


@pytest.mark.parametrize(
    ("tokens", "mode", "socket"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, ONE_WORKSPACE, False),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, ONE_WORKSPACE, True),
    ],
)
def test_env_example_works_as_shipped_once_two_tokens_are_filled_in(tokens, mode, socket):
    values = {k: v or "" for k, v in dotenv_values(ROOT / ".env.example").items()}
    assert not any(values[name] for name in tokens)  # shipped empty
    settings = Settings.from_env({**values, **tokens})
    assert settings.mode == mode and bool(settings.app_token) == socket


def test_env_example_as_shipped_stops_with_one_sentence_naming_the_token():
    from bot.config import ConfigError

    values = {k: v or "" for k, v in dotenv_values(ROOT / ".env.example").items()}
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN is not set: .*\.$"):
        Settings.from_env(values)


def test_many_workspaces_is_the_pair_and_its_key():
    env = {
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "s",
        "SLACK_SIGNING_SECRET": "s",
        "HOTLEADS_ENCRYPTION_KEY": "m14-t5ps54Nq3QsqhTqPrerpHEn1acJTF5FvboKhjUE=",
    }
    assert Settings.from_env(env).mode == MANY_WORKSPACES


def _environment_readers(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv")) or (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(a.name in ("environ", "getenv") for a in node.names)
        ):
            found.append(node.lineno)
    return found


def test_only_the_entry_points_read_the_environment():
    readers = {
        str(path.relative_to(ROOT)): lines
        for folder in PRODUCT
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (lines := _environment_readers(path))
    }
    assert set(readers) == set(READS_THE_ENVIRONMENT), readers


FRACTIONS = {"half": 2, "third": 3, "quarter": 4, "fifth": 5, "sixth": 6, "seventh": 7}


async def test_the_readme_says_what_share_of_the_suite_postgresql_runs():
    said = re.search(r"Without PostgreSQL about an? (\w+) of the suite", readme.README.read_text())
    assert said, "the README's test section should say what share is skipped"
    stated = 1 / FRACTIONS[said.group(1)]
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"),
        *("-m", "postgres", str(ROOT / "tests")),
        cwd=NO_DOTENV,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    counted = re.search(r"(\d+)/(\d+) tests collected", out.decode())
    assert counted, out.decode()[-500:]
    postgres, total = int(counted.group(1)), int(counted.group(2))
    share = postgres / total
    assert abs(share - stated) < 0.04, f"{postgres} of {total} is {share:.0%}, not {stated:.0%}"


@pytest.mark.parametrize(
    ("env", "says"),
    [
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "8080"},
            "hotleads for one workspace (SLACK_BOT_TOKEN); database SQLite ",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"},
            "; Socket Mode, inbound hooks on port 3000",
        ),
        (
            {
                "SLACK_CLIENT_ID": "1.2",
                "SLACK_CLIENT_SECRET": "s",
                "SLACK_SIGNING_SECRET": "s",
                "HOTLEADS_ENCRYPTION_KEY": "m14-t5ps54Nq3QsqhTqPrerpHEn1acJTF5FvboKhjUE=",
                "DATABASE_URL": "postgresql://hotleads:s3cret@db.example.com:5432/hotleads",
            },
            "many workspaces (SLACK_CLIENT_ID; each installs through /slack/install); database "
            "PostgreSQL postgresql://hotleads:***@db.example.com:5432/hotleads (pool 2-10); "
            "sends what is due; HTTP on port 3000",
        ),
    ],
)
def test_the_first_log_line_names_mode_database_and_transport(env, says):
    line = Settings.from_env(env).describe()
    assert says in line and "s3cret" not in line
    assert line.endswith("HTTP on port 8080") or "port 3000" in line

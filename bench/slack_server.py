"""The tests' fake Slack in a process of its own, so its checks don't slow the app measured.

.venv/bin/python -m bench.slack_server   # prints its Web API URL, serves until killed

``--no-block-kit-checks`` answers without checking Block Kit: that is work real
Slack does on its own machines, and here it takes CPU the app would have.
"""

from __future__ import annotations

import asyncio
import sys

import fake_slack
from fake_slack import FakeSlack

from bench.common import TEAM


async def serve() -> None:
    fake = FakeSlack(team_id=TEAM)
    fake.default_user = {"tz": "UTC", "is_admin": False}
    await fake.start()
    print(fake.url, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


if __name__ == "__main__":
    if "--no-block-kit-checks" in sys.argv[1:]:
        fake_slack.check_view = lambda view: None
        fake_slack.block_problems = lambda blocks, **_: []
    asyncio.run(serve())

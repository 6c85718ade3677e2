"""A bare Bolt AsyncApp whose ``/lead`` only acks: the baseline for ack latency.

PORT=3001 SLACK_SIGNING_SECRET=... .venv/bin/python -m bench.bare_app
"""

from __future__ import annotations

import asyncio
import os

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bench.common import BOT_TOKEN


async def serve() -> None:
    # Authorized like hotleads: a client on the same (fake) Web API, auth.test once.
    client = AsyncWebClient(token=BOT_TOKEN, base_url=os.environ["SLACK_API_URL"])
    app = AsyncApp(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=False,
    )

    @app.command("/lead")
    async def lead(ack) -> None:
        await ack()

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["PORT"])).start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve())

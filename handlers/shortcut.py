"""The "Log as lead touch" message shortcut: any message becomes a touch on a lead.

The modal opens first, inside the trigger's three seconds, with the message
text as the note; the permalink is fetched after and put into the open modal.
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.log_modal import Origin, log_view, open_log_modal

CALLBACK_ID = "log_as_touch"

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.message_shortcut(CALLBACK_ID)(on_shortcut)


async def on_shortcut(ack: AsyncAck, shortcut: dict, client: AsyncWebClient) -> None:
    await ack()
    note = shortcut.get("message", {}).get("text", "")
    opened = await open_log_modal(client, shortcut["trigger_id"], note=note)
    channel, ts = shortcut["channel"]["id"], shortcut["message_ts"]
    try:
        link = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as error:
        # A channel the app can't see: the touch is logged all the same, without a link.
        log.info("no permalink for %s/%s: %s", channel, ts, error.response.get("error"))
        return
    view = log_view(None, note, Origin(permalink=link["permalink"]))
    await client.views_update(view_id=opened["view"]["id"], hash=opened["view"]["hash"], view=view)

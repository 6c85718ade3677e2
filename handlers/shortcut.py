"""The "Log as lead touch" message shortcut: any message becomes a touch on a lead.

The modal opens first, inside the trigger's three seconds, with the message
text as the note; the permalink is fetched after and put into the open modal.
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from handlers import door, payloads
from handlers.door import Tools
from handlers.log import log_view, open_log_modal
from handlers.payloads import Origin

CALLBACK_ID = "log_as_touch"

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.message_shortcut(CALLBACK_ID)(on_shortcut)


@door.shortcut(payloads.message_shortcut)
async def on_shortcut(shortcut: payloads.Shortcut, tools: Tools) -> None:
    client = tools.client
    opened = await open_log_modal(client, shortcut.trigger_id, note=shortcut.text)
    channel, ts = shortcut.channel_id, shortcut.message_ts
    try:
        link = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as error:
        # A channel the app can't see: the touch is logged all the same, without a link.
        log.info("no permalink for %s/%s: %s", channel, ts, error.response.get("error"))
        return
    view = log_view(None, shortcut.text, Origin(permalink=link["permalink"]))
    await client.views_update(view_id=opened["view"]["id"], hash=opened["view"]["hash"], view=view)

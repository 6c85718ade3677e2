"""The "Log as lead touch" message shortcut: any message becomes a touch on a lead.

The modal opens first, inside the trigger's three seconds, with the message
text as the note and the lead it most likely concerns pre-selected (an email
address in the message, else a lead's name); the permalink is fetched after and
put into the open modal. Slack's answers are read with care: a view without an
id or hash is simply not updated.
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.domain import references
from bot.domain.lead import Lead
from handlers import door, payloads
from handlers.context import Services
from handlers.door import Tools
from handlers.log import log_view, open_log_modal
from handlers.payloads import Origin
from storage import leads

CALLBACK_ID = "log_as_touch"

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.message_shortcut(CALLBACK_ID)(on_shortcut)


async def guess_lead(services: Services, team_id: str, text: str) -> Lead | None:
    """The lead a message is most likely about: by an email in it, else by a name in it."""
    reader = services.db.reader
    for email in references.emails_in(text):
        lead = await leads.with_email(reader, team_id, email)
        if lead is not None:
            return lead
    return await leads.named_in(reader, team_id, text)


@door.shortcut(payloads.message_shortcut)
async def on_shortcut(shortcut: payloads.Shortcut, tools: Tools) -> None:
    client = tools.client
    guess = await guess_lead(tools.services, shortcut.team_id, shortcut.text)
    opened = await open_log_modal(client, shortcut.trigger_id, note=shortcut.text, guess=guess)
    channel, ts = shortcut.channel_id, shortcut.message_ts
    try:
        link = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as error:
        # A channel the app can't see: the touch is logged all the same, without a link.
        log.info("no permalink for %s/%s: %s", channel, ts, error.response.get("error"))
        return
    shown = opened.get("view") or {}
    permalink = link.get("permalink")
    if not shown.get("id") or not isinstance(permalink, str):
        log.info("no view id or permalink from Slack for %s/%s", channel, ts)
        return
    view = log_view(None, shortcut.text, Origin(permalink=permalink), guess)
    hash_ = {"hash": shown["hash"]} if shown.get("hash") else {}
    await client.views_update(view_id=shown["id"], view=view, **hash_)

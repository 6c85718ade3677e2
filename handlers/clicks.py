"""After a click on a lead's button: the lead it meant, and the result drawn where it came from.

Buttons sit in reminder DMs, on the Home tab and on ephemeral lead cards. Each
click is acked at once; then the change is stored and the message or Home tab it
came from is drawn again, so the rep sees what happened.
"""

from __future__ import annotations

from bot.domain.lead import Lead
from handlers import home, reminders
from handlers.card import TOUCHES_SHOWN, card_reply
from handlers.context import Services
from handlers.door import Tools
from handlers.payloads import Clicker
from handlers.reminders import lead_ids
from storage import leads, next_steps


async def clicked_lead(services: Services, clicker: Clicker, lead_id: int) -> Lead | None:
    """The lead behind a button, only if it belongs to the clicker's workspace."""
    lead = await leads.get_by_id(services.db.reader, lead_id)
    return lead if lead and lead.team_id == clicker.team_id else None


async def redraw(tools: Tools, clicker: Clicker, lead_id: int) -> None:
    """Show the result where the click came from: the card, the reminder, the Home tab."""
    client, services = tools.client, tools.services
    team_id, user_id = clicker.team_id, clicker.user_id
    if tools.respond and clicker.is_ephemeral:
        lead = await leads.get_by_id(services.db.reader, lead_id)
        assert lead is not None
        touches = await leads.recent_touches(services.db.reader, lead_id, limit=TOUCHES_SHOWN)
        step = (await next_steps.open_steps(services.db.reader, [lead_id])).get(lead_id)
        reply = card_reply(lead, touches, services.clock.now(), step)
        await tools.respond(replace_original=True, text=reply.text, blocks=reply.blocks)
    elif clicker.in_message and lead_ids(clicker.block_ids):
        await reminders.refresh(
            client,
            services,
            team_id,
            user_id,
            clicker.channel_id,
            clicker.message_ts,
            lead_ids(clicker.block_ids),
        )
    if clicker.on_home:
        await home.publish(client, services, team_id, user_id)  # the rep is looking at it
    else:
        await home.redraw(client, services, team_id, user_id)

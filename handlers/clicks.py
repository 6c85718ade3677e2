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
from handlers.payloads import Clicker, Invalid
from handlers.reminders import lead_numbers
from storage import leads, next_steps


async def clicked_lead(services: Services, clicker: Clicker, number: int) -> Lead:
    """The lead behind a button: the number read in the clicker's workspace, no other.

    None there by that number: the button is out of date (``Invalid``), and the door says so.
    """
    lead = await leads.get(services.db.reader, clicker.team_id, number)
    if lead is None:
        raise Invalid(f"no lead #{number} here")
    return lead


async def redraw(tools: Tools, clicker: Clicker, number: int) -> None:
    """Show the result where the click came from: the card, the reminder, the Home tab."""
    client, services = tools.client, tools.services
    team_id, user_id, reader = clicker.team_id, clicker.user_id, services.db.reader
    if tools.respond and clicker.is_ephemeral:
        lead = await leads.get(reader, team_id, number)
        assert lead is not None
        touches = await leads.recent_touches(reader, lead, limit=TOUCHES_SHOWN)
        step = (await next_steps.open_steps(reader, team_id, [lead.id])).get(lead.id)
        reply = card_reply(lead, touches, services.clock.now(), step)
        await tools.respond(replace_original=True, text=reply.text, blocks=reply.blocks)
    elif clicker.in_message and lead_numbers(clicker.block_ids):
        await reminders.refresh(
            client,
            services,
            team_id,
            user_id,
            clicker.channel_id,
            clicker.message_ts,
            lead_numbers(clicker.block_ids),
        )
    if clicker.on_home:
        await home.publish(client, services, team_id, user_id)  # the rep is looking at it
    else:
        await home.redraw(client, services, team_id, user_id)

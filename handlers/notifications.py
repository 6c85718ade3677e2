"""Each rep's noise: instant alerts on or off, and away until a day (Home, ``/lead away``).

Teams that get noisy alerts mute Slack, and then nothing reaches anyone; so each
rep chooses. Alerts off: the relay offers them no one else's leads (their own
still ring, and the daily DM still comes). Away: the relay offers them nothing
and passes their own hot leads on at once. Admins see who is away in settings.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.dates import zone
from bot.domain.grammar.away import parse_away
from bot.domain.relay import Notifications
from handlers import door, home, payloads, subcommands
from handlers.blocks import Reply, escape, mention, section
from handlers.context import Services
from handlers.door import Tools
from handlers.home import AWAY_ACTION, BACK_ACTION, INSTANT_ACTION, day_name
from handlers.invocation import Invocation
from handlers.subcommands import Answer, Subcommand
from storage import notifications

BACK = {"off", "back", "none", "no", "stop"}


def away_line(reps: list[Notifications], today: date) -> str:
    """Who is away, for admins in ``/lead settings``."""
    away = [(rep.user_id, rep.away_until) for rep in reps if rep.away(today) and rep.away_until]
    if not away:
        return "nobody"
    return ", ".join(f"{mention(user)} (until {day_name(until)})" for user, until in away)


async def _save(
    services: Services, team_id: str, user_id: str, now: datetime, **change: Any
) -> None:
    """Change one of the rep's choices (``instant`` or ``away_until``), keeping the other."""
    async with services.db.transaction() as conn:
        current = await notifications.get(conn, team_id, user_id)
        await notifications.save(conn, team_id, replace(current, **change), now)


# ------------------------------------------------------------------ /lead away


async def away(cmd: grammar.Away, call: Invocation) -> None:
    back = cmd.when.strip().lower() in BACK
    until = None if back else call.reader.due(cmd.when, call.now)
    today = call.now.astimezone(zone(call.tz)).date()
    if until is not None and until <= today:
        until = None
    await _save(call.services, call.team_id, call.user_id, call.now, away_until=until)
    if until is None:
        text = ":wave: Welcome back: the relay offers you leads again."
    else:
        text = (
            f":palm_tree: Away until {day_name(until)} (I read “{escape(cmd.when.strip())}”): "
            "the relay offers you no leads, and your own "
            "hot leads go to the next rep at once. `/lead away off` when you're back."
        )
    await call.ack(**Reply(text, [section(text)]).as_ack())
    await home.redraw(call.client, call.services, call.team_id, call.user_id)  # after the ack
    return None


# ------------------------------------------------------------------ Home


@door.action(payloads.instant_click)
async def on_instant(click: payloads.InstantClick, tools: Tools) -> None:
    clicker, services = click.clicker, tools.services
    await _save(services, clicker.team_id, clicker.user_id, services.clock.now(), instant=click.on)
    await home.publish(tools.client, services, clicker.team_id, clicker.user_id)


@door.action(payloads.away_pick)
async def on_away(pick: payloads.AwayPick, tools: Tools) -> None:
    clicker, services = pick.clicker, tools.services
    now = services.clock.now()
    await _save(services, clicker.team_id, clicker.user_id, now, away_until=pick.until)
    await home.publish(tools.client, services, clicker.team_id, clicker.user_id)


SUBCOMMANDS = (Subcommand("away", parse_away, (Answer.of(grammar.Away, away),)),)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)
    app.action(INSTANT_ACTION)(on_instant)
    app.action(AWAY_ACTION)(on_away)
    app.action(BACK_ACTION)(on_away)

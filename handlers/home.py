"""The App Home tab: the rep's own pipeline, and the team's for admins.

Published when the rep opens it and after every change they make, so it is
never stale when they look.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.answers import waiting
from bot.domain.lead import Lead
from bot.domain.next_steps import NextStep, in_hand, overdue_first
from bot.domain.ranking import Ranked
from bot.domain.relay import Notifications
from bot.domain.reminders import is_quiet, quiet_first
from bot.domain.schedule import WorkspaceSettings
from bot.domain.slack_user import SlackUser
from bot.domain.text import duration
from handlers import door, payloads, people
from handlers.blocks import (
    band,
    context,
    divider,
    escape,
    header,
    lead_label,
    local_date,
    mention,
    plain,
    section,
    sections,
)
from handlers.buttons import touch_actions
from handlers.context import Services
from handlers.digest import band_counts
from handlers.door import Tools
from handlers.lists import list_line
from handlers.next_steps import today_for, when
from storage import deliveries, leads, next_steps, notifications, pipeline
from storage.engine import Connection

TOGGLE_ACTION = "home_toggle"
INSTANT_ACTION = "notify_instant"
AWAY_ACTION = "notify_away"
BACK_ACTION = "notify_back"
HOME_BLOCK_LIMIT = 100
HOT_SHOWN = 10
QUIET_SHOWN = 10
WAITING_SHOWN = 10
STEPS_SHOWN = 10
REPS_SHOWN = 12
PER_REP_SHOWN = 5
CHANGE_SETTLE = 1.0
"""Seconds a Home redraw waits after a change, for more changes to join it."""


def _toggle(showing_team: bool) -> dict[str, Any]:
    label, value = ("My pipeline", "mine") if showing_team else ("Team pipeline", "team")
    return {
        "type": "actions",
        "block_id": "home_toggle",
        "elements": [
            {
                "type": "button",
                "action_id": TOGGLE_ACTION,
                "text": plain(label),
                "value": value,
            }
        ],
    }


def _cut(part: Ranked, command: str) -> list[dict[str, Any]]:
    return [context(f"…and {part.more} more: `{command}`")] if part.more > 0 else []


def _waiting(found: list[tuple[Lead, datetime]], now: datetime) -> list[dict[str, Any]]:
    """The rep's leads whose buying signal has had no answer: first, with their buttons."""
    if not found:
        return []
    blocks = [section("*:rotating_light: Waiting for your answer*")]
    for lead, since in found[:WAITING_SHOWN]:
        blocks.append(section(f"{lead_label(lead, 60)} · waiting {duration(now - since)}"))
        blocks.append(
            touch_actions(lead, f"waiting:{payloads.lead_ref(lead.number)}", with_lost=False)
        )
    if len(found) > WAITING_SHOWN:
        blocks.append(context(f"…and {len(found) - WAITING_SHOWN} more: `/lead list hot`"))
    return [*blocks, divider()]


async def _steps(
    reader: Connection, team_id: str, steps: list[NextStep], today: date
) -> list[dict[str, Any]]:
    if not steps:
        return []
    found = await leads.by_ids(reader, team_id, [s.lead_id for s in steps])
    by_id = {lead.id: lead for lead in found}
    lines = [
        f"• {lead_label(by_id[s.lead_id], 60)}: {escape(s.what)} ({when(s, today)})"
        for s in overdue_first(steps, today)[:STEPS_SHOWN]
    ]
    more = [context(f"…and {len(steps) - STEPS_SHOWN} more: `/lead next`")]
    return [
        divider(),
        *sections(["*:pushpin: Your next steps*", *lines]),
        *(more if len(steps) > STEPS_SHOWN else []),
    ]


def day_name(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def status_line(choice: Notifications, today: date) -> str:
    alerts = "on" if choice.instant else "off (you still get the daily DM and your own leads)"
    away = (
        f"away until {day_name(choice.away_until)}: no leads offered to you, yours passed on at once"
        if choice.away_until and choice.away(today)
        else "here"
    )
    return f"Instant alerts {alerts} · {away}"


def notifications_section(choice: Notifications, today: date) -> list[dict[str, Any]]:
    """Home's Notifications section for the viewer: what is set, and the means to change it."""
    flip = "off" if choice.instant else "on"
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": INSTANT_ACTION,
            "text": plain(f"Turn instant alerts {flip}"),
            "value": flip,
        },
        {
            "type": "datepicker",
            "action_id": AWAY_ACTION,
            "placeholder": plain("Away until…"),
        },
    ]
    if choice.away(today):
        elements.append(
            {"type": "button", "action_id": BACK_ACTION, "text": plain("I'm back"), "value": "back"}
        )
    return [
        section("*:bell: Notifications*"),
        context(status_line(choice, today)),
        {"type": "actions", "block_id": "notifications", "elements": elements},
    ]


async def my_pipeline(
    reader: Connection,
    team_id: str,
    user_id: str,
    now: datetime,
    settings: WorkspaceSettings,
    today: date,
) -> list[dict[str, Any]]:
    quiet_days = settings.quiet_days
    counts = await pipeline.band_counts(reader, team_id, now, owner=user_id)
    blocks = [context(f"Your open leads: {band_counts(counts)}")]
    asked = await pipeline.maybe_waiting(reader, team_id, now, settings.respond_hours, user_id)
    blocks += _waiting(waiting(asked, now, settings.respond_hours), now)
    steps = await next_steps.owners_steps(reader, team_id, user_id)
    by_lead = {step.lead_id: step for step in steps}
    blocks.append(section("*:fire: Your hot leads*"))
    hot = await pipeline.ranked(reader, team_id, now, HOT_SHOWN, band="hot", owner=user_id)
    if hot.shown:
        blocks += sections([list_line(s.lead, s.temperature, now) for s in hot.shown])
        blocks += _cut(hot, "/lead list hot")
    else:
        blocks.append(context("None right now. Log a quote, demo or trial and it shows here."))
    quiet = quiet_first(
        (
            lead
            for lead in await pipeline.gone_quiet(reader, team_id, now, quiet_days, user_id)
            if is_quiet(lead, now, quiet_days) and not in_hand(by_lead.get(lead.id), today)
        ),
        now,
    )
    heading = f"*:hourglass: Gone quiet* (no answer for {quiet_days}+ days)"
    blocks += [divider(), section(heading)]
    for lead in quiet[:QUIET_SHOWN]:
        blocks.append(section(list_line(lead, lead.temperature(now), now)))
        blocks.append(
            touch_actions(lead, f"quiet:{payloads.lead_ref(lead.number)}", with_lost=False)
        )
    if not quiet:
        blocks.append(context("Nothing has gone quiet. Nice."))
    if len(quiet) > QUIET_SHOWN:
        blocks.append(context(f"…and {len(quiet) - QUIET_SHOWN} more: `/lead list warm`"))
    cooling = await pipeline.cooling(reader, team_id, now, HOT_SHOWN, owner=user_id)
    if cooling.shown:
        blocks += [divider(), section("*:hourglass_flowing_sand: Cooling soon*")]
        blocks += sections(
            [
                f"{band(s.temperature)} {lead_label(s.lead, 60)}: "
                f"warm by {local_date(s.lead.hot_until)}"
                for s in cooling.shown
            ]
        )
    blocks += await _steps(reader, team_id, steps, today)
    blocks += [
        divider(),
        *notifications_section(await notifications.get(reader, team_id, user_id), today),
    ]
    return blocks


async def team_pipeline(reader: Connection, team_id: str, now: datetime) -> list[dict[str, Any]]:
    counts = await pipeline.band_counts(reader, team_id, now)
    blocks = [context(f"Team's open leads: {band_counts(counts)}")]
    everyone = await pipeline.reps(reader, team_id, now)
    for rep in everyone[:REPS_SHOWN]:
        top = await pipeline.ranked(reader, team_id, now, PER_REP_SHOWN, owner=rep.owner)
        blocks.append(divider())
        blocks.append(section(f"{mention(rep.owner)} — {rep.open} open, {rep.hot} hot"))
        blocks += sections([list_line(s.lead, s.temperature, now) for s in top.shown])
        blocks += _cut(top, f"/lead list all {mention(rep.owner)}")
    if len(everyone) > REPS_SHOWN:
        blocks.append(context(f"…and {len(everyone) - REPS_SHOWN} more: `/lead list all team`"))
    return blocks


async def home_view(
    services: Services, team_id: str, user_id: str, show_team: bool, admin: bool
) -> dict[str, Any]:
    now = services.clock.now()
    show_team = show_team and admin
    settings = await deliveries.get_settings(services.db.reader, team_id)
    blocks: list[dict[str, Any]] = [header("Team pipeline" if show_team else "Your pipeline")]
    if admin:
        blocks.append(_toggle(show_team))
    if show_team:
        blocks += await team_pipeline(services.db.reader, team_id, now)
    else:
        known = await people.cached(services, team_id, user_id)
        today = today_for(known.tz if known and known.tz else settings.tz, now)
        blocks += await my_pipeline(services.db.reader, team_id, user_id, now, settings, today)
    blocks.append(context("`/lead add` a lead · `/lead log` a touch · `/lead help` for everything"))
    if len(blocks) > HOME_BLOCK_LIMIT:
        blocks = [
            *blocks[: HOME_BLOCK_LIMIT - 1],
            context("Cut to fit: `/lead list` shows the rest."),
        ]
    return {"type": "home", "blocks": blocks}


async def publish(
    client: AsyncWebClient,
    services: Services,
    team_id: str,
    user_id: str,
    show_team: bool = False,
    settle: float = 0.0,
    known: SlackUser | None = None,
) -> None:
    """Draw the rep's Home from the database, one draw per rep at a time.

    ``known`` is the rep's cached user row, when the caller has read it already.
    """

    async def draw() -> None:
        # Rights checked fresh: the team view is for admins now, not yesterday.
        admin = await people.is_admin(client, services, team_id, user_id, known)
        view = await home_view(services, team_id, user_id, show_team, admin is True)
        await client.views_publish(user_id=user_id, view=view)

    await services.redraws.run((team_id, user_id), draw, settle)


async def redraw(
    client: AsyncWebClient,
    services: Services,
    team_id: str,
    user_id: str,
    known: SlackUser | None = None,
) -> None:
    """Draw the rep's Home again after they changed something.

    After ``CHANGE_SETTLE`` seconds, so a burst of changes shares one draw.
    """
    await publish(client, services, team_id, user_id, settle=CHANGE_SETTLE, known=known)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)
    app.action(TOGGLE_ACTION)(on_toggle)


@door.event(payloads.home_opened)
async def on_home_opened(opened: payloads.HomeOpened, tools: Tools) -> None:
    if opened.tab != "home":
        return
    services, client = tools.services, tools.client
    now = services.clock.now()
    await people.refresh_if_stale(client, services, opened.team_id, opened.user_id, now)
    await publish(client, services, opened.team_id, opened.user_id)


@door.action(payloads.toggle_click)
async def on_toggle(toggle: payloads.ToggleClick, tools: Tools) -> None:
    clicker = toggle.clicker
    await publish(tools.client, tools.services, clicker.team_id, clicker.user_id, toggle.show_team)

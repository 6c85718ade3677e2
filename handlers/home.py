"""The App Home tab: the rep's own pipeline, and the team's for admins.

Published when the rep opens it and after every change they make, so it is
never stale when they look.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.digest import build_digest
from bot.reminders import is_quiet
from bot.runtime import Services
from handlers import people
from handlers.digest_views import digest_counts
from handlers.format import band, lead_label, local_date, mention
from handlers.lead_actions import touch_actions
from handlers.lead_views import list_line
from handlers.replies import context, divider, header, plain, section, sections
from storage import deliveries, leads
from storage.leads import Lead

TOGGLE_ACTION = "home_toggle"
HOME_BLOCK_LIMIT = 100
HOT_SHOWN = 10
QUIET_SHOWN = 10
REPS_SHOWN = 12
PER_REP_SHOWN = 5


async def _is_admin(services: Services, team_id: str, user_id: str) -> bool:
    if user_id in services.settings.admins:
        return True
    known = await people.cached(services, team_id, user_id)
    return bool(known and known.is_admin)


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


def _cut(count: int, shown: int, command: str) -> list[dict[str, Any]]:
    return [context(f"…and {count - shown} more: `{command}`")] if count > shown else []


def my_pipeline(mine: list[Lead], now: datetime, quiet_days: int) -> list[dict[str, Any]]:
    digest = build_digest(mine, now, previous_hot=set())
    blocks = [context(f"Your open leads: {digest_counts(digest)}")]
    blocks.append(section("*:fire: Your hot leads*"))
    if digest.hot:
        shown = digest.hot[:HOT_SHOWN]
        blocks += sections([list_line(s.lead, s.temperature, now) for s in shown])
        blocks += _cut(len(digest.hot), len(shown), "/lead list hot")
    else:
        blocks.append(context("None right now. Log a quote, demo or trial and it shows here."))
    quiet = sorted(
        (lead for lead in mine if is_quiet(lead, now, quiet_days)),
        key=lambda lead: lead.last_activity_at,
    )
    blocks += [divider(), section(f"*:hourglass: Gone quiet* (no touch for {quiet_days}+ days)")]
    for lead in quiet[:QUIET_SHOWN]:
        blocks.append(section(list_line(lead, lead.temperature(now), now)))
        blocks.append(touch_actions(lead, f"quiet:{lead.id}", with_lost=False))
    if not quiet:
        blocks.append(context("Nothing has gone quiet. Nice."))
    blocks += _cut(len(quiet), QUIET_SHOWN, "/lead list warm")
    if digest.cooling_soon:
        blocks += [divider(), section("*:hourglass_flowing_sand: Cooling soon*")]
        blocks += sections(
            [
                f"{band(s.temperature)} {lead_label(s.lead, 60)}: warm by {local_date(s.cools_at)}"
                for s in digest.cooling_soon[:HOT_SHOWN]
                if s.cools_at
            ]
        )
    return blocks


def team_pipeline(team: list[Lead], now: datetime) -> list[dict[str, Any]]:
    digest = build_digest(team, now, previous_hot=set())
    by_rep: dict[str, list[Lead]] = defaultdict(list)
    for lead in team:
        by_rep[lead.owner].append(lead)
    blocks = [context(f"Team's open leads: {digest_counts(digest)}")]
    ranked = sorted(by_rep.items(), key=lambda item: -max(lead.score for lead in item[1]))
    for owner, owned in ranked[:REPS_SHOWN]:
        scored = sorted(
            ((lead, lead.temperature(now)) for lead in owned), key=lambda p: -p[1].score
        )
        hot = sum(1 for _, t in scored if t.band == "hot")
        blocks.append(divider())
        blocks.append(section(f"{mention(owner)} — {len(owned)} open, {hot} hot"))
        blocks += sections([list_line(lead, t, now) for lead, t in scored[:PER_REP_SHOWN]])
        blocks += _cut(len(owned), PER_REP_SHOWN, f"/lead list all <@{owner}>")
    blocks += _cut(len(ranked), REPS_SHOWN, "/lead list all team")
    return blocks


async def home_view(
    services: Services, team_id: str, user_id: str, show_team: bool
) -> dict[str, Any]:
    now = services.clock.now()
    admin = await _is_admin(services, team_id, user_id)
    show_team = show_team and admin
    settings = await deliveries.get_settings(services.db.reader, team_id)
    blocks: list[dict[str, Any]] = [header("Team pipeline" if show_team else "Your pipeline")]
    if admin:
        blocks.append(_toggle(show_team))
    if show_team:
        blocks += team_pipeline(await leads.open_leads(services.db.reader, team_id), now)
    else:
        mine = await leads.open_leads(services.db.reader, team_id, owner=user_id)
        blocks += my_pipeline(mine, now, settings.quiet_days)
    blocks.append(context("`/lead add` a lead · `/lead log` a touch · `/lead help` for everything"))
    if len(blocks) > HOME_BLOCK_LIMIT:
        blocks = [
            *blocks[: HOME_BLOCK_LIMIT - 1],
            context("Cut to fit: `/lead list` shows the rest."),
        ]
    return {"type": "home", "blocks": blocks}


async def publish(
    client: AsyncWebClient, services: Services, team_id: str, user_id: str, show_team: bool = False
) -> None:
    view = await home_view(services, team_id, user_id, show_team)
    await client.views_publish(user_id=user_id, view=view)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)
    app.action(TOGGLE_ACTION)(on_toggle)


async def on_home_opened(event: dict, body: dict, client: AsyncWebClient, context: dict) -> None:
    if event.get("tab", "home") != "home":
        return
    services: Services = context["services"]
    team_id = body["team_id"]
    await people.refresh_if_stale(client, services, team_id, event["user"], services.clock.now())
    await publish(client, services, team_id, event["user"])


async def on_toggle(
    ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, context: dict
) -> None:
    await ack()
    await publish(
        client,
        context["services"],
        body["team"]["id"],
        body["user"]["id"],
        action["value"] == "team",
    )

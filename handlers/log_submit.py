"""Submitting the "Log a touch" modal, and the lead picker's search as the rep types."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.dates import DateError, parse_past
from bot.domain.grammar import KIND_HINTS, MAX_NOTE
from handlers import home, people, reminders
from handlers.context import Services
from handlers.format import truncate
from handlers.log_modal import (
    CALLBACK_ID,
    KIND_ACTION,
    KIND_BLOCK,
    LEAD_ACTION,
    LEAD_BLOCK,
    NOTE_ACTION,
    NOTE_BLOCK,
    OPTIONS_SHOWN,
    WHEN_ACTION,
    WHEN_BLOCK,
    Origin,
    lead_option,
)
from handlers.replies import Refusal
from handlers.touches import log_touch, logged_reply
from storage import leads, pipeline


def register(app: AsyncApp) -> None:
    app.options(LEAD_ACTION)(suggest_leads)
    app.view(CALLBACK_ID)(submit)


async def suggest_leads(ack: AsyncAck, body: dict, context: dict) -> None:
    """Leads matching what the rep typed, searched in the database, never a cut list."""
    services: Services = context["services"]
    team_id = body["team"]["id"] if body.get("team") else body["user"]["team_id"]
    query = (body.get("value") or "").strip()
    if query:
        found = await leads.search(services.db.reader, team_id, query, limit=OPTIONS_SHOWN)
    else:
        mine = await pipeline.ranked(
            services.db.reader,
            team_id,
            services.clock.now(),
            OPTIONS_SHOWN,
            owner=body["user"]["id"],
        )
        found = [s.lead for s in mine.shown]
    await ack(options=[lead_option(lead) for lead in found])


def _value(view: dict, block: str, action: str) -> str:
    state = view["state"]["values"].get(block, {}).get(action, {})
    if "selected_option" in state:
        return (state["selected_option"] or {}).get("value", "")
    return (state.get("value") or "").strip()


async def submit(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    services: Services = context["services"]
    team_id = view.get("team_id") or body["team"]["id"]
    user_id = body["user"]["id"]
    now = services.clock.now()
    origin = Origin.load(view.get("private_metadata", ""))
    picked = _value(view, LEAD_BLOCK, LEAD_ACTION)
    lead_id = origin.lead_id or (int(picked) if picked.isdigit() else 0)
    kind = _value(view, KIND_BLOCK, KIND_ACTION)
    note = _value(view, NOTE_BLOCK, NOTE_ACTION)
    when = _value(view, WHEN_BLOCK, WHEN_ACTION)
    errors: dict[str, str] = {}
    if kind not in KIND_HINTS:
        errors[KIND_BLOCK] = "Pick what happened."
    if len(note) > MAX_NOTE:
        errors[NOTE_BLOCK] = f"Keep the note under {MAX_NOTE} characters (it has {len(note)})."
    at = now
    if when:
        known = await people.cached(services, team_id, user_id)
        try:
            at = parse_past(when, known.tz if known else None, now)
        except DateError as error:
            errors[WHEN_BLOCK] = truncate(str(error), 150)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    try:
        logged = await log_touch(
            services,
            team_id=team_id,
            lead_id=lead_id,
            kind=kind,
            note=note,
            at=at,
            user_id=user_id,
            now=now,
            permalink=origin.permalink,
        )
    except Refusal as refusal:
        block = LEAD_BLOCK if origin.lead_id is None else KIND_BLOCK
        await ack(response_action="errors", errors={block: refusal.message})
        return
    await ack()
    reply = logged_reply(logged, now)
    await client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)
    if origin.channel and origin.ts and origin.reminder_leads:
        await reminders.refresh(
            client,
            services,
            team_id,
            user_id,
            origin.channel,
            origin.ts,
            list(origin.reminder_leads),
        )
    await home.redraw(client, services, team_id, user_id)

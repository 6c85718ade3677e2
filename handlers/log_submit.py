"""Submitting the "Log a touch" modal, and the lead picker's search as the rep types."""

from __future__ import annotations

from msgspec import Struct
from slack_bolt.async_app import AsyncApp

from bot.domain import references
from bot.domain.dates import DateError, parse_past
from bot.domain.grammar import KIND_HINTS, MAX_NOTE
from bot.domain.lead import Lead
from handlers import door, home, payloads, people, reminders
from handlers.context import Services
from handlers.door import Tools
from handlers.format import truncate
from handlers.log_modal import (
    CALLBACK_ID,
    KIND_BLOCK,
    LEAD_ACTION,
    LEAD_BLOCK,
    NOTE_BLOCK,
    OPTIONS_SHOWN,
    WHEN_BLOCK,
    lead_option,
)
from handlers.lookup import CANDIDATES
from handlers.payloads import Origin
from handlers.replies import Refusal
from handlers.touches import log_touch, logged_reply
from storage import leads, pipeline


def register(app: AsyncApp) -> None:
    app.options(LEAD_ACTION)(suggest_leads)
    app.view(CALLBACK_ID)(submit)


@door.options(payloads.lead_search)
async def suggest_leads(search: payloads.LeadSearch, tools: Tools) -> None:
    """Leads matching what the rep typed, searched in the database, never a cut list."""
    services = tools.services
    if search.query:
        found = await _matching(services, search.team_id, search.query)
    else:
        mine = await pipeline.ranked(
            services.db.reader,
            search.team_id,
            services.clock.now(),
            OPTIONS_SHOWN,
            owner=search.user_id,
        )
        found = [s.lead for s in mine.shown]
    await tools.ack(options=[lead_option(lead) for lead in found])


async def _matching(services: Services, team_id: str, query: str) -> list[Lead]:
    """``#12`` finds lead 12; a name finds leads by the tiers ``/lead`` uses, best first."""
    wanted = references.number(query)
    if wanted is not None:
        lead = await leads.get(services.db.reader, team_id, wanted)
        return [lead] if lead else []
    found = await leads.search(services.db.reader, team_id, query, limit=CANDIDATES)
    return references.ranked(query, found)[:OPTIONS_SHOWN]


class LogSubmission(Struct, frozen=True):
    """The Log a touch modal, read: where it came from and the lead picked, if any."""

    form: payloads.Submission
    origin: Origin
    picked: int | None


def _log_submission(body: dict) -> LogSubmission:
    form = payloads.submission(body)
    origin = Origin.load(form.private_metadata)
    picked = form.fields.get(LEAD_BLOCK)
    return LogSubmission(form, origin, payloads.lead_id(picked) if picked else None)


@door.view(_log_submission)
async def submit(submitted: LogSubmission, tools: Tools) -> None:
    services, ack, client = tools.services, tools.ack, tools.client
    form, origin = submitted.form, submitted.origin
    team_id, user_id = form.team_id, form.user_id
    now = services.clock.now()
    lead_id = origin.lead_id or submitted.picked or 0
    kind = form.fields.get(KIND_BLOCK, "")
    note = form.fields.get(NOTE_BLOCK, "").strip()
    when = form.fields.get(WHEN_BLOCK, "").strip()
    errors: dict[str, str] = {}
    if kind not in KIND_HINTS:
        errors[KIND_BLOCK] = "Pick what happened."
    if len(note) > MAX_NOTE:
        errors[NOTE_BLOCK] = f"Keep the note under {MAX_NOTE} characters (it has {len(note)})."
    at = now
    known = await people.cached(services, team_id, user_id)
    tz = known.tz if known else None
    if when:
        try:
            at = parse_past(when, tz, now)
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
    reply = logged_reply(logged, now, tz, when or None)
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

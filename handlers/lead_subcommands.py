"""The everyday ``/lead`` subcommands: add, log, show, list, snooze, edit, close, assign."""

from __future__ import annotations

from bot.domain import grammar
from bot.domain.dates import parse_future, parse_past, past_at_end
from bot.domain.lead import Lead
from handlers.format import band, escape, lead_label, local_date, mention
from handlers.lead_views import LIST_LIMIT, card_reply, help_reply, lead_list
from handlers.log_modal import open_log_modal
from handlers.lookup import find_lead
from handlers.replies import Refusal, Reply, context, section
from handlers.subcommands import Invocation, subcommand
from handlers.touches import log_touch, logged_reply
from storage import leads, pipeline

SNOOZE_OFF = {"off", "none", "cancel", "stop", "clear"}


def _done(text: str, *more: dict) -> Reply:
    return Reply(text, [section(text), *more])


@subcommand(grammar.Help)
async def show_help(cmd: grammar.Help, call: Invocation) -> Reply:
    return help_reply(unknown=cmd.unknown, topic=cmd.topic, suggestion=cmd.suggestion)


@subcommand(grammar.Add)
async def add(cmd: grammar.Add, call: Invocation) -> Reply:
    source = cmd.source or "cold"
    async with call.services.db.transaction() as conn:
        existing = await leads.find_duplicate(
            conn, call.team_id, cmd.name, cmd.company or "", cmd.email or ""
        )
        if existing:
            raise Refusal(
                f"{lead_label(existing)} is already here (owner {mention(existing.owner)}), "
                f"so I didn't add it again. See it with `/lead show #{existing.number}`."
            )
        lead = await leads.create(
            conn,
            team_id=call.team_id,
            name=cmd.name,
            company=cmd.company or "",
            email=cmd.email or "",
            phone=cmd.phone or "",
            source=source,
            owner=cmd.owner or call.user_id,
            created_by=call.user_id,
            now=call.now,
        )
        if cmd.note:
            lead = await leads.add_touch(
                conn,
                lead,
                kind="note",
                note=cmd.note,
                at=call.now,
                logged_by=call.user_id,
                now=call.now,
            )
    temperature = lead.temperature(call.now)
    text = f":white_check_mark: Added {lead_label(lead)} — {band(temperature)}, owner {mention(lead.owner)}."
    notes = []
    if cmd.by_comma:
        notes.append(f"Read as: {_what_went_where(lead)}.")
    if cmd.misspelled:
        notes.append(f"Read `{escape(cmd.misspelled)}` as `{lead.source}`.")
    if cmd.source is None:
        notes.append(
            "No `source:` given, so I recorded it as `cold` outreach. If someone referred them "
            f"or they came to us, say so: `/lead edit #{lead.number} source:referral`."
        )
    notes.append(f"Log what happens next: `/lead log #{lead.number} call spoke to them`")
    return _done(text, context(*notes))


def _what_went_where(lead: Lead) -> str:
    fields = [("name", lead.name), ("company", lead.company), ("email", lead.email)]
    fields += [("phone", lead.phone), ("source", lead.source)]
    return ", ".join(f"{key} “{escape(value)}”" for key, value in fields if value)


@subcommand(grammar.Log)
async def log(cmd: grammar.Log, call: Invocation) -> Reply:
    lead = await find_lead(call.services, call.team_id, cmd.ref, call.text)
    note, phrase, at = cmd.note, cmd.when, call.now
    if cmd.when:
        at = parse_past(cmd.when, call.tz, call.now)
    else:
        trailing = past_at_end(cmd.note, call.tz, call.now)
        if trailing.at is not None:
            note, phrase, at = trailing.note, trailing.phrase, trailing.at
    logged = await log_touch(
        call.services,
        team_id=call.team_id,
        lead_id=lead.id,
        kind=cmd.kind,
        note=note,
        at=at,
        user_id=call.user_id,
        now=call.now,
    )
    return logged_reply(logged, call.now, call.tz, phrase)


@subcommand(grammar.LogForm)
async def log_form(cmd: grammar.LogForm, call: Invocation) -> None:
    await call.ack()
    await open_log_modal(call.client, call.trigger_id)


@subcommand(grammar.Show)
async def show(cmd: grammar.Show, call: Invocation) -> Reply:
    lead = await find_lead(call.services, call.team_id, cmd.ref, call.text, closed_too=True)
    touches = await leads.recent_touches(call.services.db.reader, lead.id, limit=5)
    return card_reply(lead, touches, call.now)


@subcommand(grammar.List)
async def list_leads(cmd: grammar.List, call: Invocation) -> Reply:
    owner = {"mine": call.user_id, "team": None}.get(cmd.scope, cmd.user)
    found = await pipeline.ranked(
        call.services.db.reader, call.team_id, call.now, LIST_LIMIT, band=cmd.band, owner=owner
    )
    whose = {"mine": "Your", "team": "The team's"}.get(cmd.scope, f"{mention(cmd.user or '')}'s")
    title = f"{whose} {'' if cmd.band == 'all' else cmd.band + ' '}leads"
    return lead_list(title, found, call.now, "Add one with `/lead add`.")


@subcommand(grammar.Snooze)
async def snooze(cmd: grammar.Snooze, call: Invocation) -> Reply:
    lead = await find_lead(call.services, call.team_id, cmd.ref, call.text)
    until = (
        None
        if cmd.when.strip().lower() in SNOOZE_OFF
        else parse_future(cmd.when, call.tz, call.now)
    )
    async with call.services.db.transaction() as conn:
        await leads.snooze(conn, lead, until, call.now)
    if until is None:
        return _done(f":alarm_clock: Quiet reminders for {lead_label(lead)} are back on.")
    return _done(
        f":zzz: Snoozed {lead_label(lead)} until {local_date(until)}: "
        "no quiet-lead reminders for it until then."
    )


@subcommand(grammar.Edit)
async def edit(cmd: grammar.Edit, call: Invocation) -> Reply:
    lead = await find_lead(call.services, call.team_id, cmd.ref, call.text)
    async with call.services.db.transaction() as conn:
        fresh = await leads.get_by_id(conn, lead.id)
        assert fresh is not None
        await _refuse_duplicate(conn, fresh, cmd.changes)
        updated = await leads.update(conn, fresh, cmd.changes, call.now)
    changed = ", ".join(
        f"{field} → “{escape(value) or '—'}”" for field, value in cmd.changes.items()
    )
    return _done(
        f":pencil2: Updated {lead_label(updated)}: {changed}. Now {band(updated.temperature(call.now))}."
    )


async def _refuse_duplicate(conn, lead: Lead, changes: dict[str, str]) -> None:
    name = changes.get("name", lead.name)
    company = changes.get("company", lead.company)
    email = changes.get("email", lead.email)
    other = await leads.find_duplicate(conn, lead.team_id, name, company, email)
    if other and other.id != lead.id:
        raise Refusal(
            f"That would make it a duplicate of {lead_label(other)}, so I changed nothing."
        )


async def _set_status(
    call: Invocation, ref: grammar.LeadRef, status: str, reason: str = ""
) -> Lead:
    closed_too = status == "open"  # reopening is for closed leads
    lead = await find_lead(call.services, call.team_id, ref, call.text, closed_too=closed_too)
    if lead.status == status:
        raise Refusal(f"{lead_label(lead)} is already {status}.")
    async with call.services.db.transaction() as conn:
        return await leads.set_status(conn, lead, status, call.now, reason)


@subcommand(grammar.Won)
async def won(cmd: grammar.Won, call: Invocation) -> Reply:
    lead = await _set_status(call, cmd.ref, "won")
    return _done(f":trophy: {lead_label(lead)} is won. Nice work!")


@subcommand(grammar.Lost)
async def lost(cmd: grammar.Lost, call: Invocation) -> Reply:
    lead = await _set_status(call, cmd.ref, "lost", cmd.reason)
    reason = f" ({escape(cmd.reason)})" if cmd.reason else ""
    return _done(
        f":x: {lead_label(lead)} is marked lost{reason}. `/lead reopen #{lead.number}` undoes it."
    )


@subcommand(grammar.Reopen)
async def reopen(cmd: grammar.Reopen, call: Invocation) -> Reply:
    lead = await _set_status(call, cmd.ref, "open")
    return _done(
        f":arrows_counterclockwise: {lead_label(lead)} is open again: {band(lead.temperature(call.now))}."
    )


@subcommand(grammar.Assign)
async def assign(cmd: grammar.Assign, call: Invocation) -> Reply:
    lead = await find_lead(call.services, call.team_id, cmd.ref, call.text)
    if lead.owner == cmd.user:
        raise Refusal(f"{lead_label(lead)} already belongs to {mention(cmd.user)}.")
    async with call.services.db.transaction() as conn:
        await leads.set_owner(conn, lead, cmd.user, call.now)
    return _done(
        f":handshake: {lead_label(lead)} now belongs to {mention(cmd.user)} "
        f"(was {mention(lead.owner)})."
    )

"""Sending what is due: each workspace's digest, each rep's quiet-lead reminder, hook alerts.

Each message goes through ``send_once.deliver`` (claimed before it is sent), so
any number of runners (each server's minute loop, a cron ``run-due``) send it
once. On PostgreSQL each runner takes a workspace only if no other has it right
now, so several processes share the workspaces and one slow team holds up no other.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.answers import waiting
from bot.domain.lead import Lead
from bot.domain.next_steps import in_hand, is_due, overdue_first
from bot.domain.reminders import due_reminders
from bot.domain.schedule import WorkspaceSettings, due_day
from bot.domain.temperature import WARM_AT
from handlers import clients as team_clients
from handlers import hook_alerts, people, relay, weekly, workflow_steps
from handlers.clients import TOKEN_DEAD, Clients, NotInstalled
from handlers.context import Services
from handlers.digest import digest_blocks, digest_for
from handlers.reminders import Daily, reminder_message
from handlers.send_once import Outcome, deliver
from storage import deliveries, leads, next_steps, pipeline

SCORE_MAX_AGE = timedelta(days=1)
RESCORE_BATCH = 250

log = logging.getLogger(__name__)


async def run_due(
    services: Services, clients: Clients | AsyncWebClient, now: datetime
) -> list[Outcome]:
    """Send every digest and reminder due at ``now``, in every installed workspace.

    Each workspace's messages go out with its own client; one whose token
    Slack refuses for good is switched off and skipped from then on.
    """
    clients = team_clients.of(clients, services)
    outcomes: list[Outcome] = []
    for team_id in await deliveries.workspaces(services.db.reader):
        async with services.db.workspace_turn(team_id) as ours:
            if not ours:  # another process is on this workspace now: its claims cover it
                continue
            try:
                client = await clients.for_team(team_id)
            except NotInstalled:
                continue
            settings = await deliveries.get_settings(services.db.reader, team_id)
            await refresh_scores(services, team_id, now)
            await weekly.keep_history(services, settings, now)
            digest = await _send_digest(services, client, settings, now)
            if digest:
                outcomes.append(digest)
                if digest.error in TOKEN_DEAD:
                    await clients.token_dead(team_id, digest.error)
                    continue
            reminders = await _send_reminders(services, client, settings, now)
            reminders += await hook_alerts.send_due(services, client, settings, now)
            reminders += await relay.send_due(services, client, settings, now)
            for end in await workflow_steps.end_due(services, client, team_id, now):
                reminders.append(
                    Outcome(team_id, "step", end.execution_id, end.day, end.status, end.error)
                )
            reminders += await weekly.send_due(services, client, settings, now)
            outcomes += reminders
            dead = next((o.error for o in reminders if o.error in TOKEN_DEAD), None)
            if dead:
                await clients.token_dead(team_id, dead)
    return outcomes


async def refresh_scores(services: Services, team_id: str, now: datetime) -> int:
    """Store today's score of leads scored over a day ago; returns how many changed.

    A stored score is the lead's score when last touched, an upper bound ever
    after; kept fresh, it lets every list skip the leads that have gone cold
    since. Small batches keep each write short, so commands never wait long.
    """
    after_id, changed = 0, 0
    while True:
        stale = await leads.stale_scores(
            services.db.reader,
            team_id,
            min_score=WARM_AT,
            scored_before=now - SCORE_MAX_AGE,
            after_id=after_id,
            limit=RESCORE_BATCH,
        )
        if not stale:
            return changed
        scored = [(lead, lead.temperature(now).score) for lead in stale]
        async with services.db.transaction() as conn:
            changed += await leads.save_scores(conn, scored, now)
        after_id = stale[-1].id


async def _send_digest(
    services: Services,
    client: AsyncWebClient,
    settings: WorkspaceSettings,
    now: datetime,
) -> Outcome | None:
    day = due_day(settings, None, now)
    if day is None or not settings.channel_id:
        return None
    channel_id = settings.channel_id

    async def send() -> tuple[str, str | None, dict[str, Any]]:
        digest = await digest_for(services, settings.team_id, now)
        reply = digest_blocks(digest, day, now)
        response = await client.chat_postMessage(
            channel=channel_id, text=reply.text, blocks=reply.blocks, unfurl_links=False
        )
        return response["channel"], response["ts"], {"hot": digest.hot_ids}

    return await deliver(services, settings, "digest", channel_id, day, now, send)


async def _send_reminders(
    services: Services,
    client: AsyncWebClient,
    settings: WorkspaceSettings,
    now: datetime,
) -> list[Outcome]:
    """Each owner's one daily DM: leads waiting for an answer, next steps due, quiet leads.

    An owner whose message for today is sent already costs one read, so the
    minute loop stays cheap; ``_deliver``'s claim still makes it once.
    """
    team_id, reader = settings.team_id, services.db.reader
    quiet_leads = await pipeline.quiet_warm(
        reader, team_id, now, settings.quiet_days, unreminded=True
    )
    # Due on some owner's calendar: no zone is more than a day ahead of UTC.
    due_steps = await next_steps.team_due(reader, team_id, now.date() + timedelta(days=1))
    step_leads = await leads.by_ids(reader, [step.lead_id for step in due_steps])
    quiet_by_owner: dict[str, list[Lead]] = defaultdict(list)
    for lead in quiet_leads:
        if lead.owner:  # a lead from a hook may have nobody yet: no one to remind
            quiet_by_owner[lead.owner].append(lead)
    owners = set(quiet_by_owner) | set(await pipeline.hot_owners(reader, team_id, now))
    owners |= {lead.owner for lead in step_leads if lead.owner}
    reminded = await deliveries.last_reminded(reader, [lead.id for lead in quiet_leads])
    outcomes = []
    for owner in sorted(owners):
        await people.refresh_if_stale(client, services, team_id, owner, now)
        known = await people.cached(services, team_id, owner)
        tz = known.tz if known and known.tz else None
        day = due_day(settings, tz, now)
        if day is None or await deliveries.settled(reader, team_id, "reminder", owner, day):
            continue
        daily = await _daily(services, settings, owner, day, now, quiet_by_owner[owner], reminded)
        if not daily.leads:
            continue

        async def send(
            owner: str = owner, daily: Daily = daily
        ) -> tuple[str, str | None, dict[str, Any]]:
            opened = await client.conversations_open(users=owner)
            reply = reminder_message(owner, daily, now, now)
            response = await client.chat_postMessage(
                channel=opened["channel"]["id"], text=reply.text, blocks=reply.blocks
            )
            quiet = [lead.id for lead in daily.leads if lead.id in daily.quiet]
            async with services.db.transaction() as conn:
                await deliveries.mark_reminded(conn, quiet, now)
            return response["channel"], response["ts"], {"leads": [lead.id for lead in daily.leads]}

        outcome = await deliver(services, settings, "reminder", owner, day, now, send)
        if outcome:
            outcomes.append(outcome)
    return outcomes


async def _daily(
    services: Services,
    settings: WorkspaceSettings,
    owner: str,
    today: date,
    now: datetime,
    quiet_candidates: list[Lead],
    reminded: dict[int, datetime],
) -> Daily:
    """What the owner's DM says today: waiting first, then steps due, then quiet leads.

    A quiet lead with a next step that is not overdue is in hand: it is left out;
    so is a snoozed lead, waiting or not. A step due is shown even then: it is a plan.
    """
    reader = services.db.reader
    hot = await pipeline.hot_leads(reader, settings.team_id, now, owner)
    waiting_leads = [
        lead
        for lead, _ in waiting(hot, now, settings.respond_hours)
        if not lead.is_snoozed(now)  # snoozed from this message: not again until it ends
    ]
    mine = await next_steps.owners_steps(reader, settings.team_id, owner)
    due = [step for step in overdue_first(mine, today) if is_due(step, today)]
    steps = {step.lead_id: step for step in mine}
    quiet = [
        lead
        for lead in due_reminders(quiet_candidates, now, settings.quiet_days, reminded)
        if not in_hand(steps.get(lead.id), today)
    ]
    stepped = {lead.id: lead for lead in await leads.by_ids(reader, [s.lead_id for s in due])}
    shown: dict[int, Lead] = {lead.id: lead for lead in waiting_leads}
    for step in due:
        shown.setdefault(step.lead_id, stepped[step.lead_id])
    for lead in quiet:
        shown.setdefault(lead.id, lead)
    quiet_ids = frozenset(lead.id for lead in quiet)
    return Daily(list(shown.values()), steps, today, settings.respond_hours, quiet_ids)

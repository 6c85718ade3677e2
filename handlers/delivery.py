"""Sending what is due: each workspace's digest, each rep's quiet-lead reminder, hook alerts.

Each message goes through ``send_once.deliver`` (claimed before it is sent), so
any number of runners (workers, a server's own loop, a cron ``run-due``) send it
once. A worker finds the workspaces that owe something now in the due index
(``storage.due``) rather than walking them all, runs several at once, and puts
each back with the next moment it owes something (``_next_due``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.answers import waiting
from bot.domain.lead import Lead
from bot.domain.next_steps import in_hand, is_due, overdue_first
from bot.domain.reminders import due_reminders, tried_since
from bot.domain.schedule import WorkspaceSettings, due_day, next_opening
from bot.domain.temperature import WARM_AT
from handlers import clients as team_clients
from handlers import hook_alerts, people, relay, weekly, workflow_steps
from handlers.clients import TOKEN_DEAD, Clients, NotInstalled
from handlers.context import Services
from handlers.digest import digest_blocks, digest_for
from handlers.reminders import Daily, reminder_message
from handlers.send_once import Outcome, deliver
from storage import deliveries, due, leads, next_steps, pipeline, users
from storage.db import storage_failure

AT_ONCE = 8
"""Workspaces a worker runs at the same time: each waits on Slack most of its turn."""
LEASE = timedelta(seconds=40)
"""How long a taken workspace is the taker's: one whose worker died is taken again after it."""
RETRY = timedelta(minutes=1)
"""A send that failed is tried again this much later."""
RECHECK = timedelta(hours=1)
"""A rep whose DM had nothing to say yet is looked at again within this, until their
midnight: a lead that turns quiet or waiting meanwhile still makes today's DM."""

NextDue = Callable[[Services, WorkspaceSettings, datetime], Awaitable[datetime | None]]
TIMED: tuple[NextDue, ...] = (hook_alerts.next_due, relay.next_due, workflow_steps.next_due)
"""Each feature with work due at a moment of its own says when its next is: the index asks
them all when a workspace is put back. A feature with new timed work adds itself here."""

SCORE_MAX_AGE = timedelta(days=1)
RESCORE_BATCH = 250

log = logging.getLogger(__name__)


async def run_due(
    services: Services, clients: Clients | AsyncWebClient, now: datetime
) -> list[Outcome]:
    """``run-due``: every workspace that has leads or settings, one after the other.

    A catch-up an operator runs by hand or from cron, due index or not; on
    PostgreSQL a workspace another process has right now is left to it.
    """
    clients = team_clients.of(clients, services)
    outcomes: list[Outcome] = []
    for team_id in await deliveries.workspaces(services.db.reader):
        async with services.db.workspace_turn(team_id) as ours:
            if ours:  # else another process is on this workspace now: its claims cover it
                outcomes += (await _run_workspace(services, clients, team_id, now)).outcomes
    return outcomes


async def send_what_is_due(
    services: Services,
    clients: Clients | AsyncWebClient,
    now: datetime,
    at_once: int = AT_ONCE,
) -> list[Outcome]:
    """A worker's minute: only the workspaces the due index says owe something at ``now``.

    Each is taken from the index (no other worker has it until its lease ends),
    run on its own short transactions, and put back with the next moment it owes
    something; ``at_once`` of them are under way together, so a slow workspace
    (Slack making it wait out a 429) holds up no other. With nothing due this
    costs one statement, however many workspaces there are.
    """
    clients = team_clients.of(clients, services)
    outcomes: list[Outcome] = []
    slots = asyncio.Semaphore(at_once)

    async def one(team_id: str) -> None:
        try:
            outcomes.extend(await _take_turn(services, clients, team_id, now))
        finally:
            slots.release()

    async with asyncio.TaskGroup() as group:
        while True:
            await slots.acquire()
            async with services.db.transaction() as conn:
                taken = await due.take(conn, now, services.clock.now() + LEASE, 1)
            if not taken:
                slots.release()
                break
            group.create_task(one(taken[0]), name=f"run-due {taken[0]}")
    return outcomes


async def _take_turn(
    services: Services, clients: Clients, team_id: str, now: datetime
) -> list[Outcome]:
    """One workspace's turn, then back into the index; a failure is logged and retried soon."""
    next_at = now + RETRY
    try:
        turn = await _run_workspace(services, clients, team_id, now)
        next_at = await _next_due(services, turn, now)
        return turn.outcomes
    except Exception as error:  # one workspace's failure must not stop the others' minute
        cause = storage_failure(error)
        if cause is None:
            log.exception("run-due for %s failed; trying it again in a minute", team_id)
        else:
            log.error("run-due for %s couldn't use the database (%s)", team_id, cause)
        return []
    finally:
        async with services.db.transaction() as conn:
            await due.put_back(conn, team_id, next_at)


@dataclass
class Turn:
    """What one workspace's run sent, and what it still owes today."""

    settings: WorkspaceSettings
    outcomes: list[Outcome] = field(default_factory=list)
    installed: bool = True
    owed: bool = False
    """Someone's message for today is due but not sent: nothing to say yet, or another
    runner has its claim."""

    @property
    def failed(self) -> bool:
        return any(outcome.status == "failed" for outcome in self.outcomes)


async def _run_workspace(services: Services, clients: Clients, team_id: str, now: datetime) -> Turn:
    """Everything one workspace owes at ``now``: digest, DMs, alerts' follow-ups, steps, weekly.

    A workspace whose token Slack refuses for good is switched off and skipped from then on.
    """
    settings = await deliveries.get_settings(services.db.reader, team_id)
    turn = Turn(settings)
    try:
        client = await clients.for_team(team_id)
    except NotInstalled:
        turn.installed = False
        return turn
    await refresh_scores(services, team_id, now)
    await weekly.keep_history(services, settings, now)
    digest = await _send_digest(services, client, settings, now)
    if digest:
        turn.outcomes.append(digest)
        if digest.error in TOKEN_DEAD:
            await clients.token_dead(team_id, digest.error)
            turn.installed = False
            return turn
    reminders, turn.owed = await _send_reminders(services, client, settings, now)
    reminders += await hook_alerts.send_due(services, client, settings, now)
    reminders += await relay.send_due(services, client, settings, now)
    for end in await workflow_steps.end_due(services, client, team_id, now):
        reminders.append(Outcome(team_id, "step", end.execution_id, end.day, end.status, end.error))
    reminders += await weekly.send_due(services, client, settings, now)
    turn.outcomes += reminders
    dead = next((o.error for o in reminders if o.error in TOKEN_DEAD), None)
    if dead:
        await clients.token_dead(team_id, dead)
        turn.installed = False
    return turn


async def _next_due(services: Services, turn: Turn, now: datetime) -> datetime:
    """When the workspace next owes something: a send that failed, in a minute; a DM still
    owed today, within the hour; else the next time the settings time comes round in the
    workspace's zone or a rep's, or the next timed item (``TIMED``), whichever is first.

    A switched-off workspace is looked at once a day, in case it came back some other way.
    """
    if not turn.installed:
        return now + timedelta(days=1)
    if turn.failed:
        return now + RETRY
    zones = await users.zones(services.db.reader, turn.settings.team_id)
    moments = [next_opening(turn.settings, zones, now)]
    if turn.owed:
        moments.append(now + RECHECK)
    for timed in TIMED:
        moment = await timed(services, turn.settings, now)
        if moment is not None:
            moments.append(max(moment, now + RETRY))  # overdue yet not sent: someone has it
    return min(moments)


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
) -> tuple[list[Outcome], bool]:
    """Each owner's one daily DM: leads waiting for an answer, next steps due, quiet leads.

    An owner whose message for today is sent already costs one read, so the
    minute loop stays cheap; ``_deliver``'s claim still makes it once. Also says
    whether someone's DM is due today and not sent (nothing to say yet, or claimed
    by another runner): the due index looks again later.
    """
    team_id, reader = settings.team_id, services.db.reader
    quiet_leads = await pipeline.gone_quiet(
        reader, team_id, now, settings.quiet_days, unreminded=True
    )
    # Due on some owner's calendar: no zone is more than a day ahead of UTC.
    due_steps = await next_steps.team_due(reader, team_id, now.date() + timedelta(days=1))
    step_leads = await leads.by_ids(reader, team_id, [step.lead_id for step in due_steps])
    quiet_by_owner: dict[str, list[Lead]] = defaultdict(list)
    for lead in quiet_leads:
        if lead.owner:  # a lead from a hook may have nobody yet: no one to remind
            quiet_by_owner[lead.owner].append(lead)
    owners = set(quiet_by_owner) | set(await pipeline.hot_owners(reader, team_id, now))
    owners |= {lead.owner for lead in step_leads if lead.owner}
    reminded = await deliveries.last_reminded(reader, team_id, [lead.id for lead in quiet_leads])
    outcomes, owed = [], False
    for owner in sorted(owners):
        await people.refresh_if_stale(client, services, team_id, owner, now)
        known = await people.cached(services, team_id, owner)
        tz = known.tz if known and known.tz else None
        day = due_day(settings, tz, now)
        if day is None or await deliveries.settled(reader, team_id, "reminder", owner, day):
            continue
        daily = await _daily(services, settings, owner, day, now, quiet_by_owner[owner], reminded)
        if not daily.leads:
            owed = True
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
                await deliveries.mark_reminded(conn, team_id, quiet, now)
            return response["channel"], response["ts"], {"leads": [lead.id for lead in daily.leads]}

        outcome = await deliver(services, settings, "reminder", owner, day, now, send)
        if outcome:
            outcomes.append(outcome)
        else:
            owed = True
    return outcomes, owed


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
    hot = await pipeline.maybe_waiting(reader, settings.team_id, now, settings.respond_hours, owner)
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
    stepped = {
        lead.id: lead
        for lead in await leads.by_ids(reader, settings.team_id, [s.lead_id for s in due])
    }
    shown: dict[int, Lead] = {lead.id: lead for lead in waiting_leads}
    for step in due:
        shown.setdefault(step.lead_id, stepped[step.lead_id])
    for lead in quiet:
        shown.setdefault(lead.id, lead)
    quiet_ids = frozenset(lead.id for lead in quiet)
    history = await leads.histories(reader, settings.team_id, list(quiet_ids))
    tried = {lead.id: tried_since(lead, history[lead.id]) for lead in quiet}
    return Daily(list(shown.values()), steps, today, settings.respond_hours, quiet_ids, tried)

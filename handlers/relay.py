"""The speed-to-lead relay in Slack: offers with Claim, the escalation, endings in place.

``send_due`` is the relay's scheduled step (run-due calls it per workspace): it
ends relays whose lead was answered, declined, snoozed, closed or taken; offers
a lead nobody answered to the next rep; escalates once after ``respond:`` hours.
Every offer and escalation is a delivery claimed before it is sent, so several
runners send each once, and an offer taken but not sent (a runner died) is sent
by the next run. Every message of a relay is updated in place when it ends.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.dates import zone
from bot.domain.lead import Lead
from bot.domain.relay import (
    Ending,
    Offer,
    Policy,
    Relay,
    availability,
    ending,
    escalation_due,
    offer_due,
)
from bot.domain.schedule import WorkspaceSettings
from bot.domain.text import duration, truncate
from bot.domain.vocabulary import ANSWERS
from handlers import door, payloads
from handlers.blocks import (
    Reply,
    context,
    escape,
    last_touch,
    lead_label,
    local_date,
    mention,
    plain,
    section,
)
from handlers.buttons import CARD_PREFIX, touch_actions
from handlers.context import Services
from handlers.door import Tools
from handlers.send_once import Outcome, deliver
from storage import deliveries, leads, notifications, relays
from storage.engine import Connection

CLAIM_ACTION = "relay_claim"
OFFER, ESCALATION = "offer", "escalation"
LOOK_AGAIN = timedelta(minutes=5)
"""While a relay runs, how soon the runners look again for an answer to say it ended."""

ENDED = {
    "claimed": ":raised_hand: claimed by {who}",
    "answered": ":white_check_mark: answered by {who}",
    "declined": ":no_entry_sign: they said no ({who} logged it)",
    "snoozed": ":zzz: snoozed",
    "closed": ":checkered_flag: closed",
    "reassigned": ":arrows_counterclockwise: reassigned to {who}",
    "expired": ":hourglass: never answered; the relay stopped",
}

log = logging.getLogger(__name__)


async def start(
    conn: Connection, lead: Lead, kind: str, at: datetime, now: datetime, signal_id: int | None
) -> None:
    """Start the lead's relay for a signal that waits for our answer (a demo answers itself).

    ``signal_id``: the hook signal whose alert the relay updates (``None``: a touch
    logged in Slack, with no alert). A lead with a relay running keeps it, and its clock.
    """
    if kind in ANSWERS:
        return
    settings = await deliveries.get_settings(conn, lead.team_id)
    if not settings.relay_minutes:
        return
    await relays.start(
        conn,
        lead.team_id,
        lead.id,
        owner=lead.owner,
        signal_id=signal_id,
        signal_at=at,
        snoozed_until=lead.snoozed_until,
        now=now,
    )


# ------------------------------------------------------------------ blocks


def _offered(relay: Relay) -> str:
    if not relay.offers:
        return "offered to nobody else yet"
    return "offered to " + ", ".join(
        f"{mention(offer.rep)} ({local_date(offer.at)})" for offer in relay.offers
    )


def _claim(lead: Lead) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": f"relay:{lead.number}",
        "elements": [
            {
                "type": "button",
                "action_id": CLAIM_ACTION,
                "text": plain("Claim"),
                "style": "primary",
                "value": payloads.lead_ref(lead.number),
            }
        ],
    }


def _contact(lead: Lead) -> str:
    contact = " · ".join(escape(truncate(x, 100)) for x in (lead.email, lead.phone) if x)
    return f"\n{contact}" if contact else ""


def relay_offer(lead: Lead, relay: Relay, policy: Policy, now: datetime) -> Reply:
    """The DM to the next rep: the lead, who had it, and **Claim**."""
    waited = duration(policy.waited(relay, now))
    had = f"{mention(relay.owner)} hasn't" if relay.owner else "Nobody has"
    text = (
        f":runner: A hot lead for you — claim it and it's yours:\n{lead_label(lead, 80)}: "
        f"{last_touch(lead, now)}{_contact(lead)}"
    )
    note = context(f"{had} answered it in {waited} of working time; the first to claim owns it.")
    return Reply(f"A lead for you: {lead.name[:100]}", [section(text), note, _claim(lead)])


def passed_on(lead: Lead, relay: Relay, offer: Offer, policy: Policy) -> Reply:
    """The first alert, once the lead was offered on: it may still be claimed or answered."""
    waited = duration(policy.waited(relay, offer.at))
    text = (
        f":runner: {lead_label(lead, 80)}: no answer after {waited}, "
        f"so it was passed on to {mention(offer.rep)}. Answer it now and it's still yours."
    )
    actions = (
        _claim(lead)
        if not relay.owner
        else touch_actions(lead, f"{CARD_PREFIX}{payloads.lead_ref(lead.number)}")
    )
    return Reply(f"Passed on: {lead.name[:100]}", [section(text), actions])


def escalation(lead: Lead, relay: Relay, policy: Policy, now: datetime) -> Reply:
    waited = duration(policy.waited(relay, now))
    owner = f"Owner: {mention(lead.owner)}" if lead.owner else "Nobody owns it"
    text = (
        f":rotating_light: {lead_label(lead, 80)} has waited {waited} of working time "
        f"for an answer. {owner}; {_offered(relay)}."
    )
    return Reply(f"Unanswered for {waited}: {lead.name[:100]}", [section(text), _claim(lead)])


def ended(lead: Lead, relay: Relay, end: Ending, policy: Policy) -> Reply:
    """What every message of the relay says once it is over: how, by whom, how fast."""
    how = ENDED[end.how].format(who=mention(end.by))
    waited = duration(policy.waited(relay, end.at))
    text = f"{lead_label(lead, 80)} — {how} after {waited}."
    return Reply(f"{lead.name[:100]}: {end.how}", [section(text)])


# ------------------------------------------------------------------ the scheduled step


async def send_due(
    services: Services,
    client: AsyncWebClient,
    settings: WorkspaceSettings,
    now: datetime,
) -> list[Outcome]:
    """End what is over, take the offer turns now due, send offers and escalations once."""
    policy = Policy.of(settings)
    team_id, reader = settings.team_id, services.db.reader
    running = await relays.running(reader, team_id)
    if not running:
        return []
    by_id = {
        lead.id: lead for lead in await leads.by_ids(reader, team_id, [r.lead_id for r in running])
    }
    touched = await relays.touched_since(
        reader, team_id, list(by_id), {r.lead_id: r.signal_at for r in running}
    )
    today = now.astimezone(zone(settings.tz)).date()
    who = availability(await notifications.of_team(reader, team_id), today)
    outcomes: list[Outcome | None] = []
    escalating: list[Lead] = []
    for relay in running:
        lead = by_id.get(relay.lead_id)
        if lead is None or lead.team_id != team_id:
            continue
        end = ending(relay, lead, touched.get(lead.id), now)
        if end is not None:
            await finish(services, client, relay, end)
            continue
        if not policy.on:
            continue
        rep = offer_due(policy, relay, lead, who, now)
        if rep is not None:
            async with services.db.transaction() as conn:
                await relays.offer(conn, team_id, relay.id, len(relay.offers) + 1, rep, now)
        if escalation_due(policy, relay, now) and not await deliveries.settled(
            reader, team_id, ESCALATION, str(relay.id), _day(relay)
        ):
            escalating.append(lead)
    if policy.on:
        for relay_id, offer in await relays.unsent_offers(reader, team_id):
            outcomes.append(await _send_offer(services, client, settings, relay_id, offer, now))
    for lead in escalating:  # after the offers, so it names everyone offered the lead
        latest = await relays.of_lead(reader, team_id, lead.id)
        if latest is not None and latest.ended is None:
            outcomes.append(await _escalate(services, client, settings, latest, lead, now))
    return [outcome for outcome in outcomes if outcome is not None]


async def next_due(
    services: Services, settings: WorkspaceSettings, now: datetime
) -> datetime | None:
    """When a running relay next owes a step (for the due index): its next offer or its
    escalation; and, while any runs, within ``LOOK_AGAIN``, to see it answered and say so."""
    policy = Policy.of(settings)
    running = await relays.running(services.db.reader, settings.team_id)
    if not running:
        return None
    moments = [now + LOOK_AGAIN]
    for relay in running:
        if policy.on and len(relay.offers) < len(policy.reps):
            moments.append(policy.offer_due(relay, len(relay.offers) + 1))
        if policy.on:
            moments.append(policy.escalation_due(relay))
    return min(moment for moment in moments if moment > now - LOOK_AGAIN)


def _day(relay: Relay) -> date:
    return relay.started_at.date()


async def _send_offer(
    services: Services,
    client: AsyncWebClient,
    settings: WorkspaceSettings,
    relay_id: int,
    offer: Offer,
    now: datetime,
) -> Outcome | None:
    reader, policy = services.db.reader, Policy.of(settings)
    relay = await relays.get(reader, settings.team_id, relay_id)
    lead = await leads.by_row_id(reader, settings.team_id, relay.lead_id) if relay else None
    if relay is None or lead is None or relay.ended is not None:
        return None

    async def send() -> tuple[str, str, dict[str, Any]]:
        reply = relay_offer(lead, relay, policy, now)
        opened = await client.conversations_open(users=offer.rep)
        response = await client.chat_postMessage(
            channel=opened["channel"]["id"], text=reply.text, blocks=reply.blocks
        )
        for kind, channel, ts in await relays.messages(reader, settings.team_id, relay):
            if kind == "alert":
                await _update(client, channel, ts, passed_on(lead, relay, offer, policy))
        return response["channel"], response["ts"], {"rep": offer.rep}

    recipient = f"{relay.id}:{offer.number}"
    return await deliver(services, settings, OFFER, recipient, _day(relay), now, send)


async def _escalate(
    services: Services,
    client: AsyncWebClient,
    settings: WorkspaceSettings,
    relay: Relay,
    lead: Lead,
    now: datetime,
) -> Outcome | None:
    """Once, to the manager by DM, or to the digest channel when there is no manager."""
    to = settings.manager or settings.channel_id
    if not to:
        return None
    reply = escalation(lead, relay, Policy.of(settings), now)

    async def send() -> tuple[str, str, dict[str, Any]]:
        channel = to
        if settings.manager:
            channel = (await client.conversations_open(users=settings.manager))["channel"]["id"]
        response = await client.chat_postMessage(
            channel=channel, text=reply.text, blocks=reply.blocks, unfurl_links=False
        )
        return response["channel"], response["ts"], {}

    return await deliver(services, settings, ESCALATION, str(relay.id), _day(relay), now, send)


async def finish(services: Services, client: AsyncWebClient, relay: Relay, end: Ending) -> bool:
    """End the relay (the first caller wins) and say so on every message it sent."""
    async with services.db.transaction() as conn:
        if not await relays.end(conn, relay.team_id, relay.id, end):
            return False
    await _say_ended(services, client, relay, end)
    return True


async def _update(client: AsyncWebClient, channel: str, ts: str, reply: Reply) -> None:
    """Redraw one message; one that is gone (deleted, channel archived) is left alone."""
    try:
        await client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)
    except SlackApiError as error:
        log.warning("could not update relay message %s/%s: %s", channel, ts, error)


# ------------------------------------------------------------------ Claim


@door.action(payloads.relay_claim)
async def on_claim(click: payloads.RelayClaim, tools: Tools) -> None:
    """The first click on any of the relay's Claim buttons owns the lead and ends the relay."""
    services, clicker = tools.services, click.clicker
    reader, team_id = services.db.reader, clicker.team_id
    lead = await leads.get(reader, team_id, click.number)
    relay = await relays.of_lead(reader, team_id, lead.id) if lead else None
    if lead is None or relay is None:
        await door.tell(tools, clicker_where(clicker), door.OUT_OF_DATE)
        return
    now = services.clock.now()
    end = Ending("claimed", clicker.user_id, now)
    async with services.db.transaction() as conn:
        won = relay.ended is None and await relays.end(conn, team_id, relay.id, end)
        if won:
            await leads.set_owner(conn, lead, clicker.user_id, now)
    if not won:
        latest = await relays.of_lead(reader, team_id, lead.id)
        over = latest.ended if latest and latest.ended else None
        how = ENDED[over.how].format(who=mention(over.by)) if over else "taken"
        await door.tell(tools, clicker_where(clicker), f"Too late: {lead_label(lead, 80)} — {how}.")
        return
    await _say_ended(services, tools.client, relay, end)


async def claimed(services: Services, client: AsyncWebClient, lead: Lead, by: str) -> bool:
    """The lead's channel alert was claimed: end its relay; ``False`` when none ran."""
    relay = await relays.of_lead(services.db.reader, lead.team_id, lead.id)
    if relay is None or relay.ended is not None:
        return False
    return await finish(services, client, relay, Ending("claimed", by, services.clock.now()))


async def _say_ended(services: Services, client: AsyncWebClient, relay: Relay, end: Ending) -> None:
    reader = services.db.reader
    lead = await leads.by_row_id(reader, relay.team_id, relay.lead_id)
    if lead is None:
        return
    reply = ended(lead, relay, end, Policy.of(await deliveries.get_settings(reader, lead.team_id)))
    for _, channel, ts in await relays.messages(reader, relay.team_id, relay):
        await _update(client, channel, ts, reply)


def clicker_where(clicker: payloads.Clicker) -> payloads.Where:
    return payloads.Where(clicker.user_id, clicker.channel_id, None)


def register(app: AsyncApp) -> None:
    app.action(CLAIM_ACTION)(on_claim)

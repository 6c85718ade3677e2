"""The instant alert for a signal from a hook, its one follow-up, and the Claim button.

A buying signal (or one that makes the lead hot) is told at once: to the owner
by DM, or, with nobody owning the lead, to the digest channel with a **Claim**
button that the first click wins. If it is still unanswered after ``respond:``
hours, it is told once more. Each message is a delivery claimed before it is
sent (kind ``alert`` or ``follow_up``, the signal's id as recipient), so the
receiver's own send and every runner's catch-up agree on sending it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.alerts import still_waiting
from bot.domain.lead import Lead
from bot.domain.schedule import WorkspaceSettings
from bot.domain.temperature import FRESH, KINDS, latest_buying_signal
from bot.domain.text import duration, truncate
from handlers import clicks, door, payloads, relay
from handlers.blocks import (
    Reply,
    ago,
    band,
    context,
    escape,
    last_touch,
    lead_label,
    mention,
    plain,
    reason_line,
    section,
)
from handlers.buttons import ASSIGN_ACTION, CARD_PREFIX, touch_actions
from handlers.context import Services
from handlers.door import Tools
from handlers.send_once import Outcome, Send, deliver
from storage import deliveries, hooks, leads
from storage.hooks import HookSignal

CLAIM_ACTION = "lead_claim"
CLAIM_PREFIX = "claim:"
ALERT, FOLLOW_UP = "alert", "follow_up"

Burst = Sequence[HookSignal]
"""The signals that joined a first one's alert (``hooks.burst``)."""

# ------------------------------------------------------------------ blocks


def _did(kind: str) -> str:
    did = KINDS[kind].label if kind in KINDS else kind
    return did[0].lower() + did[1:]


def _contact(lead: Lead) -> str:
    contact = " · ".join(escape(truncate(x, 100)) for x in (lead.email, lead.phone) if x)
    return f"\n{contact}" if contact else ""


def _what(lead: Lead, signal: HookSignal, now: datetime, more: Burst = ()) -> str:
    note = f"\n> {escape(truncate(signal.note, 300))}" if signal.note else ""
    return (
        f"{lead_label(lead, 80)} {_did(signal.kind)} {ago(signal.at, now)} (from a hook)"
        + _more(more)
        + _contact(lead)
        + note
    )


def _more(more: Burst) -> str:
    """ "and 2 more: downloaded a white paper, signed up for a trial" for a burst of signals."""
    if not more:
        return ""
    shown = ", ".join(_did(signal.kind) for signal in more[:5])
    return f", and {len(more)} more: {shown}" + (", …" if len(more) > 5 else "")


def _news(lead: Lead, now: datetime) -> str:
    """The lead and its latest buying signal, for an offer that no hook signal started."""
    latest = latest_buying_signal(lead.signals)
    news = f"{_did(latest[0])} {ago(latest[1], now)}" if latest else last_touch(lead, now)
    return f"{lead_label(lead, 80)}: {news}" + _contact(lead)


def _why(lead: Lead, now: datetime) -> str:
    temperature = lead.temperature(now)
    reasons = "; ".join(reason_line(r, now) for r in temperature.reasons[:3])
    return f"{band(temperature)} because: {reasons or 'no signals yet'}"


def owner_actions(lead: Lead) -> dict[str, Any]:
    """Log a touch, Snooze, and Not mine (reassign) under an alert."""
    block = touch_actions(lead, f"{CARD_PREFIX}{payloads.lead_ref(lead.number)}", with_lost=False)
    block["elements"].append(
        {"type": "users_select", "action_id": ASSIGN_ACTION, "placeholder": plain("Not mine")}
    )
    return block


def alert_message(lead: Lead, signal: HookSignal, now: datetime, more: Burst = ()) -> Reply:
    intro = f":rotating_light: {mention(lead.owner)}, a lead to answer now:"
    blocks = [
        section(f"{intro}\n{_what(lead, signal, now, more)}"),
        context(_why(lead, now)),
        owner_actions(lead),
    ]
    return Reply(f"Answer now: {lead.name[:100]} ({signal.kind})", blocks)


def claim_message(
    lead: Lead, signal: HookSignal, now: datetime, *, again: bool = False, more: Burst = ()
) -> Reply:
    intro = (
        ":alarm_clock: Still nobody's, and still waiting for an answer:"
        if again
        else ":rotating_light: A new lead, and nobody owns it yet:"
    )
    blocks = [
        section(f"{intro}\n{_what(lead, signal, now, more)}"),
        context(_why(lead, now)),
        _claim_button(f"{CLAIM_PREFIX}{lead.number}", CLAIM_ACTION, payloads.lead_ref(lead.number)),
    ]
    return Reply(f"Unclaimed lead: {lead.name[:100]} ({signal.kind})", blocks)


def offer_message(lead: Lead, now: datetime, *, action_id: str, value: str) -> Reply:
    """The alert with **Claim**, sent to one rep a lead is offered to (no hook signal behind it)."""
    blocks = [
        section(
            f":rotating_light: A lead for you to answer — claim it and it's yours:\n{_news(lead, now)}"
        ),
        context(_why(lead, now)),
        _claim_button(f"offer:{lead.number}", action_id, value),
    ]
    return Reply(f"A lead for you: {lead.name[:100]}", blocks)


def _claim_button(block_id: str, action_id: str, value: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [
            {
                "type": "button",
                "action_id": action_id,
                "text": plain("Claim"),
                "style": "primary",
                "value": value,
            }
        ],
    }


def claimed_message(lead: Lead, owner: str) -> Reply:
    text = f":raised_hand: {lead_label(lead, 80)} — claimed by {mention(owner)}."
    return Reply(f"{lead.name[:100]} claimed", [section(text)])


def follow_up_message(lead: Lead, signal: HookSignal, now: datetime) -> Reply:
    waited = duration(now - signal.at)
    text = (
        f":alarm_clock: {mention(lead.owner)}, still no answer after {waited}:\n"
        f"{_what(lead, signal, now)}"
    )
    blocks = [section(text), context(_why(lead, now)), owner_actions(lead)]
    return Reply(f"Still waiting {waited}: {lead.name[:100]}", blocks)


# ------------------------------------------------------------------ sending


async def send_alert(
    services: Services,
    client: AsyncWebClient,
    settings: WorkspaceSettings,
    signal: HookSignal,
    now: datetime,
) -> Outcome | None:
    """The instant alert for one signal, once; ``None`` when it is done or has nowhere to go.

    A signal that joined a burst updates the burst's first alert instead.
    """
    lead = await leads.by_row_id(services.db.reader, settings.team_id, signal.lead_id)
    if lead is None or lead.status != "open":
        return None
    if signal.burst_of is not None:
        return await _join_burst(services, client, settings, signal, lead, now)
    more = await hooks.burst(services.db.reader, settings.team_id, signal.id)
    if lead.owner:
        reply = alert_message(lead, signal, now, more)
        send = _dm(client, lead.owner, reply)
    elif settings.channel_id:
        send = _post(client, settings.channel_id, claim_message(lead, signal, now, more=more))
    else:
        return None  # nobody owns it and there is no channel: the digest will show it
    return await deliver(services, settings, ALERT, str(signal.id), _day(signal), now, send)


async def _join_burst(
    services: Services,
    client: AsyncWebClient,
    settings: WorkspaceSettings,
    signal: HookSignal,
    lead: Lead,
    now: datetime,
) -> Outcome | None:
    """Redraw the burst's first alert with this signal in it ("and 2 more: …"), once.

    Until the first alert is out there is nothing to redraw: the first one, sent
    later, shows the whole burst, and this one is tried again by run-due.
    """
    reader, team_id = services.db.reader, settings.team_id
    assert signal.burst_of is not None
    first = await hooks.get_signal(reader, team_id, signal.burst_of)
    sent = await deliveries.latest(reader, team_id, ALERT, str(signal.burst_of))
    if first is None or sent is None or sent.status != "sent" or not sent.channel or not sent.ts:
        return None
    in_channel = not sent.channel.startswith("D")
    if in_channel and lead.owner:
        return None  # claimed from the channel meanwhile: the message says so, and stays so
    more = await hooks.burst(reader, team_id, first.id)
    if in_channel:
        reply = claim_message(lead, first, now, more=more)
    else:
        reply = alert_message(lead, first, now, more)
    channel, ts = sent.channel, sent.ts

    async def send() -> tuple[str, str, dict[str, Any]]:
        await client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)
        return channel, ts, {"burst_of": first.id}

    return await deliver(services, settings, ALERT, str(signal.id), _day(signal), now, send)


async def send_follow_up(
    services: Services,
    client: AsyncWebClient,
    settings: WorkspaceSettings,
    signal: HookSignal,
    now: datetime,
) -> Outcome | None:
    if signal.burst_of is not None:
        return None  # its burst's first signal is followed up, once for all
    lead = await leads.by_row_id(services.db.reader, settings.team_id, signal.lead_id)
    if lead is None or not still_waiting(lead, signal.at, now, settings.respond_hours):
        return None
    if lead.owner:
        send = _dm(client, lead.owner, follow_up_message(lead, signal, now))
    elif settings.channel_id:
        send = _post(client, settings.channel_id, claim_message(lead, signal, now, again=True))
    else:
        return None
    return await deliver(services, settings, FOLLOW_UP, str(signal.id), _day(signal), now, send)


async def send_due(
    services: Services,
    client: AsyncWebClient,
    settings: WorkspaceSettings,
    now: datetime,
) -> list[Outcome]:
    """Alerts a receiver did not get out, and follow-ups now due: what run-due owes."""
    respond = timedelta(hours=settings.respond_hours)
    reader, team_id = services.db.reader, settings.team_id
    outcomes = []
    for signal in await hooks.unsent_signals(
        reader, team_id, ALERT, arrived_after=now - respond, arrived_by=now
    ):
        outcomes.append(await send_alert(services, client, settings, signal, now))
    if settings.relay_minutes:  # the relay escalates instead, counting working hours
        return [outcome for outcome in outcomes if outcome is not None]
    for signal in await hooks.unsent_signals(
        reader, team_id, FOLLOW_UP, arrived_after=now - FRESH, arrived_by=now - respond
    ):
        outcomes.append(await send_follow_up(services, client, settings, signal, now))
    return [outcome for outcome in outcomes if outcome is not None]


async def next_due(
    services: Services, settings: WorkspaceSettings, now: datetime
) -> datetime | None:
    """When the next follow-up falls due (for the due index): its signal's arrival plus the
    respond window."""
    respond = timedelta(hours=settings.respond_hours)
    first = await hooks.first_undone(
        services.db.reader, settings.team_id, FOLLOW_UP, arrived_after=now - respond
    )
    return first + respond if first else None


def _day(signal: HookSignal) -> date:
    return signal.arrived_at.date()


def _dm(client: AsyncWebClient, user_id: str, reply: Reply) -> Send:
    async def send() -> tuple[str, str | None, dict[str, Any]]:
        opened = await client.conversations_open(users=user_id)
        return await _post(client, opened["channel"]["id"], reply)()

    return send


def _post(client: AsyncWebClient, channel: str, reply: Reply) -> Send:
    async def send() -> tuple[str, str | None, dict[str, Any]]:
        response = await client.chat_postMessage(
            channel=channel, text=reply.text, blocks=reply.blocks, unfurl_links=False
        )
        return response["channel"], response["ts"], {}

    return send


# ------------------------------------------------------------------ the Claim button


@door.action(payloads.lead_click)
async def on_claim(click: payloads.LeadClick, tools: Tools) -> None:
    """The first click owns the lead; the message then says who claimed it."""
    services, clicker = tools.services, click.clicker
    lead = await clicks.clicked_lead(services, clicker, click.number)
    now = services.clock.now()
    async with services.db.transaction() as conn:
        won = await leads.claim(conn, lead.id, lead.team_id, clicker.user_id, now)
    if not won:
        taken = await leads.get(services.db.reader, lead.team_id, lead.number)
        owner = taken.owner if taken else ""
        await door.tell(
            tools,
            payloads.Where(clicker.user_id, clicker.channel_id, None),
            f":raised_hand: {mention(owner)} claimed {lead_label(lead, 80)} first.",
        )
        return
    if await relay.claimed(services, tools.client, lead, clicker.user_id):
        return  # every message of the lead's relay, this one too, now says who claimed it
    if clicker.in_message:
        reply = claimed_message(lead, clicker.user_id)
        await tools.client.chat_update(
            channel=clicker.channel_id, ts=clicker.message_ts, text=reply.text, blocks=reply.blocks
        )


def register(app: AsyncApp) -> None:
    app.action(CLAIM_ACTION)(on_claim)

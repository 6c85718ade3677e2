"""``POST /hooks/<hook_id>``: leads from forms, Zapier and booking tools, stored within one request.

The door checks, in this order, and stores nothing unless all pass: the hook
exists and is live (404), its rate (429), the size (413), the content type
(415), the sender's secret or signature (401), the body (400). Then one write
transaction matches or creates the lead and logs the touch, so a retry with the
same idempotency key finds the first delivery and stores nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import aiohttp
import msgspec
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.alerts import deserves_alert
from bot.domain.dates import zone
from bot.domain.hooks import Hook, authentic, is_hook_id
from bot.domain.lead import Lead, NewTouch
from bot.domain.rate_limit import Buckets
from bot.domain.text import quotable
from handlers import clients as team_clients
from handlers import hook_alerts, people, relay
from handlers import hook_calendly as calendly
from handlers import hook_typeform as typeform
from handlers.alert_queue import AlertQueue
from handlers.clients import Clients, NotInstalled
from handlers.context import Services
from handlers.hook_payloads import (
    MAX_BODY,
    Arrival,
    InboundError,
    Refused,
    Stored,
    arrival,
    decode,
    json_of,
)
from storage import deliveries, hooks, leads, users
from storage.engine import Connection
from storage.hooks import HookSignal

PATH = "/hooks/{hook_id}"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
CONTENT_TYPES = {"generic": (JSON, FORM), "typeform": (JSON,), "calendly": (JSON,)}
LOOKUP_TIMEOUT = 2.0
"""Seconds to wait for ``users.lookupByEmail`` before asking the sender to retry."""
BURST = timedelta(minutes=10)
"""Signals for one lead this soon after the first join its alert instead of sending more."""
EMAILS_KNOWN_FOR = 3600.0
"""Seconds an owner's email → user id answer is reused: most senders name the same few reps."""

log = logging.getLogger(__name__)


class Refusal(Exception):
    def __init__(self, status: int, error: str, field: str | None = None, **headers: str):
        error, field = quotable(error), quotable(field) if field else None  # they quote the body
        super().__init__(error)
        self.status, self.error, self.field, self.headers = status, error, field, headers

    def response(self) -> web.Response:
        body = msgspec.json.encode(Refused(ok=False, error=self.error, field=self.field))
        return web.Response(
            status=self.status, body=body, content_type=JSON, headers=self.headers or None
        )


class HookReceiver:
    """The hook route, with what it keeps between requests: rate buckets and owners' emails."""

    def __init__(
        self,
        services: Services,
        clients: Clients | AsyncWebClient,
        buckets: Buckets | None = None,
    ) -> None:
        self.services = services
        self.clients = team_clients.of(clients, services)
        self.buckets = buckets or Buckets()
        self._emails: dict[tuple[str, str], tuple[str, float]] = {}
        self.alerts = AlertQueue()

    def routes(self) -> list[web.RouteDef]:
        return [web.post(PATH, self.receive)]

    async def receive(self, request: web.Request) -> web.Response:
        with self.alerts.answering():
            return await self._answer(request)

    async def _answer(self, request: web.Request) -> web.Response:
        hook: Hook | None = None
        try:
            hook = await self._live_hook(request.match_info["hook_id"])
            body = await self._body(hook, request)
            now = self.services.clock.now()
            if not authentic(hook, body, request.headers, now):
                raise Refusal(401, "The secret or signature is missing or wrong.")
            signal = await self._read(hook, body, request, now)
            if isinstance(signal, str):
                return _json({"ok": True, "ignored": [signal]})
            answer, alerting = await self._store(hook, signal, now)
            if alerting is not None:
                self.alerts.put(partial(self._alert, hook.team_id, alerting))
            return _json(answer)
        except Refusal as refusal:
            if hook is not None and refusal.status in (400, 401):
                await self._remember_refusal(hook, refusal)
            return refusal.response()

    async def _live_hook(self, hook_id: str) -> Hook:
        hook = (
            await hooks.addressed(self.services.db.reader, hook_id) if is_hook_id(hook_id) else None
        )
        if hook is None or hook.revoked_at is not None:
            raise Refusal(404, "There is no such hook, or it was revoked.")
        wait = self.buckets.take(hook.id, time.monotonic())
        if wait:
            raise Refusal(
                429,
                f"Too many requests: this hook takes {self.buckets.per_minute} a minute.",
                **{"Retry-After": str(math.ceil(wait))},
            )
        return hook

    async def _body(self, hook: Hook, request: web.Request) -> bytes:
        too_big = Refusal(413, f"The body is over {MAX_BODY // 1024} KiB.")
        if (request.content_length or 0) > MAX_BODY:
            raise too_big
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise too_big from None
        if len(body) > MAX_BODY:
            raise too_big
        accepted = CONTENT_TYPES[hook.type]
        if request.content_type not in accepted:
            raise Refusal(415, f"Send the body as {' or '.join(accepted)}.")
        return body

    async def _read(
        self, hook: Hook, body: bytes, request: web.Request, now: datetime
    ) -> Arrival | str:
        """The signal in the body, or the name of a Calendly event that carries none."""
        sent_as: dict[str, str] = {}  # a refused field, as the sender calls it
        ignored: tuple[str, ...] = ()
        key: str | None = None
        try:
            if hook.type == "typeform":
                lead, sent_as = typeform.read(body), typeform.SENT_AS
            elif hook.type == "calendly":
                booking = calendly.read(body)
                if isinstance(booking, str):
                    return booking
                lead = booking.lead(await self._zone(hook), now)
                sent_as = calendly.SENT_AS
            else:
                lead, ignored = decode(_fields(body, request.content_type))
                key = request.headers.get("Idempotency-Key") or request.headers.get("webhook-id")
            signal = arrival(lead, default_kind=hook.kind, now=now, key=key, ignored=ignored)
        except InboundError as error:
            field = sent_as.get(error.field, error.field) if error.field else None
            raise Refusal(400, str(error), field) from None
        if signal.owner_email:
            owner = await self._user_by_email(hook.team_id, signal.owner_email)
            signal = replace(signal, owner=owner, owner_email="")
        elif signal.owner:
            await self._member(hook.team_id, signal.owner)
        return signal

    async def _member(self, team_id: str, user_id: str) -> None:
        """A payload's owner must be one of the hook's workspace's people (Slack says who)."""
        member = await people.is_member(
            await self._client(team_id), self.services, team_id, user_id
        )
        if member is None:
            raise _slack_unsure("users.info failed")
        if not member:
            raise Refusal(
                400, f"{user_id} is not an active member of this hook's Slack workspace.", "owner"
            )

    async def _client(self, team_id: str) -> AsyncWebClient:
        try:
            return await self.clients.for_team(team_id)
        except NotInstalled:
            raise Refusal(
                503, "This hook's Slack workspace has no working installation; reinstall hotleads."
            ) from None

    async def _zone(self, hook: Hook) -> ZoneInfo:
        known = await users.get(self.services.db.reader, hook.team_id, hook.owner)
        return zone(known.tz if known else None)

    async def _user_by_email(self, team_id: str, email: str) -> str:
        cached = self._emails.get((team_id, email.lower()))
        if cached and time.monotonic() - cached[1] < EMAILS_KNOWN_FOR:
            return cached[0]
        client = await self._client(team_id)
        try:
            async with asyncio.timeout(LOOKUP_TIMEOUT):
                response = await client.users_lookupByEmail(email=email)
        except SlackApiError as error:
            if people.slack_error(error) == "users_not_found":
                raise Refusal(
                    400, f"No one in this Slack workspace has the email {email}.", "owner"
                ) from None
            raise _slack_unsure(error) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise _slack_unsure(error) from None
        user_id: str = response["user"]["id"]
        self._emails[(team_id, email.lower())] = (user_id, time.monotonic())
        return user_id

    async def _store(
        self, hook: Hook, signal: Arrival, now: datetime
    ) -> tuple[Stored, HookSignal | None]:
        """The answer, and the signal to alert about, if it deserves one, once committed."""
        by = f"hook:{hook.id}"
        async with self.services.db.transaction() as conn:
            known = await hooks.delivered(conn, hook, signal.key) if signal.key else None
            if known is not None:
                lead = await leads.by_row_id(conn, hook.team_id, known)
                assert lead is not None  # deliveries go with their lead
                await hooks.used(conn, hook, now)
                return _stored(lead, now, created=False, duplicate=True, signal=signal), None
            lead = await leads.find_duplicate(
                conn, hook.team_id, signal.name, signal.company, signal.email
            )
            created = lead is None
            before = None if lead is None else lead.temperature(now).band
            if lead is not None and not lead.owner:
                owner = await owner_for(conn, hook, signal)
                if owner:
                    lead = await leads.set_owner(conn, lead, owner, now)
            if lead is None:
                lead = await leads.create(
                    conn,
                    team_id=hook.team_id,
                    name=signal.name,
                    source=signal.source,
                    owner=await owner_for(conn, hook, signal),
                    created_by=by,
                    now=now,
                    company=signal.company,
                    email=signal.email,
                    phone=signal.phone,
                    created_at=min(signal.at, now),
                )
            lead = await leads.add_touch(
                conn,
                lead,
                NewTouch(
                    kind=signal.kind, at=signal.at, logged_by=by, note=signal.note, how=hook.how
                ),
                now,
            )
            if signal.key:
                await hooks.remember(conn, hook, signal.key, lead.id, now)
            await hooks.used(conn, hook, now)
            alerting = None
            if deserves_alert(signal.kind, before, lead.temperature(now).band):
                first = await hooks.burst_started(conn, hook.team_id, lead.id, now - BURST)
                alerting = await hooks.add_signal(
                    conn,
                    team_id=hook.team_id,
                    lead_id=lead.id,
                    hook_id=hook.id,
                    kind=signal.kind,
                    note=signal.note,
                    at=signal.at,
                    arrived_at=now,
                    burst_of=first.id if first else None,
                )
                await relay.start(conn, lead, signal.kind, signal.at, now, alerting.id)
        return _stored(lead, now, created=created, duplicate=False, signal=signal), alerting

    async def _alert(self, team_id: str, signal: HookSignal) -> None:
        """Tell the owner, after the answer has gone: the sender never waits on Slack."""
        try:
            client = await self.clients.for_team(team_id)
            settings = await deliveries.get_settings(self.services.db.reader, team_id)
            await hook_alerts.send_alert(
                self.services, client, settings, signal, self.services.clock.now()
            )
        except NotInstalled:
            log.warning("no installation for %s: the alert waits for run-due", team_id)
        except Exception:
            log.exception("alert for hook signal %s failed; run-due will retry", signal.id)

    async def _remember_refusal(self, hook: Hook, refusal: Refusal) -> None:
        async with self.services.db.transaction() as conn:
            await hooks.refused(
                conn, hook, f"{refusal.status}: {refusal.error}", self.services.clock.now()
            )


def _slack_unsure(error: Exception | str) -> Refusal:
    """Slack could not say who the owner is: nothing stored, and the sender may retry."""
    log.warning("Slack could not say who the owner is: %s", error)
    return Refusal(
        503, "Slack can't say who the owner is right now; try again.", **{"Retry-After": "30"}
    )


async def owner_for(conn: Connection, hook: Hook, signal: Arrival) -> str:
    """The payload's owner, else the hook's, else the next rep in ``reps:``, else nobody."""
    return signal.owner or hook.owner or await deliveries.next_rep(conn, hook.team_id)


def _fields(body: bytes, content_type: str) -> dict[str, Any]:
    if content_type == FORM:
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise InboundError("The body is not form data in UTF-8.") from None
    fields = json_of(body)
    if not isinstance(fields, dict):
        raise InboundError("The body must be a JSON object of lead fields.")
    return fields


def _stored(
    lead: Lead, now: datetime, *, created: bool, duplicate: bool, signal: Arrival
) -> Stored:
    return Stored(
        ok=True,
        lead=lead.number,
        created=created,
        duplicate=duplicate,
        temperature=lead.temperature(now).band,
        ignored=list(signal.ignored),
    )


def _json(answer: Any) -> web.Response:
    return web.Response(body=msgspec.json.encode(answer), content_type=JSON)

"""Inbound hooks end to end: the real server on loopback, signed as each sender signs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import aiohttp
import jsonschema
import pytest
from aiohttp import web
from conftest import TEAM, every_lead
from standardwebhooks.webhooks import Webhook

from bot import openapi
from bot.app import hooks_app
from bot.domain.hooks import NewHook, new_hook
from bot.domain.rate_limit import PER_MINUTE
from bot.domain.slack_user import SlackUser
from handlers.hook_payloads import MAX_BODY
from storage import hooks, users

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
OTHER_TEAM = "T0002"


async def make_hook(hotleads, type="generic", team=TEAM, kind="inbound", owner="") -> NewHook:
    made = new_hook(
        team_id=team,
        type=type,
        kind=kind,
        owner=owner,
        created_by="UADMIN",
        now=hotleads.clock.now(),
    )
    async with hotleads.db.transaction() as conn:
        await hooks.create(conn, made.hook)
    return made


async def post(hotleads, hook_id: str, body: bytes, **headers: str) -> tuple[int, dict, dict]:
    url = hotleads.url.removesuffix("/slack/events") + f"/hooks/{hook_id}"
    headers.setdefault("Content-Type", "application/json")
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as r,
    ):
        return r.status, await r.json(), dict(r.headers)


async def send(hotleads, made: NewHook, fields: dict, **headers: str) -> tuple[int, dict]:
    """A generic delivery with the bearer secret."""
    status, answer, _ = await post(
        hotleads,
        made.hook.id,
        json.dumps(fields).encode(),
        Authorization=f"Bearer {made.secret}",
        **headers,
    )
    return status, answer


async def stored(hotleads) -> tuple[list, list]:
    """Every lead and touch row, and every delivery key: what a refusal must leave alone."""
    rows = []
    for table in ("leads", "interactions", "lead_signals", "hook_deliveries"):
        found = await hotleads.db.reader.fetchall(f"SELECT * FROM {table}")
        rows.append(sorted((tuple(r) for r in found), key=repr))
    return rows


async def touches(hotleads) -> list[dict]:
    rows = await hotleads.db.reader.fetchall(
        "SELECT lead_id, kind, note, at, logged_by, how FROM interactions ORDER BY id"
    )
    return [dict(zip(r.keys(), r, strict=True)) for r in rows]


def typeform_signed(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def calendly_signed(key: str, body: bytes, at: datetime) -> str:
    stamp = str(int(at.timestamp()))
    digest = hmac.new(key.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def standard_signed(secret: str, body: bytes, msg_id: str, at: datetime) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id, at, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def answer_schema(status: int) -> dict:
    """The document's schema for this answer, resolvable on its own."""
    doc = openapi.document()
    ref = doc["paths"]["/hooks/{hook_id}"]["post"]["responses"][str(status)]["content"][
        "application/json"
    ]["schema"]
    return {**ref, "components": doc["components"]}


def matches_document(status: int, answer: dict) -> None:
    jsonschema.validate(answer, answer_schema(status), cls=jsonschema.Draft202012Validator)


# ------------------------------------------------------------------ generic


async def test_a_quote_request_becomes_a_hot_lead_with_its_touch(hotleads):
    made = await make_hook(hotleads, kind="quote", owner="UANA")
    status, answer = await send(
        hotleads,
        made,
        {"name": "Jane Doe", "email": "jane@acme.com", "company": "Acme", "note": "20 seats"},
    )
    assert status == 200, answer
    matches_document(200, answer)
    assert answer == {
        "ok": True,
        "lead": 1,
        "created": True,
        "duplicate": False,
        "temperature": "hot",
    }
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert (lead.name, lead.email, lead.company, lead.source, lead.owner) == (
        "Jane Doe",
        "jane@acme.com",
        "Acme",
        "inbound",
        "UANA",
    )
    assert await touches(hotleads) == [
        {
            "lead_id": lead.id,
            "kind": "quote",
            "note": "20 seats",
            "at": "2026-11-23T10:00:00Z",
            "logged_by": f"hook:{made.hook.id}",
            "how": "integration (generic)",
        }
    ]
    (hook,) = await hooks.of_team(hotleads.db.reader, TEAM)
    assert (hook.received, hook.last_used_at) == (1, hotleads.clock.now())


async def test_form_data_with_first_and_last_name_and_unknown_fields_listed(hotleads):
    made = await make_hook(hotleads)
    body = urlencode(
        {
            "first_name": "Omar",
            "last_name": "Haddad",
            "kind": "whitepaper",
            "utm_source": "ads",
            "page": "/pricing",
            "at": "2026-11-23T09:00:00+01:00",
        }
    )
    status, answer, _ = await post(
        hotleads,
        made.hook.id,
        body.encode(),
        Authorization=f"Bearer {made.secret}",
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200, answer
    assert answer["ignored"] == ["page", "utm_source"]
    matches_document(200, answer)
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert lead.name == "Omar Haddad"
    (touch,) = await touches(hotleads)
    assert (touch["kind"], touch["at"]) == ("download", "2026-11-23T08:00:00Z")


async def test_an_existing_lead_is_matched_by_email_then_by_name_and_company(hotleads):
    made = await make_hook(hotleads, kind="trial")
    await send(hotleads, made, {"name": "Jane Doe", "email": "jane@acme.com", "company": "Acme"})
    status, answer = await send(hotleads, made, {"name": "J. Doe", "email": "JANE@acme.com"})
    assert (status, answer["lead"], answer["created"]) == (200, 1, False)
    status, answer = await send(hotleads, made, {"name": "jane doe", "company": "ACME"})
    assert (status, answer["lead"], answer["created"]) == (200, 1, False)
    status, answer = await send(hotleads, made, {"name": "Jane Doe", "company": "Globex"})
    assert (answer["lead"], answer["created"]) == (2, True)
    assert len(await touches(hotleads)) == 4


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"company": "Acme"}, "name", "name or an email"),
        ({"name": "Jane", "email": "jane at acme"}, "email", "doesn't look like an email"),
        ({"name": "Jane", "kind": "telepathy"}, "kind", "I don't know the kind"),
        ({"name": "Jane", "source": "billboard"}, "source", "I don't know the source"),
        ({"name": "x" * 201}, "name", "too long"),
        ({"name": "Jane", "note": "n" * 2001}, "note", "too long"),
        ({"name": "Jane", "at": "next tuesday"}, "at", "ISO 8601"),
        ({"name": "Jane", "at": "2026-11-23T10:05:00Z"}, "at", "future"),
        ({"name": 42}, "name", "must be text"),
        ({"name": "Jane", "owner": "@maria"}, "owner", "neither a Slack user id"),
    ],
)
async def test_a_body_that_cant_be_a_lead_is_refused_and_nothing_is_stored(
    hotleads, fields, field, words
):
    made = await make_hook(hotleads)
    before = await stored(hotleads)
    status, answer = await send(hotleads, made, fields)
    assert status == 400
    matches_document(400, answer)
    assert answer["ok"] is False and answer["field"] == field
    assert words in answer["error"]
    assert await stored(hotleads) == before
    (hook,) = await hooks.of_team(hotleads.db.reader, TEAM)
    assert hook.received == 0 and hook.last_error.startswith("400: ")


@pytest.mark.parametrize("body", [b"[1, 2]", b"{not json", b"\xff\xfe"])
async def test_a_body_that_is_no_json_object_is_refused(hotleads, body):
    made = await make_hook(hotleads)
    status, answer, _ = await post(
        hotleads, made.hook.id, body, Authorization=f"Bearer {made.secret}"
    )
    assert status == 400 and answer["ok"] is False
    assert await every_lead(hotleads.db, TEAM) == []


async def test_a_wrong_or_missing_secret_is_refused(hotleads):
    made = await make_hook(hotleads)
    other = await make_hook(hotleads)
    body = json.dumps({"name": "Jane"}).encode()
    for headers in (
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": made.secret},
        {"Authorization": f"Bearer {other.secret}"},
        {"Authorization": "Basic x"},
    ):
        status, answer, _ = await post(hotleads, made.hook.id, body, **headers)
        assert status == 401, headers
        matches_document(401, answer)
    assert await stored(hotleads) == [[], [], [], []]


async def test_standard_webhooks_signatures_are_checked_with_five_minutes_tolerance(hotleads):
    made = await make_hook(hotleads)
    body = json.dumps({"name": "Jane", "email": "jane@acme.com"}).encode()
    now = hotleads.clock.now()  # judged by the app's clock, as every other moment is
    status, answer, _ = await post(
        hotleads, made.hook.id, body, **standard_signed(made.secret, body, "msg_1", now)
    )
    assert (status, answer["created"]) == (200, True)
    # The same message again: webhook-id is its idempotency key.
    status, answer, _ = await post(
        hotleads, made.hook.id, body, **standard_signed(made.secret, body, "msg_1", now)
    )
    assert (status, answer["duplicate"], answer["created"]) == (200, True, False)
    before = await stored(hotleads)
    stale = standard_signed(made.secret, body, "msg_2", now - timedelta(minutes=6))
    forged = standard_signed(made.secret, b'{"name": "Mallory"}', "msg_3", now)
    other = standard_signed((await make_hook(hotleads)).secret, body, "msg_4", now)
    garbled = {**standard_signed(made.secret, body, "msg_5", now), "webhook-signature": "v1"}
    for headers in (stale, forged, other, garbled):
        status, _, _ = await post(hotleads, made.hook.id, body, **headers)
        assert status == 401
    assert await stored(hotleads) == before
    assert len(await touches(hotleads)) == 1


@pytest.mark.parametrize("where", ["body", "Idempotency-Key", "webhook-id"])
async def test_a_replay_with_the_same_id_is_stored_once(hotleads, where):
    made = await make_hook(hotleads, kind="quote")
    fields = {"name": "Jane", "email": "jane@acme.com"}
    headers = {}
    if where == "body":
        fields["id"] = "order-17"
    else:
        headers[where] = "order-17"
    first = await send(hotleads, made, fields, **headers)
    again = await send(hotleads, made, fields, **headers)
    assert first[0] == again[0] == 200
    assert first[1]["duplicate"] is False and again[1]["duplicate"] is True
    assert again[1]["lead"] == first[1]["lead"] and again[1]["created"] is False
    assert len(await touches(hotleads)) == 1
    # A new id is a new touch on the same lead.
    fields["id"] = "order-18"
    third = await send(hotleads, made, fields)
    assert (third[1]["duplicate"], third[1]["lead"]) == (False, first[1]["lead"])
    assert len(await touches(hotleads)) == 2


async def test_oversize_wrong_type_unknown_and_revoked_hooks_store_nothing(hotleads):
    made = await make_hook(hotleads)
    bearer = {"Authorization": f"Bearer {made.secret}"}
    big = json.dumps({"name": "Jane", "note": "x" * MAX_BODY}).encode()
    status, answer, _ = await post(hotleads, made.hook.id, big, **bearer)
    assert status == 413 and answer["ok"] is False
    status, _, _ = await post(
        hotleads, made.hook.id, b"name=Jane", **bearer, **{"Content-Type": "text/plain"}
    )
    assert status == 415
    status, _, _ = await post(hotleads, "no-such-hook", b'{"name": "Jane"}', **bearer)
    assert status == 404
    assert await stored(hotleads) == [[], [], [], []]
    status, _ = await send(hotleads, made, {"name": "Jane"})
    assert status == 200
    async with hotleads.db.transaction() as conn:
        assert await hooks.revoke(conn, made.hook.team_id, made.hook.id, hotleads.clock.now())
    before = await stored(hotleads)
    status, answer = await send(hotleads, made, {"name": "Jane"})
    assert status == 404
    matches_document(404, answer)
    assert await stored(hotleads) == before


async def test_over_the_rate_the_hook_answers_429_with_retry_after(hotleads, monkeypatch):
    # The buckets refill by the wall clock: stop it, so a slow machine can't refill them.
    monkeypatch.setattr("handlers.inbound_hooks.time", SimpleNamespace(monotonic=lambda: 1000.0))
    made = await make_hook(hotleads)
    for _ in range(PER_MINUTE):
        status, _, _ = await post(hotleads, made.hook.id, b"{}", Authorization="Bearer wrong")
        assert status == 401
    status, answer, headers = await post(
        hotleads, made.hook.id, b"{}", Authorization=f"Bearer {made.secret}"
    )
    assert status == 429
    matches_document(429, answer)
    assert 0 < int(headers["Retry-After"]) <= 1
    # Another hook has its own bucket.
    status, _ = await send(hotleads, await make_hook(hotleads), {"name": "Jane"})
    assert status == 200


async def test_the_owner_may_be_named_by_email_and_slack_is_asked_once(hotleads):
    hotleads.slack.users["UANA"] = {"id": "UANA", "profile": {"email": "ana@ours.com"}}
    made = await make_hook(hotleads, owner="UBEN")
    status, answer = await send(hotleads, made, {"name": "Jane", "owner": "Ana@Ours.com"})
    assert status == 200, answer
    status, answer = await send(hotleads, made, {"name": "Omar", "owner": "ana@ours.com"})
    assert status == 200, answer
    assert [lead.owner for lead in await every_lead(hotleads.db, TEAM)] == ["UANA", "UANA"]
    lookups = hotleads.slack.calls_to("users.lookupByEmail")
    assert [call.params["email"] for call in lookups] == ["Ana@Ours.com"]
    before = await stored(hotleads)
    status, answer = await send(hotleads, made, {"name": "Ivy", "owner": "nobody@ours.com"})
    assert (status, answer["field"]) == (400, "owner")
    assert await stored(hotleads) == before
    # Without an owner in the payload, the hook's owner.
    await send(hotleads, made, {"name": "Bob"})
    assert (await every_lead(hotleads.db, TEAM))[-1].owner == "UBEN"


async def test_a_hook_of_one_workspace_never_writes_into_another(hotleads):
    ours = await make_hook(hotleads)
    theirs = await make_hook(hotleads, team=OTHER_TEAM)
    await send(hotleads, ours, {"name": "Jane", "email": "jane@acme.com"})
    status, answer = await send(hotleads, theirs, {"name": "Jane", "email": "jane@acme.com"})
    assert (status, answer["created"], answer["lead"]) == (200, True, 1)
    assert len(await every_lead(hotleads.db, TEAM)) == 1
    assert len(await every_lead(hotleads.db, OTHER_TEAM)) == 1
    # One workspace's secret opens no other workspace's hook.
    body = json.dumps({"name": "Mallory"}).encode()
    status, _, _ = await post(hotleads, theirs.hook.id, body, Authorization=f"Bearer {ours.secret}")
    assert status == 401
    assert [lead.name for lead in await every_lead(hotleads.db, OTHER_TEAM)] == ["Jane"]


# ------------------------------------------------------------------ typeform


async def test_typeform_documented_payload_is_mapped_by_type_and_signed(hotleads):
    made = await make_hook(hotleads, type="typeform", kind="download")
    body = (DATA / "typeform_example.json").read_bytes()
    before = await stored(hotleads)
    for signature in (
        "",
        "sha256=AAAA",
        typeform_signed("other secret", body),
        typeform_signed(made.secret, body + b" "),
    ):
        status, _, _ = await post(hotleads, made.hook.id, body, **{"Typeform-Signature": signature})
        assert status == 401
    assert await stored(hotleads) == before
    signed = {"Typeform-Signature": typeform_signed(made.secret, body)}
    status, answer, _ = await post(hotleads, made.hook.id, body, **signed)
    assert (status, answer["created"]) == (200, True), answer
    (lead,) = await every_lead(hotleads.db, TEAM)
    # The example's name question has no `name` ref, so the email (an email answer) names the lead.
    assert (lead.name, lead.email) == ("laura@example.com", "laura@example.com")
    (touch,) = await touches(hotleads)
    assert touch["kind"] == "download" and touch["at"] == "2018-01-18T18:17:02Z"
    assert touch["note"] == "Typeform: Webhooks example"
    assert touch["how"] == "integration (typeform)"
    # Typeform retries with the same event_id.
    status, answer, _ = await post(hotleads, made.hook.id, body, **signed)
    assert (status, answer["duplicate"]) == (200, True)
    assert len(await touches(hotleads)) == 1


async def test_typeform_refs_then_hidden_fields_fill_the_lead(hotleads):
    made = await make_hook(hotleads, type="typeform")
    payload = json.loads((DATA / "typeform_example.json").read_text())
    payload["event_id"] = "other-event"
    answers = payload["form_response"]["answers"]
    answers[2]["field"]["ref"] = "first_name"
    answers.append(
        {
            "type": "text",
            "text": "Mueller",
            "field": {"id": "x", "type": "short_text", "ref": "last_name"},
        }
    )
    payload["form_response"]["hidden"] = {"company": "Acme", "email": "hidden@acme.com"}
    body = json.dumps(payload).encode()
    status, answer, _ = await post(
        hotleads, made.hook.id, body, **{"Typeform-Signature": typeform_signed(made.secret, body)}
    )
    assert status == 200, answer
    (lead,) = await every_lead(hotleads.db, TEAM)
    # The email answer comes before the hidden email.
    assert (lead.name, lead.company, lead.email) == ("Laura Mueller", "Acme", "laura@example.com")


async def test_typeform_takes_only_json(hotleads):
    made = await make_hook(hotleads, type="typeform")
    body = b"name=Jane"
    status, _, _ = await post(
        hotleads,
        made.hook.id,
        body,
        **{
            "Typeform-Signature": typeform_signed(made.secret, body),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert status == 415


# ------------------------------------------------------------------ calendly


def calendly_body(event: str = "invitee.created", **payload_changes) -> bytes:
    delivery = json.loads((DATA / "calendly_invitee_created.json").read_text())
    delivery["event"] = event
    delivery["payload"].update(payload_changes)
    return json.dumps(delivery).encode()


async def test_calendly_booking_is_a_demo_touch_in_the_owners_zone(hotleads):
    async with hotleads.db.transaction() as conn:
        await users.save(
            conn, SlackUser(TEAM, "UANA", "Europe/Berlin", False, hotleads.clock.now())
        )
    made = await make_hook(hotleads, type="calendly", owner="UANA")
    body = calendly_body(created_at="2026-11-23T09:59:00.123456Z")  # booked a minute ago
    header = calendly_signed(made.secret, body, hotleads.clock.now())
    status, answer, _ = await post(
        hotleads, made.hook.id, body, **{"Calendly-Webhook-Signature": header}
    )
    assert status == 200, answer
    assert answer["temperature"] == "hot"
    (lead,) = await every_lead(hotleads.db, TEAM)
    assert (lead.name, lead.email, lead.owner) == ("John Doe", "test@example.com", "UANA")
    (touch,) = await touches(hotleads)
    # 14:15 UTC on 24 August is 16:15 in Berlin (summer time).
    assert touch["kind"] == "demo"
    assert touch["note"] == "booked a demo: 15 Minute Meeting, Sat 24 Aug 2019 16:15 CEST"
    assert touch["at"] == "2026-11-23T09:59:00Z"
    status, answer, _ = await post(
        hotleads, made.hook.id, body, **{"Calendly-Webhook-Signature": header}
    )
    assert (status, answer["duplicate"]) == (200, True)


async def test_calendly_cancellation_is_a_note_with_the_reason(hotleads):
    made = await make_hook(hotleads, type="calendly")
    for body in (
        calendly_body(),
        calendly_body(
            "invitee.canceled",
            status="canceled",
            cancellation={
                "canceled_by": "John Doe",
                "reason": "found another vendor",
                "canceler_type": "invitee",
                "created_at": "2020-11-24T09:00:00.000000Z",
            },
        ),
    ):
        status, answer, _ = await post(
            hotleads,
            made.hook.id,
            body,
            **{
                "Calendly-Webhook-Signature": calendly_signed(
                    made.secret, body, hotleads.clock.now()
                )
            },
        )
        assert status == 200, answer
    booked, cancelled = await touches(hotleads)
    assert booked["lead_id"] == cancelled["lead_id"]
    assert (cancelled["kind"], cancelled["note"]) == ("note", "cancelled: found another vendor")


async def test_calendly_signatures_are_checked_with_three_minutes_tolerance(hotleads):
    made = await make_hook(hotleads, type="calendly")
    body = calendly_body()
    now = hotleads.clock.now()
    for header in (
        calendly_signed(made.secret, body, now - timedelta(minutes=4)),
        calendly_signed(made.secret, body, now + timedelta(minutes=4)),
        calendly_signed("another key", body, now),
        calendly_signed(made.secret, body + b"\n", now),
        "t=abc,v1=def",
        "v1=" + "0" * 64,
        "",
    ):
        status, _, _ = await post(
            hotleads, made.hook.id, body, **{"Calendly-Webhook-Signature": header}
        )
        assert status == 401, header
    assert await stored(hotleads) == [[], [], [], []]
    fresh = calendly_signed(made.secret, body, now - timedelta(minutes=2))
    status, _, _ = await post(hotleads, made.hook.id, body, **{"Calendly-Webhook-Signature": fresh})
    assert status == 200


async def test_calendly_other_events_are_acknowledged_and_ignored(hotleads):
    made = await make_hook(hotleads, type="calendly")
    body = json.dumps({"event": "routing_form_submission.created", "payload": {"x": 1}}).encode()
    status, answer, _ = await post(
        hotleads,
        made.hook.id,
        body,
        **{"Calendly-Webhook-Signature": calendly_signed(made.secret, body, hotleads.clock.now())},
    )
    assert (status, answer) == (200, {"ok": True, "ignored": ["routing_form_submission.created"]})
    assert await stored(hotleads) == [[], [], [], []]


# ------------------------------------------------------------------ the document


def test_the_shipped_openapi_document_is_up_to_date():
    shipped = (ROOT / "docs" / "inbound-api.json").read_text(encoding="utf-8")
    assert shipped == openapi.text(), "run: python -m bot openapi > docs/inbound-api.json"


def test_the_openapi_document_describes_every_field_the_endpoint_reads():
    doc = openapi.document()
    jsonschema.Draft202012Validator.check_schema(answer_schema(200))
    lead = doc["components"]["schemas"]["InboundLead"]["properties"]
    assert set(lead) == {
        "name",
        "first_name",
        "last_name",
        "email",
        "company",
        "phone",
        "source",
        "kind",
        "note",
        "at",
        "owner",
        "id",
    }
    assert doc["openapi"] == "3.1.0"


async def test_socket_mode_serves_health_and_hooks_but_no_slack_events(hotleads):
    runner = web.AppRunner(hooks_app(hotleads.services))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    made = await make_hook(hotleads)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/healthz") as r:
                assert r.status == 200
            async with session.post(f"{base}/slack/events", data=b"{}") as r:
                assert r.status in (404, 405)
            async with session.post(
                f"{base}/hooks/{made.hook.id}",
                json={"name": "Jane"},
                headers={"Authorization": f"Bearer {made.secret}"},
            ) as r:
                assert r.status == 200
    finally:
        await runner.cleanup()
    assert [lead.name for lead in await every_lead(hotleads.db, TEAM)] == ["Jane"]


async def test_a_lead_with_no_owner_gets_no_reminder_and_its_card_says_nobody(hotleads):
    made = await make_hook(hotleads, kind="note")
    status, answer = await send(hotleads, made, {"name": "Jane Doe", "source": "referral"})
    assert status == 200, answer
    hotleads.slack.default_user = {"tz": "UTC", "is_admin": False}
    await hotleads.change_settings("channel:<#CSALES|sales> time:09:00")
    hotleads.clock.moment += timedelta(days=10)
    lead = (await every_lead(hotleads.db, TEAM))[0]
    assert lead.temperature(hotleads.clock.now()).band == "warm"  # quiet and warm: reminder-worthy
    outcomes = await hotleads.run_due()
    # The digest went out; no reminder to nobody (Slack refuses users.info without a user).
    assert [outcome.kind for outcome in outcomes] == ["digest"]
    card = await hotleads.command("show #1")
    text = str(card)
    assert "nobody" in text and "an integration" in text
    assert "<@>" not in text and "<@hook:" not in text

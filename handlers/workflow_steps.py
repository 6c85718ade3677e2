"""hotleads' actions as Workflow Builder steps: add a lead, log a touch, read a temperature,
offer a lead to a rep.

Slack runs a step by sending ``function_executed``: the step's inputs and a bot
token for this one execution (Bolt swaps it into the listener's client). Bolt acks
the event at once; the listener then does the work and ends the step with
``complete(outputs=…)`` or ``fail(error=…)`` and one sentence the person who built
the workflow can act on. Each step ends in the functions the slash command ends in
(``add.add_lead``, ``touches.log_touch``, ``lookup``), so a lead added here is the
lead ``/lead add`` would store, and its history says "by workflow".

``STEPS`` is what both manifests declare under ``functions``: a test holds them equal.
"Offer a lead to a rep" waits: a row in ``pending_steps`` ends with the rep's click
on Claim or, once ``timeout_minutes`` are up, with ``run-due``, whichever comes first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, TypeVar

import aiohttp
import msgspec
from msgspec import Meta, Struct
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.complete.async_complete import AsyncComplete
from slack_bolt.context.fail.async_fail import AsyncFail
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import grammar, references
from bot.domain.answers import waiting_since
from bot.domain.dates import DateError, Reader
from bot.domain.grammar import LeadRef, fields
from bot.domain.lead import Lead, NewTouch
from bot.domain.schedule import WorkspaceSettings
from bot.domain.text import duration, truncate
from bot.domain.vocabulary import KINDS, SOURCES
from handlers import add, door, hook_alerts, lookup, payloads, people, touches
from handlers.blocks import Refusal, Reply, escape, lead_label, reason_line, section
from handlers.card import card_reply
from handlers.context import Services
from handlers.door import Tools
from handlers.payloads import Invalid, TeamId, UserId
from storage import deliveries, leads, pending_steps
from storage.pending_steps import PendingStep

CLAIM_ACTION = "workflow_step_claim"
"""The Claim button of an offer; its value is the step's execution id."""
HOW = "workflow"
"""How touches made by a step are recorded, and shown in a lead's history."""
DEFAULT_TIMEOUT, MAX_TIMEOUT = 60, 24 * 60
ENDED_ALREADY = frozenset({"execution_not_in_running_state", "function_execution_not_found"})
"""Slack's answers when a step has ended without us (it timed out, or was ended before)."""
FAILED = (
    "Something went wrong on hotleads' side and nothing was saved — run the workflow again; "
    "if it keeps happening, tell your Slack admin."
)

log = logging.getLogger(__name__)

# ------------------------------------------------------------------ what each step reads

ExecutionId = Annotated[str, Meta(pattern=r"^Fx[A-Za-z0-9]{1,40}\Z")]
StepToken = Annotated[str, Meta(pattern=r"^xwfp-[A-Za-z0-9-]{1,250}\Z")]
OptionalUser = Annotated[str, Meta(pattern=r"^(?:[UW][A-Z0-9]{1,20})?\Z")]
Minutes = Annotated[int, Meta(ge=1, le=MAX_TIMEOUT)]


class AddLeadInputs(Struct, frozen=True, kw_only=True):
    name: str
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str | None = None
    owner: OptionalUser | None = None
    note: str | None = None


class LogTouchInputs(Struct, frozen=True, kw_only=True):
    lead: str
    kind: str
    logged_by: UserId
    note: str | None = None
    when: str | None = None


class LeadInputs(Struct, frozen=True, kw_only=True):
    lead: str


class ClaimLeadInputs(Struct, frozen=True, kw_only=True):
    lead: str
    user: UserId
    timeout_minutes: Minutes | None = None


# ------------------------------------------------------------------ the steps, as declared

USER_ID, STRING, INTEGER, BOOLEAN = "slack#/types/user_id", "string", "integer", "boolean"
MUST_BE = {
    STRING: "text",
    INTEGER: "a whole number",
    BOOLEAN: "true or false",
    USER_ID: "a person picked from Slack",
}


@dataclass(frozen=True)
class Param:
    """One input or output of a step, as the manifest declares it."""

    name: str
    type: str
    title: str
    description: str
    required: bool = False
    must_be: str = ""
    """What a valid value is, when the type alone doesn't say it."""

    def declared(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "description": self.description,
            "is_required": self.required,
        }


@dataclass(frozen=True)
class Step:
    """A custom step: its ``callback_id``, what Workflow Builder shows, its inputs and outputs."""

    callback_id: str
    title: str
    description: str
    inputs: tuple[Param, ...]
    outputs: tuple[Param, ...]
    reads: type[Struct]
    """The struct its inputs are read into: its fields are the declared inputs."""

    def declared(self) -> dict[str, Any]:
        """The step as the manifests' ``functions`` map declares it (Slack's flat form)."""
        return {
            "title": self.title,
            "description": self.description,
            "input_parameters": {p.name: p.declared() for p in self.inputs},
            "output_parameters": {p.name: p.declared() for p in self.outputs},
        }

    def input(self, name: str) -> Param | None:
        return next((p for p in self.inputs if p.name == name), None)


LEAD = Param(
    "lead",
    STRING,
    "Lead",
    "The lead's number (#12), its email, or part of its name, as /lead log reads it",
    required=True,
)
NAME = Param("name", STRING, "Name", "The lead's name", required=True)
KIND = Param(
    "kind",
    STRING,
    "Kind",
    f"What happened: {', '.join(KINDS)} (or the other words /lead log knows)",
    required=True,
)
LEAD_NUMBER = Param("lead_number", INTEGER, "Lead number", "The lead's number, as in #12", True)
TEMPERATURE = Param("temperature", STRING, "Temperature", "hot, warm or cold", True)
SUMMARY = Param(
    "summary",
    STRING,
    "Summary",
    "The line the lead's card starts with, like “#12 Jane Doe: :fire: hot (72)”",
    True,
)

ADD_LEAD = Step(
    "add_lead",
    "Add a lead",
    "Adds a lead to hotleads as /lead add does. A lead already there (same email, or same "
    "name and company) is not added twice: the step gives that lead, with the note added.",
    inputs=(
        NAME,
        Param("company", STRING, "Company", "Their company"),
        Param("email", STRING, "Email", "Their email address"),
        Param("phone", STRING, "Phone", "Their phone number"),
        Param(
            "source",
            STRING,
            "Source",
            f"Where they came from: {', '.join(SOURCES)} (or the other words /lead add "
            "knows); cold outreach when empty",
        ),
        Param("owner", USER_ID, "Owner", "Who owns the lead; nobody when empty"),
        Param("note", STRING, "Note", "A first note on the lead"),
    ),
    outputs=(
        LEAD_NUMBER,
        TEMPERATURE,
        SUMMARY,
        Param(
            "duplicate",
            BOOLEAN,
            "Already there",
            "True when the lead was already in hotleads (the step gives that lead)",
            True,
        ),
    ),
    reads=AddLeadInputs,
)
LOG_TOUCH = Step(
    "log_touch",
    "Log a touch on a lead",
    "Records a call, a quote request, a demo… on a lead, as /lead log does, and gives its "
    "temperature before and after.",
    inputs=(
        LEAD,
        KIND,
        Param("note", STRING, "Note", "What was said or done"),
        Param("when", STRING, "When", "When it happened, like “yesterday 3pm”; now when empty"),
        Param(
            "logged_by", USER_ID, "Logged by", "The person the touch is recorded for", required=True
        ),
    ),
    outputs=(
        LEAD_NUMBER,
        Param("temperature_before", STRING, "Temperature before", "hot, warm or cold", True),
        Param("temperature_after", STRING, "Temperature after", "hot, warm or cold", True),
        SUMMARY,
    ),
    reads=LogTouchInputs,
)
LEAD_TEMPERATURE = Step(
    "lead_temperature",
    "Get a lead's temperature",
    "Gives a lead's temperature, score and the reasons for it, as its card shows them.",
    inputs=(LEAD,),
    outputs=(
        LEAD_NUMBER,
        TEMPERATURE,
        Param("score", INTEGER, "Score", "The score, 0 to 100", True),
        Param("reasons", STRING, "Reasons", "Why, one reason per line, as on the lead card", True),
        Param("owner", USER_ID, "Owner", "Who owns the lead; empty when nobody does"),
        Param(
            "waiting",
            BOOLEAN,
            "Waiting for an answer",
            "True when a buying signal has waited longer than the team's respond: hours",
            True,
        ),
    ),
    reads=LeadInputs,
)
CLAIM_LEAD = Step(
    "claim_lead",
    "Offer a lead to a rep",
    "Sends the rep the lead with a Claim button. The step ends when they claim it (they "
    "become its owner) or when the time is up.",
    inputs=(
        LEAD,
        Param("user", USER_ID, "Rep", "Who the lead is offered to", required=True),
        Param(
            "timeout_minutes",
            INTEGER,
            "Minutes to wait",
            f"How long to wait for a claim, 1 to {MAX_TIMEOUT}; {DEFAULT_TIMEOUT} when empty",
            must_be=f"a whole number of minutes from 1 to {MAX_TIMEOUT}",
        ),
    ),
    outputs=(
        Param("claimed_by", USER_ID, "Claimed by", "Who claimed the lead; empty when nobody did"),
    ),
    reads=ClaimLeadInputs,
)
STEPS = (ADD_LEAD, LOG_TOUCH, LEAD_TEMPERATURE, CLAIM_LEAD)


def manifest_functions() -> dict[str, dict[str, Any]]:
    """The manifests' ``functions`` section, from ``STEPS``."""
    return {step.callback_id: step.declared() for step in STEPS}


# ------------------------------------------------------------------ payloads


class _Executed(Struct):
    type: str
    function_execution_id: ExecutionId
    bot_access_token: StepToken
    inputs: dict[str, Any] = {}


class _Envelope(Struct):
    team_id: TeamId
    event: _Executed


class Execution(Struct, frozen=True):
    """One run of a step: the workspace it runs in, its id, its inputs as Slack sent them."""

    team_id: str
    execution_id: str
    inputs: dict[str, Any]


def execution(body: dict[str, Any]) -> Execution:
    """A ``function_executed`` event; the inputs are read by each step (``_inputs``)."""
    try:
        raw = msgspec.convert(body, _Envelope)
    except msgspec.ValidationError as error:
        raise Invalid(str(error)) from error
    if raw.event.type != "function_executed":
        raise Invalid(f"not a function_executed event: {raw.event.type!r:.40}")
    event = raw.event
    return Execution(raw.team_id, event.function_execution_id, event.inputs)


class _FunctionData(Struct):
    execution_id: ExecutionId


class _Scoped(Struct):
    function_data: _FunctionData | None = None
    bot_access_token: StepToken | None = None
    """Bolt ends the step with this token: a click carrying a forged one is refused."""


class StepClaim(Struct, frozen=True):
    """A click on Claim in an offer: who, where, and which step's offer."""

    clicker: payloads.Clicker
    execution_id: str


def step_claim(body: dict[str, Any]) -> StepClaim:
    """The button's value is the execution id; Slack's ``function_data``, if sent, agrees."""
    clicked = payloads.click(body)
    try:
        execution_id = msgspec.convert(clicked.value, ExecutionId)
        scoped = msgspec.convert(body, _Scoped)
    except msgspec.ValidationError as error:
        raise Invalid(str(error)) from error
    if scoped.function_data and scoped.function_data.execution_id != execution_id:
        raise Invalid("a Claim button from another step")
    if not clicked.clicker.in_message:
        raise Invalid("a Claim button outside a message")
    return StepClaim(clicked.clicker, execution_id)


class StepError(Exception):
    """Why a step fails: one sentence for whoever built the workflow. Nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


In = TypeVar("In")
_MISSING = re.compile(r"missing required field `(\w+)`")
_AT = re.compile(r"at `\$\.(\w+)`")


def _inputs(step: Step, raw: dict[str, Any], kind: type[In]) -> In:
    """The inputs as ``kind``; a missing or malformed one fails the step, naming it."""
    assert kind is step.reads, f"{step.callback_id} reads {step.reads.__name__}"
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as error:
        text = str(error)
        missing = _MISSING.search(text)
        found = missing or _AT.search(text)
        param = step.input(found.group(1)) if found else None
        if param is None:
            raise StepError(f"{step.title} can't read its inputs ({escape(text)}).") from error
        if missing:
            raise _missing(param) from error
        must_be = param.must_be or MUST_BE.get(param.type, param.type)
        raise StepError(f"“{param.title}” must be {must_be}.") from error


def _missing(param: Param) -> StepError:
    return StepError(f"“{param.title}” is empty: give the step a value for it in Workflow Builder.")


def _text(value: str | None) -> str:
    """A one-line field as the form reads it: spaces collapsed."""
    return " ".join((value or "").split())


def _required(param: Param, value: str) -> str:
    if not value:
        raise _missing(param)
    return value


def _checked(step: Step, field: str, value: str) -> str:
    """A lead's field, checked by the very rules of ``/lead add`` (``grammar.checked``)."""
    try:
        return grammar.checked(field, value)
    except grammar.GrammarError as error:
        param = step.input(field)
        title = param.title if param else field
        raise StepError(f"{title}: {escape(str(error))}") from error


# ------------------------------------------------------------------ Block Kit


def summary(lead: Lead, now: datetime) -> str:
    """The line the lead's card starts with: ``#12 Jane Doe: :fire: hot (72)``."""
    return card_reply(lead, [], now).text


def offer_ended(lead: Lead | None, waited: timedelta) -> Reply:
    what = lead_label(lead) if lead else "This lead"
    text = f":hourglass: Nobody claimed {what} within {duration(waited)}, so this offer has ended."
    return Reply("Offer ended", [section(text)])


# ------------------------------------------------------------------ the steps


@dataclass(frozen=True)
class Run:
    """What a step works with: the app's services, this execution's client, the inputs."""

    services: Services
    client: AsyncWebClient
    execution: Execution
    now: datetime

    @property
    def team_id(self) -> str:
        return self.execution.team_id


async def _lead(run: Run, text: str, *, closed_too: bool = False) -> Lead:
    """The lead meant by ``#12``, an email, or part of a name; the one sentence why not."""
    text = _required(LEAD, _text(text))
    shown = _shown(text)
    reader, team_id = run.services.db.reader, run.team_id
    if grammar.is_email(text):
        found = await leads.with_email(reader, team_id, text)
        if found is None:
            raise StepError(f"No lead has the email “{shown}” — use #number or part of the name.")
        if not closed_too and found.status != "open":
            raise StepError(f"#{found.number} ({shown}) is {found.status} — reopen it first.")
        return found
    number = references.number(text)
    if text.startswith("#") and number is None:
        raise StepError(f"“{shown}” isn't a lead number — use one like #12, or an email.")
    ref = LeadRef(number=number, text=None if number else text)
    try:
        return await lookup.find_lead(run.services, team_id, ref, closed_too=closed_too)
    except lookup.NoSuchLead as refusal:
        if refusal.ref.number is not None:
            raise StepError(f"There is no lead #{refusal.ref.number} in this workspace.") from None
        raise StepError(f"No lead matches “{shown}” — use #number or an email.") from None
    except lookup.Ambiguous as refusal:
        matches = ", ".join(f"#{m.number} {_shown(m.name)}" for m in refusal.matches[:5])
        raise StepError(
            f"“{shown}” matches {len(refusal.matches)} leads ({matches}) — use #number or an email."
        ) from None
    except lookup.OnlyClosed as refusal:
        raise StepError(
            f"“{shown}” is only #{refusal.lead.number}, which is {refusal.lead.status} — "
            "reopen it first."
        ) from None


def _shown(text: str) -> str:
    """Text someone typed, inert in the error Slack shows (no pings, no links), and short."""
    return escape(truncate(text, 60))


async def add_lead_step(run: Run) -> dict[str, Any]:
    given = _inputs(ADD_LEAD, run.execution.inputs, AddLeadInputs)
    name = _required(NAME, _text(given.name))
    fields = {
        "name": name,
        "company": _text(given.company),
        "email": _text(given.email),
        "phone": _text(given.phone),
        "source": _text(given.source),
        "note": (given.note or "").strip(),
    }
    checked = {key: _checked(ADD_LEAD, key, value) for key, value in fields.items() if value}
    owner = given.owner or ""
    command = grammar.Add(
        name=checked["name"],
        company=checked.get("company"),
        source=checked.get("source"),
        email=checked.get("email"),
        phone=checked.get("phone"),
        owner=owner or None,
        note=checked.get("note"),
    )
    services, team_id, now = run.services, run.team_id, run.now
    try:
        lead = await add.add_lead(
            services, command, team_id=team_id, user_id=owner, now=now, how=HOW
        )
        duplicate = False
    except add.Duplicate as found:
        lead, duplicate = found.existing, True
        if command.note:
            logged = await touches.log_touch(
                services,
                team_id=team_id,
                lead=LeadRef(number=lead.number, text=None),
                touch=NewTouch("note", now, owner, command.note, how=HOW),
                now=now,
            )
            lead = logged.lead
    return {
        "lead_number": lead.number,
        "temperature": lead.temperature(now).band,
        "summary": summary(lead, now),
        "duplicate": duplicate,
    }


async def log_touch_step(run: Run) -> dict[str, Any]:
    given = _inputs(LOG_TOUCH, run.execution.inputs, LogTouchInputs)
    typed = _required(KIND, _text(given.kind))
    kind = grammar.known_kind(typed)
    if kind is None:
        guess = fields.suggest_kind(typed)
        error = grammar.unknown("kind", typed, guess, None, ", ".join(KINDS))
        raise StepError(escape(str(error)))
    note = (given.note or "").strip()
    if note:
        note = _checked(LOG_TOUCH, "note", note)
    lead = await _lead(run, given.lead)
    at = run.now
    when = _text(given.when)
    if when:
        try:
            at = (await _reader(run, given.logged_by)).past(when, run.now).at
        except DateError as error:
            raise StepError(f"When: {escape(str(error))}") from error
    logged = await touches.log_touch(
        run.services,
        team_id=run.team_id,
        lead=LeadRef(number=lead.number, text=None),
        touch=NewTouch(kind, at, given.logged_by, note, how=HOW),
        now=run.now,
    )
    return {
        "lead_number": logged.lead.number,
        "temperature_before": logged.before.band,
        "temperature_after": logged.after.band,
        "summary": summary(logged.lead, run.now),
    }


async def _reader(run: Run, user_id: str) -> Reader:
    """How ``when`` is read: as the person it is logged for writes it (their wall clock,
    ``3/4`` in their Slack locale's order), on the team's clock when we don't know theirs."""
    known = await people.refresh_if_stale(run.client, run.services, run.team_id, user_id, run.now)
    if known and known.tz:
        return Reader.of_person(known)
    team_tz = (await deliveries.get_settings(run.services.db.reader, run.team_id)).tz
    return Reader.of_person(known, team_tz)


async def lead_temperature_step(run: Run) -> dict[str, Any]:
    given = _inputs(LEAD_TEMPERATURE, run.execution.inputs, LeadInputs)
    lead = await _lead(run, given.lead, closed_too=True)
    temperature = lead.temperature(run.now)
    settings = await deliveries.get_settings(run.services.db.reader, run.team_id)
    reasons = [reason_line(reason, run.now) for reason in temperature.reasons]
    outputs: dict[str, Any] = {
        "lead_number": lead.number,
        "temperature": temperature.band,
        "score": temperature.score,
        "reasons": "\n".join(reasons) or "no signals yet",
        "waiting": waiting_since(lead, run.now, settings.respond_hours) is not None,
    }
    if payloads.is_user_id(lead.owner):
        outputs["owner"] = lead.owner
    return outputs


async def claim_lead_step(run: Run) -> None:
    """Offer the lead in a DM with Claim; the click or the timeout ends the step, not this."""
    given = _inputs(CLAIM_LEAD, run.execution.inputs, ClaimLeadInputs)
    lead = await _lead(run, given.lead)
    minutes = given.timeout_minutes or DEFAULT_TIMEOUT
    services, team_id, execution_id = run.services, run.team_id, run.execution.execution_id
    async with services.db.transaction() as conn:
        first = await pending_steps.add(
            conn,
            team_id=team_id,
            execution_id=execution_id,
            lead_id=lead.id,
            offered_to=given.user,
            due_at=run.now + timedelta(minutes=minutes),
            now=run.now,
        )
    if not first:
        return  # the same execution again: its offer is out already
    reply = hook_alerts.offer_message(lead, run.now, action_id=CLAIM_ACTION, value=execution_id)
    try:
        opened = await run.client.conversations_open(users=given.user)
        posted = await run.client.chat_postMessage(
            channel=opened["channel"]["id"],
            text=reply.text,
            blocks=reply.blocks,
            unfurl_links=False,
        )
    except SlackApiError as failure:
        async with services.db.transaction() as conn:
            await pending_steps.drop(conn, team_id, execution_id)
        error = failure.response.get("error", "an error")
        raise StepError(
            f"I couldn't send the offer to that rep (Slack said {error}) — check the step's Rep."
        ) from failure
    async with services.db.transaction() as conn:
        await pending_steps.posted(conn, team_id, execution_id, posted["channel"], posted["ts"])


# ------------------------------------------------------------------ ending an offer


@dataclass(frozen=True)
class Ended:
    """How one offer's ending went, for ``run-due`` to print."""

    team_id: str
    execution_id: str
    day: date
    status: str
    error: str | None = None


async def _complete(
    services: Services, client: AsyncWebClient, step: PendingStep, now: datetime
) -> Ended:
    """Tell Slack the step is over (with who claimed it, if anyone), then mark it done."""
    outputs = {"claimed_by": step.claimed_by} if step.claimed_by else {}
    status, error = "sent", None
    try:
        await client.functions_completeSuccess(
            function_execution_id=step.execution_id, outputs=outputs
        )
    except SlackApiError as failure:
        error = failure.response.get("error") or f"HTTP {failure.response.status_code}"
        if error not in ENDED_ALREADY:
            log.warning("step %s not completed: %s", step.execution_id, error)
            return Ended(step.team_id, step.execution_id, step.due_at.date(), "failed", error)
        status = "refused"
    except (TimeoutError, aiohttp.ClientError) as failure:
        error = f"could not reach Slack: {failure.__class__.__name__}"
        return Ended(step.team_id, step.execution_id, step.due_at.date(), "failed", error)
    async with services.db.transaction() as conn:
        await pending_steps.done(conn, step.team_id, step.execution_id, now)
    return Ended(step.team_id, step.execution_id, step.due_at.date(), status, error)


async def _show(client: AsyncWebClient, channel: str, ts: str, reply: Reply) -> None:
    """Redraw the offer; a message Slack can't update does not keep the step from ending."""
    try:
        await client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("offer %s/%s not redrawn: %s", channel, ts, error)


async def end_due(
    services: Services, client: AsyncWebClient, team_id: str, now: datetime
) -> list[Ended]:
    """``run-due``: offers whose time is up end with nobody; stalled endings are finished."""
    async with services.db.transaction() as conn:
        taken = await pending_steps.take_due(conn, team_id, now)
    ended = []
    for step in taken:
        if not step.claimed_by and step.channel:
            lead = await leads.get(services.db.reader, team_id, step.lead_number)
            await _show(
                client, step.channel, step.ts, offer_ended(lead, step.due_at - step.created_at)
            )
        ended.append(await _complete(services, client, step, now))
    return ended


async def next_due(
    services: Services, settings: WorkspaceSettings, now: datetime
) -> datetime | None:
    """When the next offer ends with nobody (for the due index)."""
    return await pending_steps.next_end(services.db.reader, settings.team_id)


@door.action(step_claim)
async def on_claim(click: StepClaim, tools: Tools) -> None:
    """The offered rep claims the lead: they own it now, and the step ends with them."""
    services, clicker = tools.services, click.clicker
    now = services.clock.now()
    async with services.db.transaction() as conn:
        step = await pending_steps.claim(
            conn, clicker.team_id, click.execution_id, clicker.user_id, now
        )
        lead = await leads.get(conn, clicker.team_id, step.lead_number) if step else None
        if lead is not None and lead.status == "open" and lead.owner != clicker.user_id:
            lead = await leads.set_owner(conn, lead, clicker.user_id, now)
    if step is None:
        where = payloads.Where(clicker.user_id, clicker.channel_id, None)
        await door.tell(tools, where, ":hourglass: This offer has ended, so nothing changed.")
        return
    if lead is not None:
        reply = hook_alerts.claimed_message(lead, clicker.user_id)
        await _show(tools.client, clicker.channel_id, clicker.message_ts, reply)
    await _complete(services, tools.client, step, now)


# ------------------------------------------------------------------ listeners

Work = Callable[[Run], Awaitable[dict[str, Any] | None]]
WORK: dict[str, Work] = {
    ADD_LEAD.callback_id: add_lead_step,
    LOG_TOUCH.callback_id: log_touch_step,
    LEAD_TEMPERATURE.callback_id: lead_temperature_step,
    CLAIM_LEAD.callback_id: claim_lead_step,
}


def _listener(work: Work) -> Callable[..., Awaitable[None]]:
    """The door of every step: read the event, work, then complete or fail, once."""

    async def on_step(
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        complete: AsyncComplete,
        fail: AsyncFail,
    ) -> None:
        services: Services = context["services"]
        try:
            run = Run(services, client, execution(body), services.clock.now())
        except Invalid as error:
            # Not what Slack sends: no execution we could end, nor a token to end it with.
            log.info("unreadable step %s: %s", work.__name__, error)
            return
        try:
            outputs = await work(run)
        except StepError as error:
            await fail(error=error.message)
            return
        except Refusal as refusal:
            await fail(error=refusal.message)
            return
        except Exception:
            log.exception("%s failed", work.__name__)
            await fail(error=FAILED)
            return
        if outputs is not None:
            await complete(outputs=outputs)

    on_step.__name__ = on_step.__qualname__ = work.__name__  # for Bolt's logs
    return on_step


def register(app: AsyncApp) -> None:
    for callback_id, work in WORK.items():
        app.function(callback_id)(_listener(work))
    app.action(CLAIM_ACTION)(on_claim)

"""A lead that arrives by itself: the body a generic hook takes, checked as `/lead add` checks.

The msgspec model here is the contract: the same class decodes requests and
generates ``docs/inbound-api.json`` (see ``bot.openapi``). Typeform and Calendly
payloads are mapped onto the same fields, so every door applies one set of rules.
Pure: ``now`` is passed in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec

from bot.domain import grammar
from bot.domain.dates import DateError, from_iso
from bot.domain.slack_user import USER_ID_EXAMPLE, is_user_id
from bot.domain.text import UnreadableText, clean

CLOCK_SKEW = timedelta(minutes=1)
"""How far in the future ``at`` may be: the sender's clock may run a little fast."""
DEFAULT_SOURCE = "inbound"
MAX_BODY = 64 * 1024
"""Bytes: a lead is a few hundred; anything near this is not one."""


def _about(description: str, limit: int, **schema: Any) -> msgspec.Meta:
    # Limits go into the document only: the grammar checks them, with its own words.
    return msgspec.Meta(description=description, extra_json_schema={"maxLength": limit, **schema})


class InboundLead(msgspec.Struct, kw_only=True):
    """A lead and what they just did. ``name`` (or ``first_name`` and ``last_name``) or ``email`` is required."""

    name: Annotated[str | None, _about("Full name of the lead.", grammar.MAX_NAME)] = None
    first_name: Annotated[
        str | None, _about("Used with last_name when name is not given.", grammar.MAX_NAME)
    ] = None
    last_name: Annotated[
        str | None, _about("Used with first_name when name is not given.", grammar.MAX_NAME)
    ] = None
    email: Annotated[
        str | None,
        _about("Their email; a lead with the same email is the same lead.", grammar.MAX_FIELD),
    ] = None
    company: Annotated[
        str | None, _about("With the name, what tells two leads apart.", grammar.MAX_FIELD)
    ] = None
    phone: Annotated[str | None, _about("Phone number, as written.", grammar.MAX_FIELD)] = None
    source: Annotated[
        str | None,
        _about(
            "How they came to us, for a new lead (default inbound).",
            grammar.MAX_FIELD,
            examples=[*grammar.SOURCES, *grammar.SOURCE_ALIASES],
        ),
    ] = None
    kind: Annotated[
        str | None,
        _about(
            "What they did (default: the hook's kind).",
            grammar.MAX_FIELD,
            examples=[*grammar.KINDS, *grammar.KIND_ALIASES],
        ),
    ] = None
    note: Annotated[
        str | None, _about("Anything worth knowing, kept with the touch.", grammar.MAX_NOTE)
    ] = None
    at: Annotated[
        str | None,
        _about(
            "When it happened, ISO 8601 (default now; not in the future).",
            64,
            format="date-time",
        ),
    ] = None
    owner: Annotated[
        str | None,
        _about("The rep it is for: a Slack user id, or a Slack user's email.", grammar.MAX_FIELD),
    ] = None
    id: Annotated[
        str | None,
        _about(
            "Idempotency key: a second delivery with the same id is stored once"
            " (also read from the Idempotency-Key or webhook-id header).",
            200,
        ),
    ] = None


FIELDS = frozenset(InboundLead.__struct_fields__)


class Stored(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The signal is stored (or was already: ``duplicate``)."""

    ok: Literal[True]
    lead: int
    created: bool
    duplicate: bool
    temperature: Literal["hot", "warm", "cold"]
    ignored: list[str] = []


class Refused(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Nothing was stored; ``error`` says why in one sentence."""

    ok: Literal[False]
    error: str
    field: str | None = None


class InboundError(ValueError):
    """A body that can't be a lead; ``field`` names the culprit when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Arrival:
    """A checked signal: who, what, when, for whom; ``owner_email`` still to be resolved."""

    name: str
    email: str
    company: str
    phone: str
    source: str
    kind: str
    note: str
    at: datetime
    owner: str
    owner_email: str
    key: str | None
    ignored: tuple[str, ...] = ()


def decode(fields: dict[str, Any]) -> tuple[InboundLead, tuple[str, ...]]:
    """The known fields as the model, and the names of the unknown ones (ignored, said back)."""
    try:
        ignored = tuple(sorted(clean(name, "field name") for name in fields if name not in FIELDS))
    except UnreadableText as error:
        raise InboundError(str(error)) from None
    try:
        body = msgspec.convert(
            {k: v for k, v in fields.items() if k in FIELDS}, InboundLead, strict=True
        )
    except msgspec.ValidationError as error:
        field = _path_field(str(error))
        raise InboundError(
            f"`{field}` must be text." if field else f"The body can't be read: {error}.", field
        ) from None
    return body, ignored


def json_of(raw: bytes) -> Any:
    """The body's JSON. Python's reader keeps a lone surrogate (``\\ud800``) for the text
    rule to refuse by its field, where msgspec's would refuse the whole body, unnamed."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise InboundError("The body is not valid JSON in UTF-8.") from None


def _path_field(message: str) -> str | None:
    match = re.search(r"at `\$\.(\w+)`", message)
    return match.group(1) if match else None


def arrival(
    body: InboundLead,
    *,
    default_kind: str,
    now: datetime,
    key: str | None = None,
    ignored: tuple[str, ...] = (),
) -> Arrival:
    """Check every field the one way the grammar does; ``key`` from a header if the body has none.

    Every text goes through the one text rule first (``bot.domain.text.clean``).
    """
    body, key = _cleaned(body), _clean("id", key)
    name = _given(body.name) or " ".join(
        part for part in (_given(body.first_name), _given(body.last_name)) if part
    )
    email = _check("email", body.email)
    if not name and not email:
        raise InboundError("A lead needs a name or an email: send `name` or `email`.", "name")
    kind_word = _given(body.kind) or default_kind
    kind = grammar.known_kind(kind_word)
    if kind is None:
        raise InboundError(
            f"I don't know the kind “{kind_word[:40]}”. Use one of: {', '.join(grammar.KINDS)}.",
            "kind",
        )
    owner, owner_email = _owner(_given(body.owner))
    return Arrival(
        name=_check("name", name or email),
        email=email,
        company=_check("company", body.company),
        phone=_check("phone", body.phone),
        source=_check("source", body.source) or DEFAULT_SOURCE,
        kind=kind,
        note=_check("note", body.note),
        at=_moment(_given(body.at), now),
        owner=owner,
        owner_email=owner_email,
        key=_given(body.id) or key,
        ignored=ignored,
    )


def _cleaned(body: InboundLead) -> InboundLead:
    return msgspec.structs.replace(
        body, **{field: _clean(field, getattr(body, field)) for field in body.__struct_fields__}
    )


def _clean(field: str, value: str | None) -> str | None:
    try:
        return None if value is None else clean(value, field)
    except UnreadableText as error:
        raise InboundError(str(error), field) from None


def _given(value: str | None) -> str:
    return (value or "").strip()


def _check(field: str, value: str | None) -> str:
    text = _given(value)
    if not text:
        return ""
    try:
        return grammar.checked(field, text)
    except grammar.GrammarError as error:
        raise InboundError(str(error), field) from None


def _owner(text: str) -> tuple[str, str]:
    if not text:
        return "", ""
    if is_user_id(text):
        return text, ""
    if grammar.is_email(text):
        return "", text
    raise InboundError(
        f"“{text[:40]}” is neither a Slack user id (like {USER_ID_EXAMPLE}) nor an email.",
        "owner",
    )


def _moment(text: str, now: datetime) -> datetime:
    if not text:
        return now
    try:
        moment = from_iso(text, now)
    except DateError as error:
        raise InboundError(str(error), "at") from None
    if moment > now + CLOCK_SKEW:
        raise InboundError("`at` is in the future; send when it happened.", "at")
    return moment

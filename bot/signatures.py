"""The door of ``/slack/events``: Slack's signature is checked before anything reads the body.

Bolt checks the signature too, but only after it has parsed the body, so unsigned
garbage could crash the parser into a 500 and a traceback. Here an unsigned, forged
or stale request is refused with 401, and a signed body Bolt could not read (not JSON
where JSON is due, not an object) with 400, before Bolt sees it. A body that is
not UTF-8 can't be checked (Slack signs UTF-8 text) and gets 400 first.
Socket Mode never passes through here: Slack's websocket is authenticated instead.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Mapping
from typing import Annotated

import msgspec
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier


class _Action(msgspec.Struct):
    action_id: str
    block_id: str | None = None


class _Actions(msgspec.Struct):
    actions: Annotated[list[_Action], msgspec.Meta(min_length=1)]


class _View(msgspec.Struct):
    callback_id: str


class _Submitted(msgspec.Struct):
    view: _View


class _Routed(msgspec.Struct):
    callback_id: str


class _Suggested(msgspec.Struct):
    action_id: str


class _Event(msgspec.Struct):
    type: str


class _Envelope(msgspec.Struct):
    event: _Event


ROUTING: dict[str, type[msgspec.Struct]] = {
    "block_actions": _Actions,
    "view_submission": _Submitted,
    "view_closed": _Submitted,
    "shortcut": _Routed,
    "message_action": _Routed,
    "block_suggestion": _Suggested,
    "event_callback": _Envelope,
}
"""What Bolt itself indexes to route each payload type: without it Bolt raises, not us."""

MAX_TIMESTAMP_DIGITS = 12
"""Unix seconds need 10 digits for centuries; a longer header is no timestamp."""

log = logging.getLogger(__name__)


def signed_requests_only(signing_secret: str, path: str) -> Middleware:
    """An aiohttp middleware that lets only signed, readable POSTs to ``path`` reach Bolt."""
    verifier = SignatureVerifier(signing_secret)

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or request.path != path:
            return await handler(request)
        raw = await request.read()  # past client_max_size (1 MiB) aiohttp answers 413
        try:
            # Slack signs UTF-8 text, and slack_sdk's verifier can only check text.
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("refused a request whose body is not UTF-8 from %s", request.remote)
            return web.json_response({"error": "the body is not UTF-8"}, status=400)
        if not _signed(verifier, text, request.headers):
            log.warning("refused a request without a valid Slack signature from %s", request.remote)
            return web.json_response({"error": "invalid signature"}, status=401)
        problem = _unreadable(text, request)
        if problem:
            log.warning("refused a signed request Bolt could not read: %s", problem)
            return web.json_response({"error": problem}, status=400)
        return await handler(request)

    return check


def _signed(verifier: SignatureVerifier, text: str, headers: Mapping[str, str]) -> bool:
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    # The verifier would raise on these instead of answering no.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TIMESTAMP_DIGITS):
        return False
    if not signature.isascii():
        return False
    return verifier.is_valid(text, timestamp, signature)


def _unreadable(text: str, request: web.Request) -> str:
    """Why Bolt could not read this body the way it reads Slack's, or ``""``."""
    if request.charset is not None and _codec(request.charset) != "utf-8":
        return "the body must be UTF-8"
    # Bolt's own reading, as its aiohttp adapter does it, so what passes here is what
    # Bolt gets: it parses the body and reads the ids of its context from it.
    try:
        body = AsyncBoltRequest(
            body=text,
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]
        ).body
    except (ValueError, RecursionError):
        return "the body is not valid JSON"
    except (TypeError, KeyError, AttributeError, IndexError) as error:
        return f"the body is not shaped as Slack's: {type(error).__name__}"
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        return "the payload type must be a string"
    try:
        msgspec.convert(body, ROUTING[kind]) if kind in ROUTING else None
    except msgspec.ValidationError as error:
        return f"the {kind} payload can't be routed: {error}"
    except UnicodeEncodeError:  # msgspec met half an emoji where it wanted something else
        return f"the {kind} payload can't be routed: it holds a broken character"
    return ""


def _codec(charset: str) -> str:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return ""

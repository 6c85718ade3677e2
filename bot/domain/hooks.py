"""What an inbound hook is, and how a sender proves it holds the hook's secret.

Pure: the moment to judge timestamps by is passed in. Secrets are high-entropy
random strings, so a plain sha256 is enough to store the bearer ones; the
signing schemes (Standard Webhooks, Typeform, Calendly) recompute an HMAC and
so need the key itself. Every comparison is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

TYPES = ("generic", "typeform", "calendly")
DEFAULT_KIND = "inbound"
STANDARD_TOLERANCE = timedelta(minutes=5)
"""Standard Webhooks' window for ``webhook-timestamp``, either side of now (replays)."""
CALENDLY_TOLERANCE = timedelta(minutes=3)
"""Calendly's own advice: refuse signatures older than three minutes (replays)."""
HOOK_ID_BYTES = 16
"""128 bits: nobody finds a hook by guessing its URL."""


@dataclass(frozen=True)
class Hook:
    id: str
    team_id: str
    type: str
    kind: str
    owner: str
    created_by: str
    created_at: datetime
    secret_hash: str
    signing_key: str
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    received: int = 0
    last_error: str = ""

    @property
    def how(self) -> str:
        """What a touch from this hook shows as its "how" in the lead's history."""
        return f"integration ({self.type})"


@dataclass(frozen=True)
class NewHook:
    """A hook just made, with the secret shown this once and never again."""

    hook: Hook
    secret: str


def new_hook(
    *, team_id: str, type: str, kind: str, owner: str, created_by: str, now: datetime
) -> NewHook:
    if type not in TYPES:
        raise ValueError(f"unknown hook type {type!r}")
    if type == "generic":
        # Standard Webhooks secrets are base64 with a whsec_ prefix; Bearer takes it as it is.
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    else:
        secret = secrets.token_urlsafe(32)
    hook = Hook(
        id=_hook_id(),
        team_id=team_id,
        type=type,
        kind=kind,
        owner=owner,
        created_by=created_by,
        created_at=now,
        secret_hash=secret_hash(secret),
        signing_key=secret,
    )
    return NewHook(hook, secret)


HOOK_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
"""What a hook id looks like (``_hook_id`` makes 22 characters); anything else names no hook."""


def is_hook_id(text: str) -> bool:
    return HOOK_ID.fullmatch(text) is not None


def _hook_id() -> str:
    """Random and URL-safe, never starting with ``-`` (a command line would read an option)."""
    while True:
        hook_id = secrets.token_urlsafe(HOOK_ID_BYTES)
        if hook_id[0].isalnum():
            return hook_id


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def authentic(hook: Hook, body: bytes, headers: Mapping[str, str], now: datetime) -> bool:
    """Did the holder of this hook's secret send this body, recently enough?"""
    if hook.type == "typeform":
        return _typeform(hook.signing_key, body, headers.get("Typeform-Signature", ""))
    if hook.type == "calendly":
        return _calendly(hook.signing_key, body, headers.get("Calendly-Webhook-Signature", ""), now)
    authorization = headers.get("Authorization", "")
    if authorization:
        return _bearer(hook.secret_hash, authorization)
    if "webhook-signature" in headers:
        return _standard_webhooks(hook.signing_key, body, headers, now)
    return False


def _bearer(stored_hash: str, authorization: str) -> bool:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return hmac.compare_digest(secret_hash(token.strip()), stored_hash)


def _standard_webhooks(key: str, body: bytes, headers: Mapping[str, str], now: datetime) -> bool:
    """Standard Webhooks: ``webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<t>.<body>")>``
    (several, space-separated, during a key rotation), ``t`` at most five minutes off ``now``."""
    msg_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    if not (msg_id and stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return False
    if abs(now.timestamp() - int(stamp)) > STANDARD_TOLERANCE.total_seconds():
        return False
    try:
        secret = base64.b64decode(key.removeprefix("whsec_"), validate=True)
    except ValueError:
        return False
    signed = f"{msg_id}.{stamp}.".encode() + body
    expected = base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()
    given = [
        signature.partition(",")[2]
        for signature in headers.get("webhook-signature", "").split()
        if signature.startswith("v1,")
    ]
    return any(hmac.compare_digest(one.encode(), expected.encode()) for one in given)


def _typeform(key: str, body: bytes, header: str) -> bool:
    """``Typeform-Signature: sha256=<base64 of HMAC-SHA256(secret, raw body)>``."""
    scheme, _, given = header.partition("=")
    if scheme != "sha256" or not given.isascii():
        return False
    expected = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(given, expected)


def _calendly(key: str, body: bytes, header: str, now: datetime) -> bool:
    """``Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256(key, "<t>.<body>")>``."""
    parts = dict(part.strip().partition("=")[::2] for part in header.split(","))
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12 and given.isascii()):
        return False
    age = now.timestamp() - int(stamp)
    if age > CALENDLY_TOLERANCE.total_seconds() or age < -CALENDLY_TOLERANCE.total_seconds():
        return False
    signed = stamp.encode() + b"." + body
    expected = hmac.new(key.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given, expected)

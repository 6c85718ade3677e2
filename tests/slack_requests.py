"""Requests shaped and signed exactly as Slack sends them to the app.

Bolt refuses a request whose signature or timestamp is off, and routes on fields
Slack fills in (command, action_id, callback_id, team). End-to-end tests therefore
go through the same door as Slack: `POST /slack/events`, with Slack's body formats
(form-encoded commands and interactivity, JSON events) and Slack's v0 signature.
"""

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Mapping
from typing import Any, Self
from urllib.parse import urlencode

import aiohttp

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
APP_ID = "A0001"
BOT_USER_ID = "UBOT"
VERIFICATION_TOKEN = "legacy-verification-token"  # sent by Slack, ignored by Bolt
DEFAULT_RESPONSE_URL = "https://hooks.slack.com/commands/T0001/1000000001/abcdefghij"
_event_ids = itertools.count(1)
_trigger_ids = itertools.count(1)


def new_trigger_id() -> str:
    """A trigger id shaped like Slack's, new each time: Slack makes one per invocation."""
    serial = next(_trigger_ids)
    return f"{1000000000 + serial}.1000000002.{serial:032x}"


def sign(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack sends with `body`: content type, timestamp and v0 signature."""
    ts = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": JSON if body.startswith("{") else FORM,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": f"v0={digest}",
    }


def slash_command_body(
    text: str,
    *,
    team_id: str = "T0001",
    user_id: str = "U1",
    user_name: str = "alice",
    channel_id: str = "C1",
    command: str = "/lead",
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str | None = None,
) -> str:
    """A slash command body, form-encoded with Slack's fields in Slack's order."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": "acme",
        "channel_id": channel_id,
        "channel_name": "sales",
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return urlencode(fields)


def interactive_body(payload: Mapping[str, Any]) -> str:
    """Interactivity (buttons, modals, shortcuts) arrives as form field `payload=<json>`."""
    return urlencode({"payload": json.dumps(payload)})


def event_body(
    event: Mapping[str, Any],
    *,
    team_id: str = "T0001",
    event_id: str | None = None,
) -> str:
    """An Events API `event_callback` envelope around `event`, as JSON."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIn0",
    }
    return json.dumps(envelope)


def block_actions_payload(
    action_id: str,
    *,
    value: str = "",
    block_id: str = "actions",
    team_id: str = "T0001",
    user_id: str = "U1",
    channel_id: str = "C1",
    message: Mapping[str, Any] | None = None,
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A button click on a message; pass the posted `message` to make it the one clicked.

    `extra`: fields Slack adds for some messages, e.g. `FakeSlack.function_scope`.
    """
    message = dict(message or {"type": "message", "ts": "1700000000.000100", "text": ""})
    return {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": "acme"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "sales"},
        "message": message,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": "Button", "emoji": True},
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
        **dict(extra or {}),
    }


def view_submission_payload(
    callback_id: str,
    values: Mapping[str, Any],
    *,
    view: Mapping[str, Any] | None = None,
    private_metadata: str = "",
    team_id: str = "T0001",
    user_id: str = "U1",
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A modal submit; `values` is Slack's `{block_id: {action_id: {"type": ..., ...}}}`.

    Pass the `view` the app opened (from FakeSlack's views.open call) so the payload
    carries the blocks the rep actually saw.
    """
    submitted = {
        "id": "V0001",
        "team_id": team_id,
        "type": "modal",
        "title": {"type": "plain_text", "text": "hotleads"},
        "blocks": [],
        "private_metadata": private_metadata,
        **dict(view or {}),
        "callback_id": callback_id,
        "state": {"values": dict(values)},
        "hash": "1700000000.abcdef",
        "app_id": APP_ID,
        "bot_id": "B0001",
    }
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "acme"},
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": submitted,
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": "alice", "name": "alice", "team_id": team_id}


class SlackSender:
    """Posts signed requests to the app's `/slack/events` URL, as Slack would."""

    def __init__(self, url: str, signing_secret: str, *, response_url: str | None = None) -> None:
        self.url = url
        self.signing_secret = signing_secret
        self.response_url = response_url  # default for commands, e.g. fake.response_url(...)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def command(self, text: str, **fields: str) -> tuple[int, Any]:
        """Send a slash command; `fields` as for `slash_command_body`."""
        if self.response_url is not None:
            fields.setdefault("response_url", self.response_url)
        return await self._send(slash_command_body(text, **fields))

    async def interactive(self, payload: Mapping[str, Any]) -> tuple[int, Any]:
        return await self._send(interactive_body(payload))

    async def event(
        self, event: Mapping[str, Any], *, team_id: str = "T0001", event_id: str | None = None
    ) -> tuple[int, Any]:
        return await self._send(event_body(event, team_id=team_id, event_id=event_id))

    async def post(self, body: str, headers: Mapping[str, str]) -> tuple[int, Any]:
        """Send `body` with exactly these headers: for stale or forged signatures."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(self.url, data=body.encode(), headers=headers) as response:
            if response.content_type == JSON:
                return response.status, await response.json()
            return response.status, await response.text()

    async def _send(self, body: str) -> tuple[int, Any]:
        return await self.post(body, sign(body, self.signing_secret))

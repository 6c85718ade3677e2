"""A fake Slack Web API server for end-to-end tests.

A fake that accepted anything would let a broken message pass every test and fail
in front of a sales rep. This one refuses what real Slack refuses: unknown methods
(checked against Slack's own Web API description), missing arguments, and Block Kit
that slack_sdk's models or Slack's documented limits reject. It records every call,
refused ones included, and can be told to fail the way Slack fails (rate limits,
5xx, `ok: false`). Modelled on slackapi/bolt-python's `tests/mock_web_api_server`.
"""

import asyncio
import base64
import itertools
import json
import re
import socket
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Self

import yaml
from aiohttp import web
from slack_requests import APP_ID
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

SPEC_PATH = Path(__file__).parent / "data" / "web-api.openapi-v2.json"
MANIFEST_PATH = Path(__file__).parent.parent / "manifest.yml"
WAIT = 30.0
"""Seconds a test waits for what the app does after the ack: a hang detector, not a
target (a loaded 2-core machine can take seconds); waits end as soon as it happens."""

# Used by slack_sdk's files_upload_v2 and Socket Mode but newer than the 2020 description.
NEWER_METHODS: dict[str, tuple[str, ...]] = {
    "files.getUploadURLExternal": ("filename", "length"),
    "files.completeUploadExternal": ("files",),
    "apps.connections.open": (),
    # Custom workflow steps (docs.slack.dev/reference/methods/functions.completeSuccess).
    "functions.completeSuccess": ("function_execution_id", "outputs"),
    "functions.completeError": ("error", "function_execution_id"),
}
# Scopes checked per method (Slack's docs for each method list them); a token lacking
# one is answered ``missing_scope`` with ``needed`` and ``provided``, as Slack does.
REQUIRED_SCOPES: dict[str, str] = {
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}
CHANNEL_METHODS = frozenset(
    {*("chat.postMessage", "chat.postEphemeral", "chat.update"), "chat.scheduleMessage"}
)
"""Methods that name a ``channel`` Slack answers ``channel_not_found`` for once it is gone."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_ALT_TXT = 1000
"""files.getUploadURLExternal refuses a longer ``alt_txt`` (``alt_txt_too_large``)."""
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
"""Methods only an app-level token (xapp-) may call; every other one wants xox tokens."""
# Arguments real Slack insists on although the description does not mark them.
EXTRA_REQUIRED: dict[str, tuple[str, ...]] = {
    "chat.scheduleMessage": ("channel", "post_at"),
    "views.update": ("view",),
}

JSON_PARAMS = frozenset({"attachments", "blocks", "files", "metadata", "outputs", "view"})
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)
VIEW_METHODS = frozenset({"views.open", "views.push", "views.update", "views.publish"})

MAX_TEXT = 40_000
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3_000
MAX_SECTION_FIELD = 2_000
MAX_HEADER_TEXT = 150
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
WORKFLOW_TOKEN_LIFETIME = 15 * 60
"""A step's token (``xwfp-``) expires 15 minutes after Slack issues it, or when the step
ends, whichever is first (a Slack engineer on slackapi/bolt-python#1075)."""
SDK_ERRORS = (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError)


@dataclass(frozen=True)
class Call:
    """One Web API call as the fake received it; `params` merges query, form and JSON."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]  # names lower-cased
    error: str | None = None  # the `error` Slack answered with, None when ok
    rejected: bool = False  # refused as invalid (auth, method, arguments, Block Kit)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def token(self) -> str | None:
        """The token the call was made with (Bearer header or ``token`` argument)."""
        authorization = self.headers.get("authorization", "")
        if authorization.startswith("Bearer "):
            return authorization.removeprefix("Bearer ")
        token = self.params.get("token")
        return str(token) if token else None


class Refusal(Exception):
    """Slack's answer to a call it will not carry out."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["errors"] = self.messages
            body["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in self.messages]}
        return body


@dataclass(frozen=True)
class _Failure:
    status: int
    error: str
    retry_after: int | None

    def response(self) -> web.Response:
        if self.status >= 500:
            return web.Response(status=self.status, text="Internal Server Error")
        headers = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        body = {"ok": False, "error": self.error}
        return web.json_response(body, status=self.status, headers=headers)


@cache
def known_methods() -> dict[str, tuple[str, ...]]:
    """Method name -> required arguments, as Slack's own Web API description says."""
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    methods = {
        path.lstrip("/"): _required(operations) for path, operations in spec["paths"].items()
    }
    methods.update(NEWER_METHODS)
    for method, extra in EXTRA_REQUIRED.items():
        methods[method] = tuple(sorted({*methods[method], *extra}))
    return methods


@cache
def manifest_scopes() -> frozenset[str]:
    """What a token of the app installed from ``manifest.yml`` may do (the tests' own token)."""
    manifest = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    return frozenset(manifest["oauth_config"]["scopes"]["bot"])


def _required(operations: Mapping[str, Any]) -> tuple[str, ...]:
    # The token travels in the Authorization header, which is checked separately.
    names = {
        param["name"]
        for operation in operations.values()
        for param in operation.get("parameters", [])
        if param.get("required") and param["name"] != "token"
    }
    return tuple(sorted(names))


# ---------------------------------------------------------------- Block Kit checks


def block_problems(blocks: Any, *, limit: int, pointer: str = "/blocks") -> list[str]:
    """Everything Slack would object to in a list of blocks; empty when it would render."""
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{pointer}]"]
    problems = []
    if len(blocks) > limit:
        problems.append(f"no more than {limit} items allowed [json-pointer:{pointer}]")
    for index, block in enumerate(blocks):
        problems += [f"{p} [json-pointer:{pointer}/{index}]" for p in _block_problems(block)]
    return problems + _duplicate_id_problems(blocks)


def _block_problems(raw: Any) -> list[str]:
    if not isinstance(raw, dict):
        return ["block must be an object"]
    try:
        block = Block.parse(raw)
        if block is None:
            return [f"unsupported block type {raw.get('type')!r}"]
        _validate_tree(block)
    except SDK_ERRORS as error:
        return [str(error)]
    return _limits_the_sdk_skips(raw)


def _validate_tree(obj: Any) -> None:
    """slack_sdk validates one object at a time; Slack validates nested elements too."""
    if isinstance(obj, JsonObject):
        obj.validate_json()
        for name in obj.attributes:
            _validate_tree(getattr(obj, name, None))
    elif isinstance(obj, list | tuple):
        for item in obj:
            _validate_tree(item)


def _limits_the_sdk_skips(block: dict[str, Any]) -> list[str]:
    problems = [f"{kind} text must not be empty" for kind in _empty_texts(block)]
    text = block.get("text")
    text_value = text.get("text", "") if isinstance(text, dict) else ""
    if block["type"] == "section":
        if len(text_value) > MAX_SECTION_TEXT:
            problems.append(f"section text must be at most {MAX_SECTION_TEXT} characters")
        for field in block.get("fields") or []:
            if isinstance(field, dict) and len(field.get("text", "")) > MAX_SECTION_FIELD:
                problems.append(f"section field must be at most {MAX_SECTION_FIELD} characters")
    if block["type"] == "header":
        if isinstance(text, dict) and text.get("type") != "plain_text":
            problems.append("header text must be plain_text")
        if len(text_value) > MAX_HEADER_TEXT:
            problems.append(f"header text must be at most {MAX_HEADER_TEXT} characters")
    return problems


def _empty_texts(node: Any) -> Iterator[str]:
    """Text objects with an empty `text`: Slack requires at least one character."""
    if isinstance(node, dict):
        if node.get("type") in TEXT_TYPES and node.get("text") == "":
            yield node["type"]
        for value in node.values():
            yield from _empty_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _empty_texts(item)


def _duplicate_id_problems(blocks: list[Any]) -> list[str]:
    """Block ids are unique in a message or view; action ids only within their block."""
    block_ids = [b["block_id"] for b in blocks if isinstance(b, dict) and "block_id" in b]
    problems = [f"duplicate block_id {i!r}" for i in _repeated(block_ids)]
    for block in blocks:
        problems += [f"duplicate action_id {i!r}" for i in _repeated(list(_action_ids(block)))]
    return problems


def _action_ids(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("action_id"), str):
            yield node["action_id"]
        for value in node.values():
            yield from _action_ids(value)
    elif isinstance(node, list):
        for item in node:
            yield from _action_ids(item)


def _repeated(ids: list[str]) -> list[str]:
    return sorted(i for i, count in Counter(ids).items() if count > 1)


def check_content(params: Mapping[str, Any]) -> None:
    """Refuse message text and blocks Slack would refuse (chat.* and response_url alike)."""
    text = params.get("text")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        raise Refusal("msg_too_long")
    if "blocks" not in params:
        return
    if not isinstance(params["blocks"], list):
        raise Refusal("invalid_blocks_format")
    problems = block_problems(params["blocks"], limit=MAX_MESSAGE_BLOCKS)
    if problems:
        raise Refusal("invalid_blocks", problems)


def check_message(params: Mapping[str, Any]) -> None:
    """A chat.* message must carry content, and that content must be valid."""
    check_content(params)
    if not (params.get("text") or params.get("blocks") or params.get("attachments")):
        raise Refusal("no_text")


def check_view(view: Any) -> None:
    """Refuse a modal or home tab Slack would refuse (Slack says invalid_arguments)."""
    if not isinstance(view, dict):
        raise Refusal("invalid_arguments", ["view must be a JSON object [json-pointer:/view]"])
    problems = _view_object_problems(view)
    problems += block_problems(view.get("blocks"), limit=MAX_VIEW_BLOCKS, pointer="/view/blocks")
    problems += _modal_problems(view)
    if problems:
        raise Refusal("invalid_arguments", problems)


def _view_object_problems(view: dict[str, Any]) -> list[str]:
    try:
        View(**view).validate_json()
    except SDK_ERRORS as error:
        return [f"{error} [json-pointer:/view]"]
    return []


def _modal_problems(view: dict[str, Any]) -> list[str]:
    if view.get("type") != "modal":
        return []
    problems = [] if view.get("title") else ["a modal needs a title [json-pointer:/view/title]"]
    blocks = view.get("blocks")
    has_input = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    if has_input and not view.get("submit"):
        problems.append("a modal with input blocks needs submit [json-pointer:/view/submit]")
    return problems


# ---------------------------------------------------------------- custom steps


@cache
def manifest_functions() -> dict[str, Any]:
    """The app's steps as ``manifest.yml`` declares them: what Slack holds outputs to."""
    return yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))["functions"]


_USER_ID = re.compile(r"[UW][A-Z0-9]{1,20}")
_OUTPUT_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "slack#/types/user_id": lambda v: isinstance(v, str) and _USER_ID.fullmatch(v) is not None,
}


def output_problems(declared: Mapping[str, Any], outputs: Any) -> list[str]:
    """What Slack's ``parameter_validation_failed`` would list for these outputs."""
    if not isinstance(outputs, dict):
        return ["outputs must be a JSON object"]
    problems = [
        f"missing required output {name!r}"
        for name, param in declared.items()
        if param.get("is_required") and name not in outputs
    ]
    for name, value in outputs.items():
        if name not in declared:
            problems.append(f"output {name!r} is not declared")
        elif not _OUTPUT_TYPES.get(declared[name]["type"], lambda _: True)(value):
            problems.append(f"output {name!r} is not a {declared[name]['type']}: {value!r:.60}")
    return problems


def _listed(parameters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The manifest's ``name: {…}`` map as the event lists it: ``[{name, …}]``."""
    return [{"name": name, **dict(param)} for name, param in parameters.items()]


@dataclass
class Execution:
    """One run of one of the app's steps, as Slack tracks it."""

    id: str
    team_id: str
    callback_id: str
    inputs: dict[str, Any]
    token: str = ""  # the bot_access_token its event carried
    state: str = "running"  # completed / failed once the app says so
    outputs: dict[str, Any] | None = None
    error: str | None = None


# ---------------------------------------------------------------- the server


class FakeSlack:
    """Slack's Web API on 127.0.0.1: records calls, validates them, answers like Slack."""

    def __init__(
        self,
        *,
        team_id: str = "T0001",
        client_id: str = "1111.2222",
        client_secret: str = "fake-client-secret",
    ) -> None:
        self.team_id = team_id
        self.client_id, self.client_secret = client_id, client_secret
        self.token_lifetime = 43_200  # Slack's rotating tokens last 12 hours
        self.refresh_delay = 0.0  # seconds oauth.v2.access takes to refresh, to widen races
        self.latency = 0.0  # seconds every Web API call takes, as over a real network
        self.tokens: dict[str, dict[str, Any]] = {}  # issued bot token -> its workspace
        self.revoked: set[str] = set()
        self._codes: dict[str, dict[str, Any]] = {}
        self._expires: dict[str, float] = {}  # rotating token -> when Slack stops taking it
        self._refresh_tokens: dict[str, dict[str, Any]] = {}  # unspent refresh token -> workspace
        self.calls: list[Call] = []
        self.ports: list[int] = []
        """The client port each Web API request came from: how many connections the app opened."""
        self.rejections: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.default_user: dict[str, Any] | None = None  # template for unknown user ids
        self.shared: set[str] = set()  # users of other workspaces seen through Slack Connect
        self.uploads: dict[str, bytes] = {}
        self.files: dict[str, dict[str, Any]] = {}
        """Every file shared by files.completeUploadExternal, as Slack's file object, plus
        ``content`` (the bytes), ``alt_txt`` and the ``initial_comment`` it was shared with."""
        self.withheld_scopes: set[str] = set()
        """Scopes the workspace did not grant: calls needing one answer ``missing_scope``."""
        self.gone_channels: set[str] = set()
        """Channels deleted since: posting or sharing a file there fails as on Slack."""
        self._pending: dict[str, dict[str, Any]] = {}  # file id -> what getUploadURLExternal said
        self.responses: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self._failures: defaultdict[str, deque[_Failure]] = defaultdict(deque)
        self._upload_names: dict[str, str] = {}
        self._serial = itertools.count(1)
        self.socket_url: str | None = None
        """What ``apps.connections.open`` answers: a WebSocket the test serves."""
        self.views_without_hash = False
        """Answer views.* with a view lacking ``hash``, as some workspaces' answers do."""
        self._ts_serial = itertools.count(1)
        self.executions: dict[str, Execution] = {}
        """Runs of the app's steps, by ``function_execution_id``."""
        self.workflow_token_lifetime = WORKFLOW_TOKEN_LIFETIME
        self._workflow_tokens: dict[str, str] = {}  # xwfp- token -> the execution it belongs to
        self.step_messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        """Messages posted with a step's token, by execution: their clicks belong to the step."""
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{key}", self._respond)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """Base URL for `AsyncWebClient(base_url=...)`."""
        return f"{self._origin()}/api/"

    def response_url(self, key: str) -> str:
        """A response_url whose posts land in `self.responses[key]`."""
        return f"{self._origin()}/respond/{key}"

    def calls_to(self, method: str) -> list[Call]:
        """Calls to one method, refused ones included (check `Call.ok`)."""
        return [call for call in self.calls if call.method == method]

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls to `method` fail: 429 (Retry-After), 5xx, or ok=false."""
        if method not in known_methods():
            raise ValueError(f"{method} is not a Slack Web API method")
        if status == 200 and error is None:
            raise ValueError("a 200 failure needs an error, e.g. 'channel_not_found'")
        if status == 429:
            error = error or "ratelimited"
            retry_after = 1 if retry_after is None else retry_after
        failure = _Failure(status, error or "internal_error", retry_after)
        self._failures[method].extend([failure] * times)

    async def wait_for(self, method: str, count: int = 1, timeout: float = WAIT) -> list[Call]:  # noqa: ASYNC109
        """Wait for calls the app makes after ack(), in the background; returns them."""
        await self._wait_until(lambda: len(self.calls_to(method)) >= count, timeout, method)
        return self.calls_to(method)

    async def wait_for_responses(
        self,
        key: str,
        count: int = 1,
        timeout: float = WAIT,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        """Like `wait_for`, for bodies posted to `response_url(key)`."""
        await self._wait_until(lambda: len(self.responses[key]) >= count, timeout, key)
        return self.responses[key]

    async def _wait_until(self, done: Callable[[], bool], seconds: float, what: str) -> None:
        try:
            async with asyncio.timeout(seconds), self._changed:
                await self._changed.wait_for(done)
        except TimeoutError:
            seen = [c.method for c in self.calls]
            raise AssertionError(
                f"waited {seconds}s for {what}; calls: {seen}; rejections: {self.rejections}"
            ) from None

    def _origin(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self._port}"

    async def _record(self, call: Call) -> None:
        if call.method != "response_url":
            self.calls.append(call)
        if call.rejected:
            self.rejections.append(call)
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------ handlers

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer:
            self.ports.append(peer[1])
        headers = {name.lower(): value for name, value in request.headers.items()}
        params: dict[str, Any] = {}
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            params = await _read_params(request)
            if method == "oauth.v2.access":
                answer = await self._oauth_access(params, headers)
                await self._record(Call(method, params, headers, error=answer.get("error")))
                return web.json_response(answer)
            _check_method(method)
            _check_auth(headers, params, method)
            token = Call(method, params, headers).token or ""
            dead = self._dead_token(token)
            if dead:  # the app did nothing wrong: the workspace took its token back
                await self._record(Call(method, params, headers, error=dead))
                return web.json_response({"ok": False, "error": dead})
            missing = self._missing_scope(method, Call(method, params, headers).token)
            if missing:
                await self._record(Call(method, params, headers, error="missing_scope"))
                return web.json_response(missing)
            if self._failures[method]:
                failure = self._failures[method].popleft()
                await self._record(Call(method, params, headers, error=failure.error))
                return failure.response()
            _check_arguments(method, params)
            answer = self._answer(method, params, Call(method, params, headers).token)
        except Refusal as refusal:
            await self._record(Call(method, params, headers, refusal.error, rejected=True))
            return web.json_response(refusal.body())
        await self._record(Call(method, params, headers, error=answer.get("error")))
        return web.json_response(answer)

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self._upload_names:
            return web.Response(status=404, text="unknown upload")
        self.uploads[file_id] = await request.read()
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    async def _respond(self, request: web.Request) -> web.Response:
        headers = {name.lower(): value for name, value in request.headers.items()}
        body = await request.json()
        try:
            check_content(body)
        except Refusal as refusal:
            await self._record(Call("response_url", body, headers, refusal.error, rejected=True))
            return web.json_response(refusal.body(), status=400)
        self.responses[request.match_info["key"]].append(body)
        await self._record(Call("response_url", body, headers))
        return web.json_response({"ok": True})

    # ------------------------------------------------------------ OAuth

    def approve(
        self,
        team_id: str,
        team_name: str,
        *,
        installer: str = "UINSTALLER",
        scopes: str = "commands,chat:write",
        rotation: bool = True,
        bot_user_id: str | None = None,
    ) -> str:
        """An admin of ``team_id`` clicks Allow on Slack's page: the code Slack redirects with."""
        code = f"code-{team_id}-{next(self._serial)}"
        self._codes[code] = {
            "team": {"id": team_id, "name": team_name},
            "installer": installer,
            "scope": scopes,
            "rotation": rotation,
            "bot_user_id": bot_user_id or f"UBOT{team_id}",
            "bot_id": f"B{team_id}",
        }
        return code

    def revoke(self, team_id: str) -> None:
        """The workspace revokes the app's tokens: calls with them answer ``token_revoked``."""
        self.revoked |= {t for t, grant in self.tokens.items() if grant["team"]["id"] == team_id}

    def tokens_of(self, team_id: str) -> set[str]:
        return {t for t, grant in self.tokens.items() if grant["team"]["id"] == team_id}

    async def _oauth_access(
        self, params: dict[str, Any], headers: Mapping[str, str]
    ) -> dict[str, Any]:
        """oauth.v2.access, as Slack's docs show it: a code once, or a refresh token once."""
        client_id, client_secret = _client_credentials(params, headers)
        if client_id != self.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != self.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        if params.get("grant_type") == "refresh_token":
            await asyncio.sleep(self.refresh_delay)
            grant = self._refresh_tokens.pop(str(params.get("refresh_token", "")), None)
            if grant is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            return self._issue(grant)
        grant = self._codes.pop(str(params.get("code", "")), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        return self._issue(grant)

    def _issue(self, grant: dict[str, Any]) -> dict[str, Any]:
        serial = next(self._serial)
        team_id = grant["team"]["id"]
        token = (
            f"xoxe.xoxb-1-{team_id}-{serial}" if grant["rotation"] else f"xoxb-{team_id}-{serial}"
        )
        self.tokens[token] = grant
        if grant["rotation"]:
            self._expires[token] = time.time() + self.token_lifetime
        answer = {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": grant["scope"],
            "bot_user_id": grant["bot_user_id"],
            "app_id": "A0HOTLEADS",
            "team": grant["team"],
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": grant["installer"]},
        }
        if grant["rotation"]:
            refresh = f"xoxe-1-{team_id}-{serial}"
            self._refresh_tokens[refresh] = grant
            answer |= {"expires_in": self.token_lifetime, "refresh_token": refresh}
        return answer

    def _missing_scope(self, method: str, token: str | None) -> dict[str, Any] | None:
        """Slack's answer when the token lacks the method's scope, else None."""
        needed = REQUIRED_SCOPES.get(method)
        if needed is None:
            return None
        grant = self.tokens.get(token or "")
        granted = set(grant["scope"].split(",")) if grant else manifest_scopes()
        granted -= self.withheld_scopes
        if needed in granted:
            return None
        return {
            "ok": False,
            "error": "missing_scope",
            "needed": needed,
            "provided": ",".join(sorted(granted)),
        }

    def _dead_token(self, token: str | None) -> str | None:
        """Tokens this fake issued answer as Slack's do once revoked or expired.

        A step token (``xwfp-``) Slack never issued is answered ``invalid_auth`` the same
        way: Bolt takes it from the payload, so it is the sender's doing, not the app's.
        """
        if (token or "").startswith("xwfp-") and token not in self._workflow_tokens:
            return "invalid_auth"
        if token in self.revoked:
            return "token_revoked"
        if self._expires.get(token or "", float("inf")) < time.time():
            return "token_expired"
        return None

    # ------------------------------------------------------------ custom steps

    def function_executed(
        self, callback_id: str, inputs: Mapping[str, Any], *, team_id: str | None = None
    ) -> dict[str, Any]:
        """Workflow Builder runs the app's step ``callback_id``: the event Slack sends for it.

        Shaped as docs.slack.dev/reference/events/function_executed shows it, with a
        fresh execution id and a token for this execution only. Send it with
        ``SlackSender.event(event, team_id=…)``.
        """
        declared = manifest_functions()
        if callback_id not in declared:
            raise ValueError(f"{callback_id} is not a step in manifest.yml")
        step = declared[callback_id]
        team = team_id or self.team_id
        execution = Execution(self._new_id("Fx"), team, callback_id, dict(inputs))
        self.executions[execution.id] = execution
        execution.token = self._workflow_token(execution)
        return {
            "type": "function_executed",
            "function": {
                "id": f"Fn{callback_id.upper().replace('_', '')[:10]}",
                "callback_id": callback_id,
                "title": step["title"],
                "description": step.get("description", ""),
                "type": "app",
                "input_parameters": _listed(step["input_parameters"]),
                "output_parameters": _listed(step["output_parameters"]),
                "app_id": APP_ID,
                "date_created": 1_700_000_000,
                "date_updated": 1_700_000_000,
                "date_deleted": 0,
            },
            "inputs": dict(inputs),
            "function_execution_id": execution.id,
            "workflow_execution_id": self._new_id("Wx"),
            "event_ts": f"{time.time():.6f}",
            "bot_access_token": execution.token,
        }

    def function_scope(self, message: Mapping[str, Any], user_id: str) -> dict[str, Any]:
        """What Slack adds to a click on a message a step posted with its token.

        ``function_data`` names the step and a fresh token comes with each click
        (bolt-python's ``test_function_block_action``); a message no step posted
        gets nothing, and so does one whose step has ended.
        """
        execution_id = next(
            (
                e
                for e, posted in self.step_messages.items()
                if message["ts"] in {m["ts"] for m in posted}
            ),
            None,
        )
        if execution_id is None or self.executions[execution_id].state != "running":
            return {}  # ended: its interactivity is no longer invocable
        execution = self.executions[execution_id]
        return {
            "function_data": {
                "execution_id": execution.id,
                "inputs": execution.inputs,
                "function": {"callback_id": execution.callback_id},
            },
            "interactivity": {
                "interactor": {"id": user_id, "secret": f"interactor-{next(self._serial)}"},
                "interactivity_pointer": f"{next(self._serial)}.{execution.id}",
            },
            "bot_access_token": self._workflow_token(execution),
        }

    async def step_ended(self, execution_id: str, timeout: float = WAIT) -> Execution:  # noqa: ASYNC109
        """Wait until the app completes or fails the step (it does so after the ack)."""
        execution = self.executions[execution_id]
        await self._wait_until(lambda: execution.state != "running", timeout, execution_id)
        return execution

    def expire_workflow_tokens(self) -> None:
        """Time passes on Slack's side: every step token issued so far has expired."""
        for token in self._workflow_tokens:
            self._expires[token] = 0.0

    def _workflow_token(self, execution: Execution) -> str:
        token = f"xwfp-{execution.team_id}-{next(self._serial)}"
        self._workflow_tokens[token] = execution.id
        self._expires[token] = time.time() + self.workflow_token_lifetime
        return token

    def _complete(self, method: str, params: dict[str, Any], token: str) -> dict[str, Any]:
        """functions.completeSuccess / completeError: once per execution, by its app, typed."""
        execution = self.executions.get(str(params["function_execution_id"]))
        if execution is None:
            raise Refusal("function_execution_not_found")
        if not self._may_end(token, execution):
            raise Refusal("access_denied")
        if execution.state != "running":
            raise Refusal("execution_not_in_running_state")
        if method == "functions.completeSuccess":
            declared = manifest_functions()[execution.callback_id]["output_parameters"]
            problems = output_problems(declared, params["outputs"])
            if problems:
                raise Refusal("parameter_validation_failed", problems)
            execution.state, execution.outputs = "completed", params["outputs"]
        else:
            execution.state, execution.error = "failed", str(params["error"])
        # The step is over: its tokens stop working.
        self.revoked |= {t for t, e in self._workflow_tokens.items() if e == execution.id}
        return {"ok": True}

    def _may_end(self, token: str, execution: Execution) -> bool:
        """The execution's own token, or the bot token of the workspace it runs in."""
        if token in self._workflow_tokens:
            return self._workflow_tokens[token] == execution.id
        grant = self.tokens.get(token)
        team = grant["team"]["id"] if grant else self.team_id if token.startswith("xoxb-") else None
        return team == execution.team_id

    # ------------------------------------------------------------ canned answers

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method in CHANNEL_METHODS and params.get("channel") in self.gone_channels:
            return {"ok": False, "error": "channel_not_found"}
        if method == "auth.test":
            return self._auth_test(token)
        if method == "users.info":
            return self._user_info(params, token)
        answers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": lambda _: {"ok": True, "message_ts": self._ts()},
            "chat.scheduleMessage": self._schedule_message,
            "conversations.open": _open_conversation,
            "users.lookupByEmail": self._user_by_email,
            "chat.getPermalink": _permalink,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            **dict.fromkeys(VIEW_METHODS, self._view),
        }
        if method in ("functions.completeSuccess", "functions.completeError"):
            return self._complete(method, params, token or "")
        answer = answers.get(method)
        result = answer(params) if answer else {"ok": True}
        execution_id = self._workflow_tokens.get(token or "")
        if method == "chat.postMessage" and execution_id is not None:
            message = {**result["message"], "channel": result["channel"]}
            self.step_messages[execution_id].append(message)
        return result

    def _connections_open(self, _: dict[str, Any]) -> dict[str, Any]:
        if self.socket_url is None:
            return {"ok": False, "error": "internal_error"}
        return {"ok": True, "url": self.socket_url}

    def _auth_test(self, token: str | None) -> dict[str, Any]:
        grant = self.tokens.get(token or "")
        if grant is not None:  # a token this fake issued: its own workspace's answer
            return {
                "ok": True,
                "url": f"https://{grant['team']['id'].lower()}.slack.com/",
                "team": grant["team"]["name"],
                "user": "hotleads",
                "team_id": grant["team"]["id"],
                "user_id": grant["bot_user_id"],
                "bot_id": grant["bot_id"],
            }
        return {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "user": "hotleads",
            "team_id": self.team_id,
            "user_id": "UBOT",
            "bot_id": "B0001",
        }

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        ts = self._ts()
        channel = _channel_for(params["channel"])
        return {"ok": True, "channel": channel, "ts": ts, "message": _message(params, ts)}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        ts = params["ts"]
        message = _message(params, ts)
        return {"ok": True, "channel": params["channel"], "ts": ts, "text": message["text"]}

    def _schedule_message(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "channel": _channel_for(params["channel"]),
            "scheduled_message_id": self._new_id("Q"),
            "post_at": params["post_at"],
            "message": _message(params, None),
        }

    def _user_info(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        """The user, with their ``team_id``; one of another workspace is not found, as in
        Slack, unless in the same Enterprise Grid org (``enterprise_user.teams``) or listed
        in ``shared`` (Slack Connect shows them, with their own team)."""
        user_id = params.get("user", "")
        user = self.users.get(user_id)
        if user is None and self.default_user is not None:
            user = {**self.default_user, "id": user_id}
        grant = self.tokens.get(token or "")
        asking = grant["team"]["id"] if grant else self.team_id
        if user is not None:
            user = {"team_id": asking, **user}
        grid = (user or {}).get("enterprise_user") or {}
        if user is None or (
            user["team_id"] != asking
            and asking not in grid.get("teams", ())
            and user_id not in self.shared
        ):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _user_by_email(self, params: dict[str, Any]) -> dict[str, Any]:
        """Real Slack matches the profile email, ignoring case, and says ``users_not_found``."""
        email = str(params.get("email", "")).lower()
        for user in self.users.values():
            if str(user.get("profile", {}).get("email", "")).lower() == email:
                return {"ok": True, "user": user}
        return {"ok": False, "error": "users_not_found"}

    def _view(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id") or self._new_id("V")
        view = {
            **params["view"],
            "id": view_id,
            "team_id": self.team_id,
            "state": {"values": {}},
            "hash": f"{next(self._serial)}.abc",
        }
        if self.views_without_hash:
            del view["hash"]
        return {"ok": True, "view": view}

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        """files.getUploadURLExternal: an upload URL, and the file id to complete it with."""
        length = str(params["length"])
        if not length.isdigit() or int(length) == 0:
            raise Refusal("missing_argument", ["length must be a whole number of bytes above 0"])
        alt_txt = params.get("alt_txt")
        if alt_txt is not None and len(str(alt_txt)) > MAX_ALT_TXT:
            raise Refusal("alt_txt_too_large")
        file_id = self._new_id("F")
        self._upload_names[file_id] = params["filename"]
        self._pending[file_id] = {"alt_txt": alt_txt}
        return {"ok": True, "upload_url": f"{self._origin()}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        """files.completeUploadExternal: share what was uploaded, once, where asked."""
        files = params["files"]
        if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
            raise Refusal("invalid_arguments", ["files must be a JSON array of objects"])
        missing = [
            f.get("id")
            for f in files
            if f.get("id") not in self.uploads or f.get("id") in self.files
        ]
        if missing:
            raise Refusal("file_not_found", [f"not uploaded, or completed already: {missing}"])
        channel = params.get("channel_id")
        if channel in self.gone_channels:  # the app did nothing wrong: the channel went
            return {"ok": False, "error": "invalid_channel"}
        shared = [self._file(f, channel, params.get("initial_comment")) for f in files]
        return {
            "ok": True,
            "files": [
                {k: v for k, v in f.items() if k not in ("content", "initial_comment")}
                for f in shared
            ],
        }

    def _file(
        self, entry: dict[str, Any], channel: str | None, comment: str | None
    ) -> dict[str, Any]:
        file_id = entry["id"]
        name = self._upload_names[file_id]
        content = self.uploads[file_id]
        self.files[file_id] = {
            "id": file_id,
            "name": name,
            "title": entry.get("title") or name,
            "mimetype": "image/png" if content.startswith(PNG_SIGNATURE) else "text/plain",
            "size": len(content),
            "alt_txt": self._pending[file_id]["alt_txt"],
            "channels": [channel] if channel else [],
            "content": content,
            "initial_comment": comment,
        }
        return self.files[file_id]

    def _ts(self) -> str:
        """Unique and increasing, like real message timestamps."""
        micros = 1_700_000_000_000_000 + next(self._ts_serial) * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._serial):08d}"


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise Refusal("invalid_json") from None
        if not isinstance(body, dict):
            raise Refusal("invalid_json")
        params.update(body)
    else:
        params.update(await request.post())
    return {name: _decode(name, value) for name, value in params.items()}


def _decode(name: str, value: Any) -> Any:
    """Form-encoded blocks, views and attachments arrive as JSON strings."""
    if name not in JSON_PARAMS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _client_credentials(params: Mapping[str, Any], headers: Mapping[str, str]) -> tuple[str, str]:
    """HTTP Basic (what slack_sdk sends) or client_id/client_secret arguments."""
    authorization = headers.get("authorization", "")
    if authorization.startswith("Basic "):
        decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return str(params.get("client_id", "")), str(params.get("client_secret", ""))


def _check_auth(headers: Mapping[str, str], params: Mapping[str, Any], method: str = "") -> None:
    authorization = headers.get("authorization", "")
    token = str(authorization.removeprefix("Bearer ") if authorization else params.get("token"))
    if not token or token == "None":
        raise Refusal("not_authed")
    app_level = method in APP_TOKEN_METHODS
    if token.startswith("xox" if app_level else "xapp-"):
        raise Refusal("not_allowed_token_type")
    if not token.startswith(("xapp-1-",) if app_level else ("xox", "xwfp-")):
        raise Refusal("invalid_auth")


def _check_method(method: str) -> None:
    if method not in known_methods():
        raise Refusal("unknown_method")


def _check_arguments(method: str, params: Mapping[str, Any]) -> None:
    missing = [name for name in known_methods()[method] if params.get(name) in (None, "")]
    if missing:
        messages = [f"missing required field: {name}" for name in missing]
        raise Refusal("invalid_arguments", messages)
    if method in MESSAGE_METHODS:
        check_message(params)
    if method in VIEW_METHODS:
        check_view(params["view"])


def _channel_for(channel: str) -> str:
    """Posting to a user id lands in the bot's DM with that user, as on Slack."""
    return f"D{channel}" if channel[:1] in ("U", "W") else channel


def _permalink(params: dict[str, Any]) -> dict[str, Any]:
    ts = params["message_ts"].replace(".", "")
    link = f"https://acme.slack.com/archives/{params['channel']}/p{ts}"
    return {"ok": True, "channel": params["channel"], "permalink": link}


def _open_conversation(params: dict[str, Any]) -> dict[str, Any]:
    if params.get("channel"):
        return {"ok": True, "channel": {"id": params["channel"]}}
    users = [user for user in str(params.get("users", "")).split(",") if user]
    if not users:
        raise Refusal("users_list_not_supplied")
    prefix = "D" if len(users) == 1 else "G"
    return {"ok": True, "channel": {"id": prefix + "".join(users)}}


def _message(params: Mapping[str, Any], ts: str | None) -> dict[str, Any]:
    message = {
        "type": "message",
        "user": "UBOT",
        "bot_id": "B0001",
        "text": params.get("text", ""),
        "blocks": params.get("blocks", []),
    }
    return message if ts is None else {**message, "ts": ts}

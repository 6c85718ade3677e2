"""The fake Slack must refuse what Slack refuses, or the end-to-end tests prove nothing.

Every test talks to it through the real slack_sdk client (or real Bolt), so the
fake is checked against the wire format the app itself will use.
"""

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from fake_slack import FakeSlack
from slack_bolt.async_app import AsyncApp
from slack_requests import (
    SlackSender,
    block_actions_payload,
    event_body,
    interactive_body,
    sign,
    slash_command_body,
    view_submission_payload,
)
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

SECRET = "s3cret"


def section(text: str, **extra: object) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str, text: str = "Open") -> dict:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": text}}


def modal(blocks: list[dict], **extra: object) -> dict:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Log a touch"}, **extra} | {
        "blocks": blocks
    }


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[])


async def refused(call) -> str:
    with pytest.raises(SlackApiError) as raised:
        await call
    return raised.value.response["error"]


# ---------------------------------------------------------------- recording


async def test_post_message_is_recorded_and_answered(fake, client):
    blocks = [section("*Acme* is hot"), {"type": "actions", "elements": [button("open")]}]
    answer = await client.chat_postMessage(channel="C1", text="Acme is hot", blocks=blocks)

    assert (answer["ok"], answer["channel"], answer["message"]["blocks"]) == (True, "C1", blocks)
    [call] = fake.calls_to("chat.postMessage")
    assert call.ok and call.params["blocks"] == blocks
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert fake.rejections == []


async def test_form_encoded_blocks_are_decoded_and_validated(fake, client):
    data = {"channel": "C1", "text": "hi", "blocks": json.dumps([section("hello")])}
    await client.api_call("chat.postMessage", data=data)
    assert fake.calls[-1].params["blocks"] == [section("hello")]

    data["blocks"] = json.dumps([section("x" * 3001)])
    assert await refused(client.api_call("chat.postMessage", data=data)) == "invalid_blocks"


async def test_message_ts_are_unique_and_increasing(client):
    answers = [await client.chat_postMessage(channel="C1", text=str(n)) for n in range(3)]
    stamps = [float(answer["ts"]) for answer in answers]
    assert stamps == sorted(set(stamps)) and len(stamps) == 3


async def test_posting_to_a_user_lands_in_the_dm(client):
    answer = await client.chat_postMessage(channel="U1", text="hi")
    assert answer["channel"] == "DU1"


async def test_canned_answers(fake, client):
    assert (await client.auth_test())["team_id"] == "T0001"
    assert (await client.conversations_open(users="U1"))["channel"]["id"] == "DU1"
    assert (await client.chat_postEphemeral(channel="C1", user="U1", text="hi"))["message_ts"]
    assert (await client.chat_update(channel="C1", ts="1.2", text="new"))["ok"]
    assert (await client.reactions_add(channel="C1", timestamp="1.2", name="fire"))["ok"]


async def test_team_id_is_configurable():
    async with FakeSlack(team_id="T0042") as fake:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.url)
        assert (await client.auth_test())["team_id"] == "T0042"


# ---------------------------------------------------------------- refusals


async def test_unknown_method_is_refused(fake, client):
    assert await refused(client.api_call("chat.postMesage", json={"channel": "C1"})) == (
        "unknown_method"
    )
    assert [call.method for call in fake.rejections] == ["chat.postMesage"]


async def test_newer_upload_methods_are_known(client):
    answer = await client.files_getUploadURLExternal(filename="a.csv", length=3)
    assert answer["upload_url"].endswith(f"/upload/{answer['file_id']}")


async def test_missing_token_is_refused(fake):
    anonymous = AsyncWebClient(base_url=fake.url)
    assert await refused(anonymous.chat_postMessage(channel="C1", text="hi")) == "not_authed"


async def test_missing_required_argument_is_refused(fake, client):
    with pytest.raises(SlackApiError) as raised:
        await client.api_call("chat.postMessage", json={"text": "no channel"})
    assert raised.value.response["error"] == "invalid_arguments"
    assert "channel" in raised.value.response["response_metadata"]["messages"][0]
    assert fake.rejections[0].rejected and fake.calls[0].rejected


async def test_message_without_content_is_refused(client):
    assert await refused(client.api_call("chat.postMessage", json={"channel": "C1"})) == "no_text"


async def test_text_over_40000_characters_is_refused(client):
    assert await refused(client.chat_postMessage(channel="C1", text="x" * 40_001)) == (
        "msg_too_long"
    )


INVALID_BLOCKS = {
    "section text over 3000": [section("x" * 3001)],
    "section field over 2000": [
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}
    ],
    "empty section text": [section("")],
    "header over 150": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
    "mrkdwn header": [{"type": "header", "text": {"type": "mrkdwn", "text": "*hot*"}}],
    "51 blocks": [section(f"lead {n}") for n in range(51)],
    "button without text": [
        {"type": "actions", "elements": [{"type": "button", "action_id": "a"}]}
    ],
    "accessory button text over 75": [section("Acme", accessory=button("open", "x" * 76))],
    "duplicate action_id in a block": [
        {"type": "actions", "elements": [button("open"), button("open", "Again")]},
    ],
    "duplicate block_id": [section("a", block_id="lead"), section("b", block_id="lead")],
    "unknown block type": [{"type": "sectoin", "text": {"type": "mrkdwn", "text": "hi"}}],
}

VALID_BLOCKS = {
    "one action_id in two blocks": [
        {"type": "actions", "block_id": "lead:1", "elements": [button("open")]},
        {"type": "actions", "block_id": "lead:2", "elements": [button("open")]},
    ],
    "section text of 3000": [section("x" * 3000)],
    "header of 150": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 150}}],
    "50 blocks": [section(f"lead {n}") for n in range(50)],
    "distinct ids": [
        section("a", block_id="lead-1", accessory=button("open-1")),
        section("b", block_id="lead-2", accessory=button("open-2")),
    ],
}


@pytest.mark.parametrize("blocks", INVALID_BLOCKS.values(), ids=INVALID_BLOCKS.keys())
async def test_invalid_blocks_are_refused_and_recorded(fake, client, blocks):
    error = await refused(client.chat_postMessage(channel="C1", text="fallback", blocks=blocks))
    assert error == "invalid_blocks"
    [rejection] = fake.rejections
    assert (rejection.method, rejection.error, rejection.params["blocks"]) == (
        "chat.postMessage",
        "invalid_blocks",
        blocks,
    )


@pytest.mark.parametrize("blocks", VALID_BLOCKS.values(), ids=VALID_BLOCKS.keys())
async def test_blocks_at_the_limits_are_accepted(fake, client, blocks):
    await client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    assert fake.rejections == []


@pytest.mark.parametrize("method", ["chat_postEphemeral", "chat_update", "chat_scheduleMessage"])
async def test_other_message_methods_validate_blocks(client, method):
    args = {"channel": "C1", "user": "U1", "ts": "1.2", "post_at": 1_900_000_000}
    call = getattr(client, method)(**args, text="hi", blocks=[section("x" * 3001)])
    assert await refused(call) == "invalid_blocks"


# ---------------------------------------------------------------- views


async def test_views_open_echoes_the_view_with_an_id(fake, client):
    view = modal([section("Pick a lead")])
    answer = await client.views_open(trigger_id="123.456", view=view)
    assert answer["view"]["id"].startswith("V") and answer["view"]["blocks"] == view["blocks"]
    assert fake.calls_to("views.open")[0].params["view"] == view


INVALID_VIEWS = {
    "101 blocks": modal([section(f"lead {n}") for n in range(101)]),
    "section text over 3000": modal([section("x" * 3001)]),
    "title over 24": modal([section("hi")]) | {"title": {"type": "plain_text", "text": "x" * 25}},
    "no title": {"type": "modal", "blocks": [section("hi")]},
    "input without submit": modal(
        [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Note"},
                "element": {"type": "plain_text_input", "action_id": "note"},
            }
        ]
    ),
    "duplicate action_id in a block": modal(
        [{"type": "actions", "elements": [button("pick"), button("pick", "Again")]}]
    ),
}


@pytest.mark.parametrize("view", INVALID_VIEWS.values(), ids=INVALID_VIEWS.keys())
async def test_invalid_modals_are_refused(fake, client, view):
    assert await refused(client.views_open(trigger_id="123.456", view=view)) == (
        "invalid_arguments"
    )
    assert fake.rejections[0].method == "views.open"


async def test_home_tab_is_limited_to_100_blocks(client):
    def home(count: int) -> dict:
        return {"type": "home", "blocks": [section(f"lead {n}") for n in range(count)]}

    assert (await client.views_publish(user_id="U1", view=home(100)))["ok"]
    assert await refused(client.views_publish(user_id="U1", view=home(101))) == (
        "invalid_arguments"
    )


async def test_views_update_requires_a_view(client):
    assert await refused(client.api_call("views.update", json={"view_id": "V1"})) == (
        "invalid_arguments"
    )


# ---------------------------------------------------------------- failure injection


async def test_rate_limit_surfaces_without_a_retry_handler(fake, client):
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="hi")
    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert raised.value.response.headers["Retry-After"] == "0"
    assert (await client.chat_postMessage(channel="C1", text="again"))["ok"]


async def test_rate_limit_default_retry_after_is_one_second(fake, client):
    fake.fail_next("chat.postMessage", status=429)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="hi")
    assert raised.value.response.headers["Retry-After"] == "1"


async def test_rate_limit_is_retried_by_the_rate_limit_handler(fake):
    retrying = AsyncWebClient(
        token="xoxb-test",
        base_url=fake.url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    assert (await retrying.chat_postMessage(channel="C1", text="hi"))["ok"]
    assert [call.error for call in fake.calls_to("chat.postMessage")] == ["ratelimited", None]


async def test_server_error_and_ok_false_injection(fake, client):
    fake.fail_next("chat.postMessage", status=500)
    fake.fail_next("chat.postMessage", error="channel_not_found", times=2)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="hi")
    assert raised.value.response.status_code == 500
    for _ in range(2):
        assert await refused(client.chat_postMessage(channel="C1", text="hi")) == (
            "channel_not_found"
        )
    assert (await client.chat_postMessage(channel="C1", text="hi"))["ok"]
    assert fake.rejections == []  # injected failures are not the app's fault


def test_failures_need_a_known_method_and_an_error():
    fake = FakeSlack()
    with pytest.raises(ValueError, match="not a Slack Web API method"):
        fake.fail_next("chat.postMesage", status=429)
    with pytest.raises(ValueError, match="needs an error"):
        fake.fail_next("chat.postMessage")


# ---------------------------------------------------------------- users, files, waiting


async def test_users_info(fake, client):
    fake.users["U1"] = {"id": "U1", "tz": "Europe/Berlin", "is_admin": False, "is_owner": False}
    assert (await client.users_info(user="U1"))["user"]["tz"] == "Europe/Berlin"
    assert await refused(client.users_info(user="U2")) == "user_not_found"
    assert fake.rejections == []

    fake.default_user = {"tz": "America/New_York", "is_admin": False}
    assert (await client.users_info(user="U2"))["user"] == {
        "team_id": "T0001",  # Slack says which workspace a user belongs to
        "id": "U2",
        "tz": "America/New_York",
        "is_admin": False,
    }


async def test_files_upload_v2_end_to_end(fake, client):
    content = b"name,company\nJane Doe,Acme\n"
    answer = await client.files_upload_v2(
        channel="C1", file=content, filename="leads.csv", title="Hot leads"
    )
    file_id = answer["file"]["id"]
    assert fake.uploads == {file_id: content}
    assert answer["file"]["title"] == "Hot leads" and answer["file"]["size"] == len(content)
    [complete] = fake.calls_to("files.completeUploadExternal")
    assert complete.params["files"] == [{"id": file_id, "title": "Hot leads"}]


async def test_completing_an_upload_that_never_happened_is_refused(fake, client):
    answer = await client.files_getUploadURLExternal(filename="a.csv", length=3)
    files = [{"id": answer["file_id"]}]
    assert await refused(client.files_completeUploadExternal(files=files)) == "file_not_found"


async def test_wait_for_sees_calls_made_in_the_background(fake, client):
    async def later() -> None:
        await asyncio.sleep(0.05)
        await client.chat_postMessage(channel="C1", text="digest")

    task = asyncio.create_task(later())
    [call] = await fake.wait_for("chat.postMessage")
    assert call.params["text"] == "digest"
    await task


async def test_wait_for_fails_loudly_on_timeout(fake):
    with pytest.raises(AssertionError, match=r"chat\.postMessage"):
        await fake.wait_for("chat.postMessage", timeout=0.05)


# ---------------------------------------------------------------- response_url


async def test_response_url_records_valid_bodies(fake):
    webhook = AsyncWebhookClient(fake.response_url("cmd"))
    await webhook.send(text="Logged", blocks=[section("Logged a call with *Acme*")])
    [body] = await fake.wait_for_responses("cmd")
    assert body["blocks"] == [section("Logged a call with *Acme*")]


async def test_response_url_refuses_invalid_blocks(fake):
    webhook = AsyncWebhookClient(fake.response_url("cmd"))
    response = await webhook.send(text="x", blocks=[section("x" * 3001)])
    assert response.status_code == 400
    assert fake.responses["cmd"] == []
    assert [call.method for call in fake.rejections] == ["response_url"]


# ---------------------------------------------------------------- signed requests


def test_sign_matches_slack_sdk_verifier():
    body = slash_command_body("add Jane Doe")
    headers = sign(body, SECRET)
    verifier = SignatureVerifier(SECRET)
    timestamp, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert verifier.is_valid(body, timestamp, signature)
    assert not verifier.is_valid(body + "x", timestamp, signature)
    assert not SignatureVerifier("other").is_valid(body, timestamp, signature)


def test_content_types_match_slack():
    assert sign(slash_command_body("hi"), SECRET)["Content-Type"] == (
        "application/x-www-form-urlencoded"
    )
    assert sign(event_body({"type": "app_mention"}), SECRET)["Content-Type"] == "application/json"


def test_bodies_carry_slacks_fields():
    command = {k: v[0] for k, v in parse_qs(slash_command_body("add Jane", user_id="U9")).items()}
    assert (command["command"], command["text"], command["user_id"]) == ("/lead", "add Jane", "U9")
    payload = {"type": "block_actions", "actions": []}
    assert json.loads(parse_qs(interactive_body(payload))["payload"][0]) == payload
    envelope = json.loads(event_body({"type": "app_mention"}, team_id="T9", event_id="Ev1"))
    assert (envelope["type"], envelope["team_id"], envelope["event_id"]) == (
        "event_callback",
        "T9",
        "Ev1",
    )


@pytest.fixture
async def bolt(fake: FakeSlack) -> AsyncIterator[tuple[AsyncApp, str]]:
    """A real Bolt app on loopback, talking to the fake: proves the requests pass Bolt."""
    app = AsyncApp(
        client=AsyncWebClient(token="xoxb-test", base_url=fake.url), signing_secret=SECRET
    )
    runner = web.AppRunner(app.web_app(), access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    yield app, f"http://127.0.0.1:{sock.getsockname()[1]}/slack/events"
    await runner.cleanup()


async def test_sender_requests_pass_bolt(fake, bolt):
    app, url = bolt
    seen: asyncio.Queue[str] = asyncio.Queue()

    @app.command("/lead")
    async def lead(ack, command, respond):
        await ack()
        await respond(f"got {command['text']}")

    @app.action("open")
    async def open_lead(ack, action):
        await ack()
        seen.put_nowait(action["value"])

    @app.view("log_touch")
    async def log_touch(ack, view):
        await ack()
        seen.put_nowait(view["state"]["values"]["note"]["note_text"]["value"])

    @app.event("app_mention")
    async def mention(event):
        seen.put_nowait(event["text"])

    async with SlackSender(url, SECRET, response_url=fake.response_url("cmd")) as sender:
        assert (await sender.command("add Jane Doe"))[0] == 200
        assert (await sender.interactive(block_actions_payload("open", value="L1")))[0] == 200
        values = {"note": {"note_text": {"type": "plain_text_input", "value": "called"}}}
        submit = view_submission_payload("log_touch", values)
        assert (await sender.interactive(submit))[0] == 200
        assert (await sender.event({"type": "app_mention", "text": "hi", "user": "U1"}))[0] == 200

        body = slash_command_body("forged")
        forged = sign(body, "wrong secret")
        assert (await sender.post(body, forged))[0] == 401

    [response] = await fake.wait_for_responses("cmd")
    assert response["text"] == "got add Jane Doe"
    async with asyncio.timeout(5):
        handled = {await seen.get() for _ in range(3)}
    assert handled == {"L1", "called", "hi"}


# ---------------------------------------------------------------- custom steps


def step_client(fake: FakeSlack, token: str) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=fake.url, retry_handlers=[])


GOOD_TEMPERATURE = {"lead_number": 12, "temperature": "warm", "score": 40}
GOOD_TEMPERATURE |= {"reasons": "Referral: *+30*", "waiting": False}


async def test_function_executed_is_shaped_as_slacks_docs_show_it(fake):
    event = fake.function_executed("lead_temperature", {"lead": "#12"})
    assert event["type"] == "function_executed"
    assert event["function"]["callback_id"] == "lead_temperature"
    assert event["function"]["type"] == "app"
    assert [p["name"] for p in event["function"]["input_parameters"]] == ["lead"]
    assert "owner" in [p["name"] for p in event["function"]["output_parameters"]]
    assert event["inputs"] == {"lead": "#12"}
    assert event["function_execution_id"].startswith("Fx")
    assert event["workflow_execution_id"].startswith("Wx")
    assert event["bot_access_token"].startswith("xwfp-")
    with pytest.raises(ValueError, match="not a step"):
        fake.function_executed("delete_everything", {})


async def test_a_step_completes_once_with_its_token_and_typed_outputs(fake):
    event = fake.function_executed("lead_temperature", {"lead": "#12"})
    client = step_client(fake, event["bot_access_token"])
    execution_id = event["function_execution_id"]
    await client.functions_completeSuccess(
        function_execution_id=execution_id, outputs=GOOD_TEMPERATURE | {"owner": "U2"}
    )
    assert fake.executions[execution_id].state == "completed"
    assert fake.executions[execution_id].outputs == GOOD_TEMPERATURE | {"owner": "U2"}
    # Over: its token is revoked, and the workspace's bot token can't end it again.
    assert await refused(client.chat_postMessage(channel="C1", text="hi")) == "token_revoked"
    again = step_client(fake, "xoxb-test").functions_completeSuccess(
        function_execution_id=execution_id, outputs=GOOD_TEMPERATURE
    )
    assert await refused(again) == "execution_not_in_running_state"


@pytest.mark.parametrize(
    "outputs",
    [
        {k: v for k, v in GOOD_TEMPERATURE.items() if k != "score"},  # a required one missing
        GOOD_TEMPERATURE | {"score": "40"},  # a string for an integer
        GOOD_TEMPERATURE | {"waiting": "no"},
        GOOD_TEMPERATURE | {"owner": "alice"},  # not a user id
        GOOD_TEMPERATURE | {"owner": ""},
        GOOD_TEMPERATURE | {"colour": "red"},  # not declared
    ],
)
async def test_outputs_that_dont_match_the_manifest_are_refused(fake, outputs):
    event = fake.function_executed("lead_temperature", {"lead": "#12"})
    client = step_client(fake, event["bot_access_token"])
    call = client.functions_completeSuccess(
        function_execution_id=event["function_execution_id"], outputs=outputs
    )
    assert await refused(call) == "parameter_validation_failed"
    assert fake.executions[event["function_execution_id"]].state == "running"


async def test_ending_a_step_needs_its_arguments_and_a_token_that_may(fake):
    event = fake.function_executed("claim_lead", {"lead": "#1", "user": "U2"}, team_id="T2")
    execution_id = event["function_execution_id"]
    other = fake.function_executed("claim_lead", {"lead": "#1", "user": "U2"}, team_id="T2")
    mine = step_client(fake, event["bot_access_token"])
    assert await refused(mine.api_call("functions.completeError", params={})) == (
        "invalid_arguments"
    )
    no_error = mine.functions_completeError(function_execution_id=execution_id, error="")
    assert await refused(no_error) == "invalid_arguments"
    unknown = mine.functions_completeError(function_execution_id="Fx999", error="x")
    assert await refused(unknown) == "function_execution_not_found"
    theirs = step_client(fake, other["bot_access_token"])
    wrong_step = theirs.functions_completeError(function_execution_id=execution_id, error="x")
    assert await refused(wrong_step) == "access_denied"
    # xoxb-test is the fake's default workspace (T0001), not T2.
    other_team = step_client(fake, "xoxb-test").functions_completeSuccess(
        function_execution_id=execution_id, outputs={}
    )
    assert await refused(other_team) == "access_denied"
    forged = step_client(fake, "xwfp-T2-forged").functions_completeSuccess(
        function_execution_id=execution_id, outputs={}
    )
    assert await refused(forged) == "invalid_auth"
    await mine.functions_completeError(function_execution_id=execution_id, error="No lead #1")
    assert fake.executions[execution_id].state == "failed"
    assert fake.executions[execution_id].error == "No lead #1"


async def test_a_step_token_expires_and_the_bot_token_still_ends_the_step(fake):
    event = fake.function_executed("claim_lead", {"lead": "#1", "user": "U2"})
    client = step_client(fake, event["bot_access_token"])
    await client.chat_postMessage(channel="U2", text="A lead for you")
    fake.expire_workflow_tokens()
    execution_id = event["function_execution_id"]
    late = client.functions_completeSuccess(function_execution_id=execution_id, outputs={})
    assert await refused(late) == "token_expired"
    await step_client(fake, "xoxb-test").functions_completeSuccess(
        function_execution_id=execution_id, outputs={}
    )
    assert fake.executions[execution_id].state == "completed"


async def test_clicks_on_a_steps_message_carry_the_step(fake, client):
    event = fake.function_executed("claim_lead", {"lead": "#1", "user": "U2"})
    step = step_client(fake, event["bot_access_token"])
    await step.chat_postMessage(channel="U2", text="A lead for you")
    (message,) = fake.step_messages[event["function_execution_id"]]
    assert message["channel"] == "DU2"
    scope = fake.function_scope(message, "U2")
    assert scope["function_data"]["execution_id"] == event["function_execution_id"]
    assert scope["function_data"]["function"]["callback_id"] == "claim_lead"
    assert scope["interactivity"]["interactor"]["id"] == "U2"
    assert scope["bot_access_token"] not in (event["bot_access_token"], "")
    posted = await client.chat_postMessage(channel="U2", text="not from a step")
    assert fake.function_scope(posted["message"], "U2") == {}


async def test_step_events_and_clicks_pass_bolt_which_ends_the_step(fake, bolt):
    app, url = bolt
    clicked: asyncio.Queue[str] = asyncio.Queue()

    @app.function("claim_lead")
    async def offer(inputs, client, complete):
        assert client.token.startswith("xwfp-")
        await client.chat_postMessage(channel=inputs["user"], text="Claim?")

    @app.action("claim")
    async def claim(ack, context, complete):
        await ack()
        clicked.put_nowait(context.function_execution_id)
        await complete(outputs={"claimed_by": context.user_id})

    event = fake.function_executed("claim_lead", {"lead": "#1", "user": "U2"})
    async with SlackSender(url, SECRET) as sender:
        assert (await sender.event(event))[0] == 200
        await fake.wait_for("chat.postMessage")
        (message,) = fake.step_messages[event["function_execution_id"]]
        click = block_actions_payload(
            "claim", user_id="U2", message=message, extra=fake.function_scope(message, "U2")
        )
        assert (await sender.interactive(click))[0] == 200
    ended = await fake.step_ended(event["function_execution_id"])
    assert await clicked.get() == event["function_execution_id"]
    assert ended.outputs == {"claimed_by": "U2"}
    assert fake.rejections == []

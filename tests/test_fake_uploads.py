"""The fake Slack's file uploads, as slack_sdk's files_upload_v2 drives them.

files_upload_v2 makes three calls (slack_sdk ``files_upload_v2``; Slack's docs for
files.getUploadURLExternal and files.completeUploadExternal): it asks for an upload
URL per file (with ``filename``, ``length`` and the image's ``alt_txt``), POSTs the
bytes there, then completes all the files at once, sharing them to ``channel_id``
with the ``initial_comment``. The fake answers each step as Slack does, including
the ways an upload fails in a workspace: a scope not granted, a channel gone.
"""

from collections.abc import AsyncIterator

import pytest
from fake_slack import MAX_ALT_TXT, FakeSlack, manifest_scopes
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[])


async def refused(call) -> tuple[str, dict]:
    with pytest.raises(SlackApiError) as failure:
        await call
    return failure.value.response["error"], dict(failure.value.response.data)


async def test_the_three_steps_share_the_file_with_its_alt_text_and_comment(fake, client):
    answer = await client.files_upload_v2(
        channel="CSALES",
        file=PNG,
        filename="weekly.png",
        title="Pipeline",
        alt_txt="Open leads hot/warm/cold: 16 Nov 12/30/58.",
        initial_comment="*Your pipeline this week*",
    )
    asked, complete = (
        fake.calls_to("files.getUploadURLExternal"),
        fake.calls_to("files.completeUploadExternal"),
    )
    assert len(asked) == 1 and asked[0].params["length"] == str(len(PNG))
    assert asked[0].params["alt_txt"] == "Open leads hot/warm/cold: 16 Nov 12/30/58."
    (done,) = complete
    assert done.params["channel_id"] == "CSALES"
    assert done.params["initial_comment"] == "*Your pipeline this week*"
    file_id = answer["file"]["id"]
    shared = fake.files[file_id]
    assert (shared["content"], shared["mimetype"], shared["channels"]) == (
        PNG,
        "image/png",
        ["CSALES"],
    )
    assert shared["alt_txt"] == "Open leads hot/warm/cold: 16 Nov 12/30/58."
    assert "content" not in answer["file"]  # Slack answers with the file object only


async def test_several_files_are_completed_in_one_call(fake, client):
    await client.files_upload_v2(
        channel="D1",
        file_uploads=[
            {"file": PNG, "filename": "a.png", "title": "A", "alt_txt": "a"},
            {"file": PNG + b"1", "filename": "b.png", "title": "B", "alt_txt": "b"},
        ],
        initial_comment="two pictures",
    )
    assert len(fake.calls_to("files.getUploadURLExternal")) == 2
    (done,) = fake.calls_to("files.completeUploadExternal")
    assert [f["title"] for f in done.params["files"]] == ["A", "B"]
    assert sorted(f["alt_txt"] for f in fake.files.values()) == ["a", "b"]


async def test_a_workspace_that_did_not_grant_files_write_is_told_missing_scope(fake, client):
    fake.withheld_scopes = {"files:write"}
    error, body = await refused(client.files_upload_v2(channel="C1", file=PNG, filename="a.png"))
    assert error == "missing_scope" and body["needed"] == "files:write"
    assert set(body["provided"].split(",")) == manifest_scopes() - {"files:write"}
    assert fake.uploads == {} and fake.files == {}
    assert fake.rejections == []  # the app asked properly: the workspace said no


async def test_an_installed_token_has_the_scopes_it_was_granted(fake):
    code = fake.approve("TACME", "Acme", scopes="commands,chat:write")
    token = (
        await AsyncWebClient(base_url=fake.url).oauth_v2_access(
            client_id=fake.client_id, client_secret=fake.client_secret, code=code
        )
    )["access_token"]
    client = AsyncWebClient(token=token, base_url=fake.url, retry_handlers=[])
    error, body = await refused(client.files_getUploadURLExternal(filename="a.png", length=3))
    assert (error, body["provided"]) == ("missing_scope", "chat:write,commands")


async def test_sharing_to_a_channel_that_is_gone(fake, client):
    fake.gone_channels = {"CGONE"}
    error, _ = await refused(client.files_upload_v2(channel="CGONE", file=PNG, filename="a.png"))
    assert error == "invalid_channel"
    error, _ = await refused(client.chat_postMessage(channel="CGONE", text="hi"))
    assert error == "channel_not_found"
    assert fake.files == {} and fake.rejections == []


async def test_alt_text_longer_than_slack_takes_is_refused(fake, client):
    alt = "x" * (MAX_ALT_TXT + 1)
    error, _ = await refused(
        client.files_upload_v2(channel="C1", file=PNG, filename="a.png", alt_txt=alt)
    )
    assert error == "alt_txt_too_large"
    fake.rejections.clear()


async def test_an_upload_is_completed_once(fake, client):
    answer = await client.files_upload_v2(channel="C1", file=PNG, filename="a.png")
    files = [{"id": answer["file"]["id"]}]
    error, _ = await refused(client.files_completeUploadExternal(files=files, channel_id="C1"))
    assert error == "file_not_found"
    fake.rejections.clear()

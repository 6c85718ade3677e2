import json
from collections.abc import Mapping
from pathlib import Path

import yaml
from jsonschema import Draft7Validator

from bot.config import Settings

ROOT = Path(__file__).parent.parent
SCHEMA = json.loads((Path(__file__).parent / "data" / "manifest.schema.v1.json").read_text())


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_is_valid_for_slack():
    errors = [e.message for e in Draft7Validator(SCHEMA).iter_errors(manifest())]
    assert errors == []


def test_manifest_declares_what_the_app_uses():
    doc = manifest()
    (command,) = doc["features"]["slash_commands"]
    assert command["command"] == "/lead"
    assert command["should_escape"] is True
    assert command["url"].endswith("/slack/events")
    assert {"commands", "chat:write", "im:write", "users:read", "users:read.email"} <= set(
        doc["oauth_config"]["scopes"]["bot"]
    )
    assert doc["settings"]["interactivity"]["is_enabled"] is True
    assert doc["features"]["bot_user"]["display_name"]


class ReadNames(Mapping[str, str]):
    """A valid environment that notes every variable ``Settings.from_env`` asks for."""

    def __init__(self, values: dict[str, str]):
        self.values, self.asked = values, set()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        return self.values[name]

    def __iter__(self):
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def settings_variables() -> set[str]:
    env = ReadNames({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    Settings.from_env(env)
    return env.asked


def test_env_example_lists_every_setting():
    text = (ROOT / ".env.example").read_text()
    names = settings_variables()
    assert {"SLACK_BOT_TOKEN", "HOTLEADS_ADMINS"} <= names  # the recording itself works
    for name in sorted(names):
        assert f"\n{name}=" in text, name


def test_multi_workspace_manifest_is_valid_for_slack_and_asks_what_the_app_asks():
    from bot.app import BOT_SCOPES, REDIRECT_PATH

    doc = yaml.safe_load((ROOT / "manifest.multi.yml").read_text())
    assert [e.message for e in Draft7Validator(SCHEMA).iter_errors(doc)] == []
    assert doc["settings"]["token_rotation_enabled"] is True
    assert {"app_uninstalled", "tokens_revoked"} <= set(
        doc["settings"]["event_subscriptions"]["bot_events"]
    )
    (redirect,) = doc["oauth_config"]["redirect_urls"]
    assert redirect.endswith(REDIRECT_PATH)
    for scopes in (doc, manifest()):
        assert scopes["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)

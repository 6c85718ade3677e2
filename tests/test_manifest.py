import json
from pathlib import Path

import yaml
from jsonschema import Draft7Validator

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


def test_env_example_lists_every_setting():
    text = (ROOT / ".env.example").read_text()
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "PORT",
        "LOG_LEVEL",
        "HOTLEADS_ADMINS",
        "PUBLIC_URL",
    ):
        assert f"\n{name}=" in text, name

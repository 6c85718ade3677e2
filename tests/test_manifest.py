import json
from collections.abc import Mapping
from pathlib import Path

import msgspec
import pytest
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


# ------------------------------------------------------------ Workflow Builder steps


def manifests() -> dict[str, dict]:
    return {name: yaml.safe_load((ROOT / name).read_text()) for name in MANIFESTS}


MANIFESTS = ("manifest.yml", "manifest.multi.yml")


@pytest.mark.parametrize("name", MANIFESTS)
def test_the_manifests_declare_exactly_the_steps_the_code_runs(name):
    """The ``functions`` map is ``workflow_steps.STEPS``, so one can't drift from the other."""
    from handlers.workflow_steps import manifest_functions

    doc = manifests()[name]
    expected = yaml.safe_dump({"functions": manifest_functions()}, sort_keys=False)
    assert doc["functions"] == manifest_functions(), f"paste into {name}:\n{expected}"
    assert list(doc["functions"]) == ["add_lead", "log_touch", "lead_temperature", "claim_lead"]


@pytest.mark.parametrize("name", MANIFESTS)
def test_the_manifests_turn_on_what_slack_needs_for_custom_steps(name):
    settings = manifests()[name]["settings"]
    assert "function_executed" in settings["event_subscriptions"]["bot_events"]
    assert settings["function_runtime"] == "remote"
    assert settings["org_deploy_enabled"] is True


def test_each_steps_inputs_are_what_its_struct_reads_and_types_are_slacks():
    """Every declared input is a field the code reads, and no field goes undeclared."""
    from handlers.workflow_steps import STEPS

    slack_types = set(
        SCHEMA["definitions"]["slack-functions.parameter"]["properties"]["type"]["enum"]
    )
    for step in STEPS:
        fields = {field.name for field in msgspec.structs.fields(step.reads)}
        assert fields == {p.name for p in step.inputs}, step.callback_id
        for param in (*step.inputs, *step.outputs):
            assert param.type in slack_types, (step.callback_id, param.name)
            assert param.title and param.description, (step.callback_id, param.name)


def test_the_schema_refuses_the_properties_form_so_the_check_is_real():
    """Some of Slack's pages show ``properties:``/``required:``; this schema takes the flat form."""
    doc = manifest()
    step = doc["functions"]["add_lead"]
    step["input_parameters"] = {
        "properties": {"name": {"type": "string", "title": "Name"}},
        "required": ["name"],
    }
    errors = [e.message for e in Draft7Validator(SCHEMA).iter_errors(doc)]
    assert errors, "a malformed functions section must not validate"


def test_the_readme_lists_every_step_with_its_inputs_and_outputs():
    from handlers.workflow_steps import STEPS

    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Workflow Builder") :]
    section = section[: section.index("\n## ", 1)]
    for step in STEPS:
        (row,) = [line for line in section.splitlines() if f"(`{step.callback_id}`)" in line]
        assert step.title in row
        for param in (*step.inputs, *step.outputs):
            assert f"`{param.name}`" in row, (step.callback_id, param.name)
    assert "paid Slack plan" in section and "flat form" in section

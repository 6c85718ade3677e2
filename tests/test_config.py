import re
from pathlib import Path

import pytest

from bot.config import SLACK_API_DEFAULT, ConfigError, Settings
from storage.engine import Address

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"}


def test_defaults():
    settings = Settings.from_env(GOOD)
    assert settings.slack_api_url == SLACK_API_DEFAULT
    assert settings.database == Address.sqlite(Path("hotleads.db"))
    assert (settings.port, settings.log_level, settings.app_token) == (3000, "INFO", None)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///hotleads.db", Path("hotleads.db")),
        ("sqlite:///data/leads.db", Path("data/leads.db")),
        ("sqlite:////var/data/leads.db", Path("/var/data/leads.db")),
    ],
)
def test_database_url(url, path):
    database = Settings.from_env({**GOOD, "DATABASE_URL": url}).database
    assert not database.is_postgres
    assert database.path == path


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://hotleads:s3cret@db.example.com:5432/hotleads",
        "postgres://u@localhost/hotleads?sslmode=require",
    ],
)
def test_postgres_urls_pick_postgres_and_keep_their_options(url):
    database = Settings.from_env({**GOOD, "DATABASE_URL": url}).database
    assert database.is_postgres
    assert database.url == url  # sslmode and the rest reach the driver as given
    assert "s3cret" not in str(database)


def test_everything_set():
    settings = Settings.from_env(
        {
            **GOOD,
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "PORT": "8080",
            "LOG_LEVEL": "debug",
            "HOTLEADS_ADMINS": "U1, U2,,",
        }
    )
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert (settings.port, settings.log_level) == (8080, "DEBUG")
    assert settings.admins == frozenset({"U1", "U2"})


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({**GOOD, "SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN"),
        ({**GOOD, "SLACK_APP_TOKEN": "xoxb-oops"}, "SLACK_APP_TOKEN"),
        ({**GOOD, "PORT": "eighty"}, "PORT"),
        ({**GOOD, "PORT": "70000"}, "PORT"),
        ({**GOOD, "DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({**GOOD, "SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({**GOOD, "LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({**GOOD, "DATABASE_POOL_MIN": "0"}, "DATABASE_POOL_MIN"),
        ({**GOOD, "DATABASE_POOL_MIN": "two"}, "DATABASE_POOL_MIN"),
        ({**GOOD, "DATABASE_POOL_MAX": "-5"}, "DATABASE_POOL_MAX"),
        ({**GOOD, "DATABASE_POOL_MAX": "1000"}, "DATABASE_POOL_MAX"),
        (
            {**GOOD, "DATABASE_POOL_MIN": "12"},
            "DATABASE_POOL_MIN \\(12\\) is more than DATABASE_POOL_MAX",
        ),
        ({**GOOD, "HOTLEADS_WORKER": "sometimes"}, "HOTLEADS_WORKER"),
    ],
)
def test_bad_settings_name_the_variable(env, names):
    with pytest.raises(ConfigError, match=names):
        Settings.from_env(env)


def test_pool_and_worker_settings_default_to_one_small_process_and_take_what_is_given():
    default = Settings.from_env(GOOD)
    assert (default.pool_min, default.pool_max, default.worker) == (2, 10, "inline")
    given = Settings.from_env(
        {**GOOD, "DATABASE_POOL_MIN": "4", "DATABASE_POOL_MAX": "4", "HOTLEADS_WORKER": "OFF"}
    )
    assert (given.pool_min, given.pool_max, given.worker) == (4, 4, "off")


def test_a_malformed_pool_setting_is_one_sentence():
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({**GOOD, "DATABASE_POOL_MAX": "lots"})
    assert str(refused.value) == (
        "DATABASE_POOL_MAX must be a whole number of connections from 1 to 100, not 'lots'."
    )


def test_socket_mode_needs_no_signing_secret():
    assert Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})


def test_offline_commands_need_no_tokens():
    assert Settings.from_env({}, need_slack=False).bot_token == ""


def test_public_url_is_optional_and_loses_its_trailing_slash():
    assert Settings.from_env(GOOD).public_url is None
    settings = Settings.from_env({**GOOD, "PUBLIC_URL": "https://hotleads.example.com/"})
    assert settings.public_url == "https://hotleads.example.com"
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        Settings.from_env({**GOOD, "PUBLIC_URL": "hotleads.example.com"})


MULTI = {
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "shh",
    "SLACK_SIGNING_SECRET": "sign",
    "HOTLEADS_ENCRYPTION_KEY": "m14-t5ps54Nq3QsqhTqPrerpHEn1acJTF5FvboKhjUE=",
}


def test_client_id_and_secret_turn_on_many_workspaces_without_a_bot_token():
    settings = Settings.from_env(MULTI)
    assert settings.multi_workspace and settings.bot_token == ""
    assert settings.encryption_keys == (MULTI["HOTLEADS_ENCRYPTION_KEY"],)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_ID": ""}, "SLACK_CLIENT_ID"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"HOTLEADS_ENCRYPTION_KEY": ""}, "python -m bot keygen"),
        ({"HOTLEADS_ENCRYPTION_KEY": "not-a-key"}, "Fernet"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN"),
    ],
)
def test_many_workspaces_refuse_a_missing_or_conflicting_setting_by_name(change, named):
    with pytest.raises(ConfigError, match=re.escape(named)):
        Settings.from_env({**MULTI, **change})

"""Settings read once at start, from the environment (and `.env`, loaded by the CLI)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from storage import sealing
from storage.engine import Address

SLACK_API_DEFAULT = "https://slack.com/api/"
DATABASE_DEFAULT = "sqlite:///hotleads.db"


class ConfigError(Exception):
    """A missing or malformed variable; the message is one sentence for the operator."""


_HOW_TO_GET = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-...) from your app's "
    "OAuth & Permissions page at https://api.slack.com/apps",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from your app's Basic Information page "
    "at https://api.slack.com/apps",
    "SLACK_CLIENT_ID": "copy the Client ID from your app's Basic Information page "
    "at https://api.slack.com/apps",
    "SLACK_CLIENT_SECRET": "copy the Client Secret from your app's Basic Information page "
    "at https://api.slack.com/apps",
    "HOTLEADS_ENCRYPTION_KEY": "run `python -m bot keygen` and keep what it prints secret",
}


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str
    app_token: str | None = None
    slack_api_url: str = SLACK_API_DEFAULT
    database: Address = field(default_factory=lambda: Address(DATABASE_DEFAULT))
    port: int = 3000
    log_level: str = "INFO"
    admins: frozenset[str] = field(default_factory=frozenset)
    public_url: str | None = None
    """Where the world reaches this server (``https://hotleads.example.com``): hook URLs start here."""
    client_id: str | None = None
    """Set (with the secret) for many workspaces: each installs through Slack's OAuth."""
    client_secret: str | None = None
    encryption_keys: tuple[str, ...] = ()
    """Fernet keys sealing the stored tokens, newest first; older ones still open old tokens."""

    @property
    def multi_workspace(self) -> bool:
        return self.client_id is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, need_slack: bool = True) -> Settings:
        """Build settings from a mapping (``os.environ`` in production, a dict in tests).

        ``need_slack=False`` serves commands that never talk to Slack (migrate,
        export, import, demo): they should not demand tokens. With a client id and
        secret, hotleads serves many workspaces (see ``_many_workspaces``).
        """
        common = {
            "slack_api_url": _api_url(env.get("SLACK_API_URL", "").strip() or SLACK_API_DEFAULT),
            "database": database_address(env.get("DATABASE_URL", "").strip() or DATABASE_DEFAULT),
            "port": _port(env.get("PORT", "").strip() or "3000"),
            "log_level": _log_level(env.get("LOG_LEVEL", "").strip() or "INFO"),
            "admins": frozenset(
                u.strip() for u in env.get("HOTLEADS_ADMINS", "").split(",") if u.strip()
            ),
            "public_url": _public_url(env.get("PUBLIC_URL", "").strip()),
        }
        if env.get("SLACK_CLIENT_ID", "").strip() or env.get("SLACK_CLIENT_SECRET", "").strip():
            return cls(**common, **_many_workspaces(env))
        bot_token = _required(env, "SLACK_BOT_TOKEN", need_slack)
        if bot_token and not bot_token.startswith("xoxb-"):
            raise ConfigError(
                "SLACK_BOT_TOKEN must be a bot token starting with xoxb-: "
                + _HOW_TO_GET["SLACK_BOT_TOKEN"]
                + "."
            )
        app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
        if app_token and not app_token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN must be an app-level token starting with xapp- "
                "(Basic Information → App-Level Tokens, scope connections:write), "
                "or left unset to serve HTTP."
            )
        return cls(
            bot_token=bot_token,
            signing_secret=_required(env, "SLACK_SIGNING_SECRET", need_slack and not app_token),
            app_token=app_token,
            **common,
        )


def _many_workspaces(env: Mapping[str, str]) -> dict:
    """Multi-workspace mode: OAuth needs HTTP (Slack redirects to it) and a key for the tokens."""
    for single in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        if env.get(single, "").strip():
            raise ConfigError(
                f"{single} is for one workspace, but SLACK_CLIENT_ID is set: each workspace gets "
                f"its own token when it installs, and OAuth needs HTTP, so unset {single}."
            )
    return {
        "bot_token": "",
        "client_id": _required(env, "SLACK_CLIENT_ID", True),
        "client_secret": _required(env, "SLACK_CLIENT_SECRET", True),
        "signing_secret": _required(env, "SLACK_SIGNING_SECRET", True),
        "encryption_keys": _fernet_keys(_required(env, "HOTLEADS_ENCRYPTION_KEY", True)),
    }


def _required(env: Mapping[str, str], name: str, needed: bool) -> str:
    value = env.get(name, "").strip()
    if needed and not value:
        raise ConfigError(f"{name} is not set: {_HOW_TO_GET[name]}, then put it in .env.")
    return value


def _fernet_keys(text: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    try:
        sealing.Sealer(keys)
    except ValueError:
        raise ConfigError(
            "HOTLEADS_ENCRYPTION_KEY must be one or more Fernet keys, comma-separated, newest "
            "first: " + _HOW_TO_GET["HOTLEADS_ENCRYPTION_KEY"] + "."
        ) from None
    return keys


def _api_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL such as {SLACK_API_DEFAULT}.")
    return url if url.endswith("/") else url + "/"


def _public_url(url: str) -> str | None:
    if not url:
        return None
    if not url.startswith(("http://", "https://")):
        raise ConfigError(
            "PUBLIC_URL must be this server's public address, such as https://hotleads.example.com."
        )
    return url.rstrip("/")


def database_address(url: str) -> Address:
    """``sqlite:///rel.db`` (working directory), ``sqlite:////abs.db``, or a PostgreSQL URL."""
    try:
        return Address.parse(url)
    except ValueError:
        raise ConfigError(
            "DATABASE_URL must look like sqlite:///hotleads.db (relative), "
            "sqlite:////var/data/hotleads.db (absolute) "
            "or postgresql://user:password@host:5432/hotleads."
        ) from None


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"PORT must be a number from 1 to 65535, not {text!r}.")
    return int(text)


def _log_level(text: str) -> str:
    level = text.upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {text!r}.")
    return level

"""Settings read once at start, from the environment (and `.env`, loaded by the CLI)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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


VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "HOTLEADS_ENCRYPTION_KEY",
    "PUBLIC_URL",
    "DATABASE_URL",
    "DATABASE_POOL_MIN",
    "DATABASE_POOL_MAX",
    "HOTLEADS_WORKER",
    "SLACK_API_URL",
    "PORT",
    "LOG_LEVEL",
    "HOTLEADS_ADMINS",
)
"""Every environment variable hotleads reads: the README's Configuration table lists these."""

POOL_MIN_DEFAULT = 2
POOL_MAX_DEFAULT = 10
"""PostgreSQL connections per process: a web process and a worker at these fit the 20-25
connections of a small managed database with room for an operator's psql."""
POOL_LIMIT = 100
WORKER_MODES = ("inline", "off")
"""``inline``: the server also sends what is due; ``off``: ``python -m bot worker`` does."""

ONE_WORKSPACE = "one workspace"
MANY_WORKSPACES = "many workspaces"


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
    worker: str = "inline"
    """Whether the server sends what is due itself (``inline``) or leaves it to workers (``off``)."""
    pool_min: int = POOL_MIN_DEFAULT
    pool_max: int = POOL_MAX_DEFAULT
    port_set: bool = False
    """``PORT`` was given: a worker then answers ``/healthz`` on it, and only that."""

    @property
    def multi_workspace(self) -> bool:
        return self.client_id is not None

    @property
    def mode(self) -> str:
        return MANY_WORKSPACES if self.multi_workspace else ONE_WORKSPACE

    def describe(self) -> str:
        """The first log line: the mode, the database (never its password) and the transport."""
        mode = (
            f"{MANY_WORKSPACES} (SLACK_CLIENT_ID; each installs through /slack/install)"
            if self.multi_workspace
            else f"{ONE_WORKSPACE} (SLACK_BOT_TOKEN)"
        )
        where = self.database
        database = f"PostgreSQL {where}" if where.is_postgres else f"SQLite {where.path.absolute()}"
        if where.is_postgres:
            database += f" (pool {self.pool_min}-{self.pool_max})"
        transport = (
            f"Socket Mode, inbound hooks on port {self.port}"
            if self.app_token
            else f"HTTP on port {self.port}"
        )
        work = "sends what is due" if self.worker == "inline" else "leaves what is due to workers"
        return f"hotleads for {mode}; database {database}; {work}; {transport}"

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, need_slack: bool = True) -> Settings:
        """Build settings from a mapping (``os.environ`` in production, a dict in tests).

        An empty variable counts as unset, here and for every variable. ``need_slack=False``
        serves commands that never talk to Slack (migrate, export, import, demo): they
        should not demand tokens. The mode is decided once, by ``mode_of``.
        """
        common: dict[str, Any] = {
            "slack_api_url": _api_url(_value(env, "SLACK_API_URL") or SLACK_API_DEFAULT),
            "database": database_address(_value(env, "DATABASE_URL") or DATABASE_DEFAULT),
            "port": _port(_value(env, "PORT") or "3000"),
            "log_level": _log_level(_value(env, "LOG_LEVEL") or "INFO"),
            "admins": frozenset(
                u.strip() for u in _value(env, "HOTLEADS_ADMINS").split(",") if u.strip()
            ),
            "public_url": _public_url(_value(env, "PUBLIC_URL")),
            "worker": _worker(_value(env, "HOTLEADS_WORKER") or "inline"),
            "port_set": bool(_value(env, "PORT")),
            **_pool(env),
        }
        if mode_of(env) == MANY_WORKSPACES:
            return cls(**common, **_many_workspaces(env))
        bot_token = _required(env, "SLACK_BOT_TOKEN", need_slack)
        if bot_token and not bot_token.startswith("xoxb-"):
            raise ConfigError(
                "SLACK_BOT_TOKEN must be a bot token starting with xoxb-: "
                + _HOW_TO_GET["SLACK_BOT_TOKEN"]
                + "."
            )
        app_token = _value(env, "SLACK_APP_TOKEN") or None
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


def mode_of(env: Mapping[str, str]) -> str:
    """One workspace (``SLACK_BOT_TOKEN``) or many (``SLACK_CLIENT_ID`` and its secret).

    Both sets at once, or half of the pair, is refused in one sentence naming the
    variables: hotleads never guesses which one was meant.
    """
    token = _value(env, "SLACK_BOT_TOKEN")
    pair = {name: _value(env, name) for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")}
    given = [name for name, value in pair.items() if value]
    if not given:
        return ONE_WORKSPACE
    if token:
        raise ConfigError(
            f"SLACK_BOT_TOKEN (one workspace) and {' and '.join(given)} (many workspaces) are "
            "both set: keep SLACK_BOT_TOKEN and empty SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "for one workspace, or the reverse to host many."
        )
    if len(given) == 1:
        (half,) = given
        (missing,) = set(pair) - {half}
        raise ConfigError(
            f"{half} is set but {missing} is empty: many workspaces need both ("
            + _HOW_TO_GET[missing]
            + f"); for one workspace, empty {half} and set SLACK_BOT_TOKEN."
        )
    return MANY_WORKSPACES


def _value(env: Mapping[str, str], name: str) -> str:
    """A variable's value, stripped; ``''`` when unset or empty (the same thing here)."""
    assert name in VARIABLES, f"{name} is read but missing from VARIABLES"
    return env.get(name, "").strip()


def _many_workspaces(env: Mapping[str, str]) -> dict:
    """Multi-workspace mode: OAuth needs HTTP (Slack redirects to it) and a key for the tokens."""
    if _value(env, "SLACK_APP_TOKEN"):
        raise ConfigError(
            "SLACK_APP_TOKEN is for one workspace, but SLACK_CLIENT_ID is set: each workspace "
            "gets its own token when it installs, and OAuth needs HTTP, so unset SLACK_APP_TOKEN."
        )
    return {
        "bot_token": "",
        "client_id": _required(env, "SLACK_CLIENT_ID", True),
        "client_secret": _required(env, "SLACK_CLIENT_SECRET", True),
        "signing_secret": _required(env, "SLACK_SIGNING_SECRET", True),
        "encryption_keys": _fernet_keys(_required(env, "HOTLEADS_ENCRYPTION_KEY", True)),
    }


def _required(env: Mapping[str, str], name: str, needed: bool) -> str:
    value = _value(env, name)
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


def _worker(text: str) -> str:
    if text.lower() not in WORKER_MODES:
        raise ConfigError(
            "HOTLEADS_WORKER must be inline (this server also sends digests and reminders) "
            f"or off (`python -m bot worker` processes send them), not {text!r}."
        )
    return text.lower()


def _pool(env: Mapping[str, str]) -> dict[str, int]:
    """``DATABASE_POOL_MIN``/``MAX``: whole numbers, the least no more than the most."""
    sizes = {}
    for name, default in (
        ("DATABASE_POOL_MIN", POOL_MIN_DEFAULT),
        ("DATABASE_POOL_MAX", POOL_MAX_DEFAULT),
    ):
        text = _value(env, name) or str(default)
        if not text.isdigit() or not 1 <= int(text) <= POOL_LIMIT:
            raise ConfigError(
                f"{name} must be a whole number of connections from 1 to {POOL_LIMIT}, not {text!r}."
            )
        sizes[name] = int(text)
    least, most = sizes["DATABASE_POOL_MIN"], sizes["DATABASE_POOL_MAX"]
    if least > most:
        raise ConfigError(
            f"DATABASE_POOL_MIN ({least}) is more than DATABASE_POOL_MAX ({most}): "
            "raise the most or lower the least."
        )
    return {"pool_min": least, "pool_max": most}

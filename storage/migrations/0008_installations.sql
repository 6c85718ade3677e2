-- Multi-workspace mode: one row per workspace that installed the app through
-- Slack's OAuth, and the OAuth states in flight. Tokens are Fernet-sealed
-- (storage.sealing); '' stands for "no enterprise" so the key has no NULLs.
CREATE TABLE installations (
    enterprise_id    TEXT    NOT NULL DEFAULT '',
    team_id          TEXT    NOT NULL,
    team_name        TEXT    NOT NULL DEFAULT '',
    app_id           TEXT    NOT NULL DEFAULT '',
    bot_token        TEXT,
    refresh_token    TEXT,
    token_expires_at TEXT,
    scopes           TEXT    NOT NULL DEFAULT '',
    bot_user_id      TEXT    NOT NULL DEFAULT '',
    bot_id           TEXT    NOT NULL DEFAULT '',
    installer        TEXT    NOT NULL DEFAULT '',
    installed_at     TEXT    NOT NULL,
    active           INTEGER NOT NULL DEFAULT 1,
    inactive_reason  TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (enterprise_id, team_id)
);
CREATE INDEX installations_by_team ON installations (team_id);

-- A state is consumed by deleting it (DELETE ... RETURNING): only one redirect wins.
CREATE TABLE oauth_states (
    state      TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);

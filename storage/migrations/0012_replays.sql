-- Slash commands and interactions already handled, by Slack's trigger id (unique
-- per invocation), so a request replayed within Slack's signature window changes
-- nothing; rows older than that window are dropped by the server's minute loop.
CREATE TABLE seen_triggers (
    trigger_id TEXT NOT NULL PRIMARY KEY,
    seen_at    TEXT NOT NULL
);
CREATE INDEX seen_triggers_by_time ON seen_triggers (seen_at);

-- Bot tokens Slack took back in single-workspace mode (app_uninstalled,
-- tokens_revoked): nothing is sent with one again. Only a hash of the token is
-- kept; a new SLACK_BOT_TOKEN has another, so a reinstall starts afresh.
CREATE TABLE revoked_tokens (
    fingerprint TEXT NOT NULL PRIMARY KEY,
    team_id     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    revoked_at  TEXT NOT NULL
);

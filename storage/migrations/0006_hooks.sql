-- Inbound webhooks: the hook URLs a workspace hands out to forms and booking
-- tools, and the deliveries already stored, so a retry with the same id stores once.
CREATE TABLE hooks (
    id            TEXT    PRIMARY KEY,
    team_id       TEXT    NOT NULL,
    type          TEXT    NOT NULL CHECK (type IN ('generic', 'typeform', 'calendly')),
    kind          TEXT    NOT NULL,
    owner         TEXT    NOT NULL DEFAULT '',
    created_by    TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    -- sha256 of the secret, for bearer tokens; the signing key itself only where an
    -- HMAC must be recomputed (Standard Webhooks, Typeform, Calendly).
    secret_hash   TEXT    NOT NULL,
    signing_key   TEXT    NOT NULL,
    revoked_at    TEXT,
    last_used_at  TEXT,
    received      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    last_error_at TEXT
) WITHOUT ROWID;
CREATE INDEX hooks_by_team ON hooks (team_id, created_at);

CREATE TABLE hook_deliveries (
    hook_id     TEXT    NOT NULL REFERENCES hooks (id) ON DELETE CASCADE,
    key         TEXT    NOT NULL,
    lead_id     INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    received_at TEXT    NOT NULL,
    PRIMARY KEY (hook_id, key)
) WITHOUT ROWID;

-- How a touch came in when no rep typed it: "integration (typeform)".
ALTER TABLE interactions ADD COLUMN how TEXT NOT NULL DEFAULT '';

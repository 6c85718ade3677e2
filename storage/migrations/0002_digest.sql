-- Per-workspace digest settings, delivery claims, and when each lead was last reminded.
CREATE TABLE workspace_settings (
    team_id      TEXT PRIMARY KEY,
    channel_id   TEXT,
    digest_time  TEXT    NOT NULL DEFAULT '09:00',
    tz           TEXT    NOT NULL DEFAULT 'UTC',
    quiet_days   INTEGER NOT NULL DEFAULT 7,
    digest_days  TEXT    NOT NULL DEFAULT 'mon,tue,wed,thu,fri',
    updated_by   TEXT,
    updated_at   TEXT
);

-- One row per message that is due: claimed before sending, so several
-- runners at once send it once. kind is 'digest' (recipient: the channel)
-- or 'reminder' (recipient: the rep); local_date is the recipient's day.
CREATE TABLE deliveries (
    team_id    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('digest', 'reminder')),
    recipient  TEXT NOT NULL,
    local_date TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'refused')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    claimed_at TEXT NOT NULL,
    sent_at    TEXT,
    error      TEXT,
    channel    TEXT,
    ts         TEXT,
    detail     TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (team_id, kind, recipient, local_date)
) WITHOUT ROWID;

CREATE TABLE lead_reminders (
    lead_id     INTEGER PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    reminded_at TEXT NOT NULL
);

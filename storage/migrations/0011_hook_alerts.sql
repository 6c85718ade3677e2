-- Instant alerts for signals that arrive by hook, and who gets the next unowned one.
-- reps: the workspace's round robin ("U1,U2"); next_rep counts the turns taken,
-- advanced in one UPDATE … RETURNING so two hooks at once never get the same turn.
ALTER TABLE workspace_settings ADD COLUMN reps TEXT NOT NULL DEFAULT '';
ALTER TABLE workspace_settings ADD COLUMN next_rep INTEGER NOT NULL DEFAULT 0;

-- One row per signal from a hook that deserves an alert (a buying signal, or one
-- that made the lead hot). Its alert and its follow-up are deliveries
-- (kind 'alert' / 'follow_up', recipient the row id), claimed before sending.
CREATE TABLE hook_signals (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    lead_id    INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    hook_id    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    at         TEXT    NOT NULL,
    arrived_at TEXT    NOT NULL
);
CREATE INDEX hook_signals_by_team ON hook_signals (team_id, arrived_at);

-- Alerts and follow-ups are deliveries too: widen the kinds (SQLite rebuilds the table;
-- the PostgreSQL twin in postgres/ alters the CHECK in place).
CREATE TABLE deliveries_new (
    team_id    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('digest', 'reminder', 'alert', 'follow_up')),
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
INSERT INTO deliveries_new SELECT * FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;

-- The twin of ../0010_hook_alerts.sql: the same columns and table, but the
-- deliveries kinds are widened in place (PostgreSQL changes a CHECK without a rebuild).
ALTER TABLE workspace_settings ADD COLUMN reps TEXT NOT NULL DEFAULT '';
ALTER TABLE workspace_settings ADD COLUMN next_rep INTEGER NOT NULL DEFAULT 0;

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

ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check
    CHECK (kind IN ('digest', 'reminder', 'alert', 'follow_up'));

-- The twin of ../0014_snapshots.sql: the same table, indexes and column, but the
-- deliveries kinds are widened in place (PostgreSQL changes a CHECK without a rebuild).
CREATE TABLE snapshots (
    team_id           TEXT    NOT NULL,
    day               TEXT    NOT NULL,
    taken_at          TEXT    NOT NULL,
    open_hot          INTEGER,
    open_warm         INTEGER,
    open_cold         INTEGER,
    new_leads         TEXT    NOT NULL DEFAULT '{}',
    won               INTEGER NOT NULL DEFAULT 0,
    lost              INTEGER NOT NULL DEFAULT 0,
    answers           TEXT    NOT NULL DEFAULT '{}',
    answered_same_day INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, day)
);

CREATE INDEX leads_by_created ON leads (team_id, created_at);
CREATE INDEX interactions_by_time ON interactions (kind, at);

ALTER TABLE workspace_settings ADD COLUMN weekly TEXT NOT NULL DEFAULT 'mon';

ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check
    CHECK (kind IN ('digest', 'reminder', 'alert', 'follow_up', 'weekly'));

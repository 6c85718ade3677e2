-- Pipeline history: one row per workspace per local day, taken the morning after at
-- the digest time (bot.domain.snapshots). open_*: open leads by band that morning,
-- NULL for a day caught up later (nobody counted then). new_leads: {"referral": 2, …}.
-- answers: per owner, the minutes from each buying signal of the day to our first
-- answer, null when not answered by the time the row was taken: {"U1": [3, 38, null]}.
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
) WITHOUT ROWID;

-- A day's new leads and buying signals, read by time instead of by walking every lead.
CREATE INDEX leads_by_created ON leads (team_id, created_at);
CREATE INDEX interactions_by_time ON interactions (kind, at);

-- The weekly summary's day ('mon' … 'sun', or 'off').
ALTER TABLE workspace_settings ADD COLUMN weekly TEXT NOT NULL DEFAULT 'mon';

-- The weekly summary is a delivery too: widen the kinds (SQLite rebuilds the table;
-- the PostgreSQL twin in postgres/ alters the CHECK in place).
CREATE TABLE deliveries_new (
    team_id    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('digest', 'reminder', 'alert', 'follow_up', 'weekly')),
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

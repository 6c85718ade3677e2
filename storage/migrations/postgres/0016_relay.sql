-- The twin of ../0016_relay.sql: the same columns and tables, but the deliveries kinds
-- are widened in place (PostgreSQL changes a CHECK without a rebuild).
-- The speed-to-lead relay (bot.domain.relay). relay_minutes: minutes of working time
-- before an unanswered hot lead is offered on, 0 for relay:off; hours: working hours
-- on the digest days ('09:00-18:00'); manager: who hears of a lead still unanswered
-- after respond: hours ('' for the digest channel).
ALTER TABLE workspace_settings ADD COLUMN relay_minutes INTEGER NOT NULL DEFAULT 15;
ALTER TABLE workspace_settings ADD COLUMN hours TEXT NOT NULL DEFAULT '09:00-18:00';
ALTER TABLE workspace_settings ADD COLUMN manager TEXT NOT NULL DEFAULT '';

-- One relay per unanswered buying signal; at most one open per lead (a second signal
-- while one runs joins it and keeps its clock). ended_how: claimed, answered, declined,
-- snoozed, closed, reassigned, expired; set by the one UPDATE that ends it.
CREATE TABLE relays (
    id            INTEGER PRIMARY KEY,
    team_id       TEXT    NOT NULL,
    lead_id       INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    signal_id     INTEGER REFERENCES hook_signals (id) ON DELETE SET NULL,
    signal_at     TEXT    NOT NULL,
    started_at    TEXT    NOT NULL,
    owner         TEXT    NOT NULL DEFAULT '',
    snoozed_until TEXT,
    ended_at      TEXT,
    ended_how     TEXT,
    ended_by      TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX relays_one_open ON relays (lead_id) WHERE ended_at IS NULL;
CREATE INDEX relays_open_by_team ON relays (team_id, started_at) WHERE ended_at IS NULL;

-- Who the lead was offered to, in turn: the primary key lets one runner take turn N.
-- Sending it is a delivery (kind 'offer', recipient '<relay id>:<number>').
CREATE TABLE relay_offers (
    relay_id   INTEGER NOT NULL REFERENCES relays (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    rep        TEXT    NOT NULL,
    offered_at TEXT    NOT NULL,
    PRIMARY KEY (relay_id, number)
);

-- Each rep's noise: instant alerts on (1) or off (0), and away until a local date
-- ('YYYY-MM-DD', back that morning; NULL: here).
CREATE TABLE notifications (
    team_id    TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    instant    INTEGER NOT NULL DEFAULT 1,
    away_until TEXT,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;

-- A signal within minutes of another for the same lead joins its alert (burst_of: the
-- first signal's id) instead of sending a new one.
ALTER TABLE hook_signals ADD COLUMN burst_of INTEGER;
CREATE INDEX hook_signals_by_lead ON hook_signals (lead_id, arrived_at);

ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check
    CHECK (kind IN ('digest', 'reminder', 'alert', 'follow_up', 'weekly', 'offer', 'escalation'));

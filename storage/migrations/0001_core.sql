-- Leads, their touches, and the faded signal per lead and kind that scores read.
CREATE TABLE leads (
    id            INTEGER PRIMARY KEY,
    team_id       TEXT    NOT NULL,
    number        INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    company       TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL DEFAULT '',
    phone         TEXT    NOT NULL DEFAULT '',
    source        TEXT    NOT NULL,
    owner         TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    lost_reason   TEXT    NOT NULL DEFAULT '',
    created_by    TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    last_touch_at TEXT,
    snoozed_until TEXT,
    -- Score as of scored_at. Scores only fall between touches, so this is an
    -- upper bound for any later time: lists prune on it before scoring exactly.
    score         INTEGER NOT NULL DEFAULT 0,
    scored_at     TEXT    NOT NULL,
    UNIQUE (team_id, number)
);
CREATE INDEX leads_by_score ON leads (team_id, status, score DESC);
CREATE INDEX leads_by_owner ON leads (team_id, owner, status);
CREATE INDEX leads_by_email ON leads (team_id, lower(email)) WHERE email != '';
CREATE INDEX leads_by_name ON leads (team_id, lower(name), lower(company));

CREATE TABLE interactions (
    id        INTEGER PRIMARY KEY,
    lead_id   INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    kind      TEXT    NOT NULL,
    note      TEXT    NOT NULL DEFAULT '',
    at        TEXT    NOT NULL,
    logged_by TEXT    NOT NULL,
    logged_at TEXT    NOT NULL,
    permalink TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX interactions_by_lead ON interactions (lead_id, at DESC);

CREATE TABLE lead_signals (
    lead_id  INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    kind     TEXT    NOT NULL,
    strength REAL    NOT NULL,
    as_of    TEXT    NOT NULL,
    last_at  TEXT    NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (lead_id, kind)
) WITHOUT ROWID;

-- What we know of a Slack user: their zone for dates, cached from users.info.
CREATE TABLE slack_users (
    team_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    tz         TEXT,
    is_admin   INTEGER NOT NULL DEFAULT 0,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;

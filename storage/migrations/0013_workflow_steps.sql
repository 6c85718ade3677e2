-- The "Offer a lead to a rep" workflow step (claim_lead) waits for a click on its
-- Claim button or for its timeout; each waiting step is a row, so a restart loses none.
-- status: waiting → ending (one statement takes it: the click, or run-due once due_at
-- has passed) → done (Slack took the completion). An 'ending' row left for
-- long (Slack unreachable, a runner died) is taken again by run-due.
CREATE TABLE pending_steps (
    execution_id TEXT    NOT NULL PRIMARY KEY,
    team_id      TEXT    NOT NULL,
    lead_id      INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    offered_to   TEXT    NOT NULL,
    due_at       TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('waiting', 'ending', 'done')),
    claimed_by   TEXT    NOT NULL DEFAULT '',
    channel      TEXT    NOT NULL DEFAULT '',
    ts           TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    ending_at    TEXT,
    done_at      TEXT
);
CREATE INDEX pending_steps_by_team ON pending_steps (team_id, status, due_at);

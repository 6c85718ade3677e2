-- Issue 12: temperature by groups of touches, answers to buying signals, next steps.
-- Scores, cutoffs and signals written by the old model are worked out again by
-- leads.rescore_pending after the migrations (it needs the model, in Python):
-- clearing hot_until marks every lead for it, exactly as migration 0004 did.
UPDATE leads SET hot_until = NULL, warm_until = NULL;

-- How many hours a buying signal may wait for our answer (/lead settings respond:).
ALTER TABLE workspace_settings ADD COLUMN respond_hours INTEGER NOT NULL DEFAULT 4;

-- Kept when a lead is won or lost, so the report stays true when the model is
-- tuned later: its score and band then, and its band 14 days before.
-- Leads closed before this get closed_at from updated_at and the rest from rescore_pending.
ALTER TABLE leads ADD COLUMN closed_at TEXT;
ALTER TABLE leads ADD COLUMN closed_score INTEGER;
ALTER TABLE leads ADD COLUMN closed_band TEXT;
ALTER TABLE leads ADD COLUMN band_before_close TEXT;
UPDATE leads SET closed_at = updated_at WHERE status != 'open';
CREATE INDEX leads_closed ON leads (team_id, closed_at) WHERE closed_at IS NOT NULL;

-- Speed to lead reads the first answer after each buying signal from here.
CREATE INDEX interactions_by_kind ON interactions (lead_id, kind, at);

-- A lead's next step: what, by which day in its owner's zone (or none), and when done.
CREATE TABLE next_steps (
    lead_id INTEGER PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    what    TEXT NOT NULL,
    due_on  TEXT,
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX next_steps_open ON next_steps (due_on) WHERE done_at IS NULL;

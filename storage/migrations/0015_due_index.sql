-- When each workspace next owes scheduled work (a digest, a rep's DM window in their
-- zone, a follow-up, a step's end): a worker's minute reads only the rows due now.
-- due_at doubles as the lease while a worker has the workspace; soonest keeps a moment
-- asked for meanwhile (storage.due), so nothing asked for during a run is lost.
CREATE TABLE workspace_due (
    team_id TEXT NOT NULL PRIMARY KEY,
    due_at  TEXT NOT NULL,
    soonest TEXT
) WITHOUT ROWID;

CREATE INDEX workspace_due_by_moment ON workspace_due (due_at);

INSERT INTO workspace_due (team_id, due_at)
SELECT team_id, '0001-01-01T00:00:00Z' FROM workspace_settings
UNION
SELECT DISTINCT team_id, '0001-01-01T00:00:00Z' FROM leads;

-- The last lead number each workspace handed out. Taking the next one is a single
-- upsert on this row (storage.leads.next_numbers), so two servers adding at once
-- never hand out the same number, and a rolled-back add leaves no gap.
CREATE TABLE lead_numbers (
    team_id     TEXT    PRIMARY KEY,
    last_number INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO lead_numbers (team_id, last_number)
    SELECT team_id, max(number) FROM leads GROUP BY team_id;

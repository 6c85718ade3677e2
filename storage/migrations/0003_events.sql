-- Events API deliveries already handled, so Slack's retries do no work twice.
CREATE TABLE seen_events (
    team_id     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (team_id, event_id)
) WITHOUT ROWID;

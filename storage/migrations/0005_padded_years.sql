-- Timestamps whose year was stored without its leading zeros ('225-03-14T04:56:00Z',
-- from strftime("%Y") before storage.times wrote four digits) get them back
-- ('0225-03-14T04:56:00Z'), in every timestamp column, so text order is time
-- order again. A year of d < 4 digits has its first '-' at d + 1: four zeros
-- in front, cut from there, leave four digits.

UPDATE leads SET created_at = substr('0000' || created_at, instr(created_at, '-'))
    WHERE instr(created_at, '-') BETWEEN 2 AND 4;
UPDATE leads SET updated_at = substr('0000' || updated_at, instr(updated_at, '-'))
    WHERE instr(updated_at, '-') BETWEEN 2 AND 4;
UPDATE leads SET last_touch_at = substr('0000' || last_touch_at, instr(last_touch_at, '-'))
    WHERE instr(last_touch_at, '-') BETWEEN 2 AND 4;
UPDATE leads SET snoozed_until = substr('0000' || snoozed_until, instr(snoozed_until, '-'))
    WHERE instr(snoozed_until, '-') BETWEEN 2 AND 4;
UPDATE leads SET scored_at = substr('0000' || scored_at, instr(scored_at, '-'))
    WHERE instr(scored_at, '-') BETWEEN 2 AND 4;
UPDATE leads SET hot_until = substr('0000' || hot_until, instr(hot_until, '-'))
    WHERE instr(hot_until, '-') BETWEEN 2 AND 4;
UPDATE leads SET warm_until = substr('0000' || warm_until, instr(warm_until, '-'))
    WHERE instr(warm_until, '-') BETWEEN 2 AND 4;
UPDATE interactions SET at = substr('0000' || at, instr(at, '-'))
    WHERE instr(at, '-') BETWEEN 2 AND 4;
UPDATE interactions SET logged_at = substr('0000' || logged_at, instr(logged_at, '-'))
    WHERE instr(logged_at, '-') BETWEEN 2 AND 4;
UPDATE lead_signals SET as_of = substr('0000' || as_of, instr(as_of, '-'))
    WHERE instr(as_of, '-') BETWEEN 2 AND 4;
UPDATE lead_signals SET last_at = substr('0000' || last_at, instr(last_at, '-'))
    WHERE instr(last_at, '-') BETWEEN 2 AND 4;
UPDATE slack_users SET fetched_at = substr('0000' || fetched_at, instr(fetched_at, '-'))
    WHERE instr(fetched_at, '-') BETWEEN 2 AND 4;
UPDATE workspace_settings SET updated_at = substr('0000' || updated_at, instr(updated_at, '-'))
    WHERE instr(updated_at, '-') BETWEEN 2 AND 4;
UPDATE deliveries SET claimed_at = substr('0000' || claimed_at, instr(claimed_at, '-'))
    WHERE instr(claimed_at, '-') BETWEEN 2 AND 4;
UPDATE deliveries SET sent_at = substr('0000' || sent_at, instr(sent_at, '-'))
    WHERE instr(sent_at, '-') BETWEEN 2 AND 4;
UPDATE lead_reminders SET reminded_at = substr('0000' || reminded_at, instr(reminded_at, '-'))
    WHERE instr(reminded_at, '-') BETWEEN 2 AND 4;
UPDATE seen_events SET received_at = substr('0000' || received_at, instr(received_at, '-'))
    WHERE instr(received_at, '-') BETWEEN 2 AND 4;

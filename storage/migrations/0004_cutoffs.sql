-- When each lead stops being hot and stops being warm if left alone (see
-- bot.temperature.cutoffs): counts and lists by band become range queries.
-- Leads from before this migration get them from Database.open (NULL until then).
ALTER TABLE leads ADD COLUMN hot_until TEXT;
ALTER TABLE leads ADD COLUMN warm_until TEXT;
CREATE INDEX leads_hot_until ON leads (team_id, status, hot_until);
CREATE INDEX leads_warm_until ON leads (team_id, status, warm_until);
CREATE INDEX leads_without_cutoffs ON leads (id) WHERE hot_until IS NULL;
-- Lists walk this in order, hottest stored score first, and stop after a page or two.
DROP INDEX leads_by_score;
CREATE INDEX leads_by_score ON leads (team_id, status, score DESC, number, hot_until, warm_until);

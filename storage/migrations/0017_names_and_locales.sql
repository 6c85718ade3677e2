-- Lead names and companies as references compare them: lower case, accents off
-- (bot.domain.references.fold), so `renee` finds Renée and `ines` Inês on both engines.
-- Written with every lead from now on; leads already stored are folded in Python by
-- storage.leads.fold_pending after the migrations run (the fold is not SQL).
ALTER TABLE leads ADD COLUMN folded_name TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN folded_company TEXT NOT NULL DEFAULT '';
-- A rep's Slack locale (users.info with include_locale): which way 3/4 runs, 3 April or 4 March.
ALTER TABLE slack_users ADD COLUMN locale TEXT;

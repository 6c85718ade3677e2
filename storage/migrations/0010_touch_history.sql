-- Touches can be deleted and restored: a deleted one is kept for the record (who, when)
-- and no longer counts. ``how`` (added with the hooks) now also says command, modal,
-- button or import for touches a rep made.
ALTER TABLE interactions ADD COLUMN deleted_at TEXT;
ALTER TABLE interactions ADD COLUMN deleted_by TEXT NOT NULL DEFAULT '';
CREATE INDEX interactions_by_logger ON interactions (logged_by, logged_at DESC);

-- Placeholder on branch `pictures` only, so its 0014 runs in sequence: number 0012 belongs to
-- another branch. Delete this file when merging (or when the real 0012 lands).
SELECT 1;

-- Placeholder on branch `pictures` only, so its 0014 runs in sequence: number 0013 belongs to
-- another branch. Delete this file when merging (or when the real 0013 lands).
SELECT 1;

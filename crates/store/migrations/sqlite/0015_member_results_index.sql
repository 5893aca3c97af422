-- A member's results carry what a streak reads (the kind, the level and the round), so streaks
-- are counted from the index alone, in member order, never from the wide evaluation rows: a
-- province's "HTXSNV 5 năm liền" list went from 3.5 s to 0.65 s in sqlite3. SQLite has no
-- INCLUDE, so they are key columns; a lookup by member alone still uses the index.
DROP INDEX evaluation_member;
CREATE INDEX evaluation_member ON evaluation (member_id, kind, concluded_level, round_id);

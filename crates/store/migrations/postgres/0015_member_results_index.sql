-- A member's results carry what a streak checks (the round, the kind and the level), so the
-- check that no other result stands in a streak's window reads the index alone, never the wide
-- evaluation rows (a national "HTXSNV 5 năm liền" list probes it once per member found).
DROP INDEX evaluation_member;
CREATE INDEX evaluation_member ON evaluation (member_id) INCLUDE (round_id, kind, concluded_level);

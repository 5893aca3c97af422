-- The units a round scores are fixed when it opens, like its criteria, so later membership edits
-- cannot change a past result; the deputy scores the leading unit in the leader's place.
ALTER TABLE scoring_round ADD COLUMN members TEXT NOT NULL DEFAULT '[]';
ALTER TABLE scoring_round ADD COLUMN deputy_org_id INTEGER REFERENCES org (id);

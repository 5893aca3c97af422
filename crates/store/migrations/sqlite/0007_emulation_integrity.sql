-- A meeting's discussion and conclusions are edited after it; the version stops one edit from
-- silently overwriting another.
ALTER TABLE meeting ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- One minutes number per cluster and year.
CREATE UNIQUE INDEX meeting_number ON meeting (cluster_id, substr(held_on, 1, 4), number);

-- One regular campaign (năm thi đua) per cluster and year; thematic ones may overlap.
CREATE UNIQUE INDEX campaign_regular_year ON campaign (cluster_id, year) WHERE kind = 'regular';

-- The register lists newest first by the day a document was issued (or, incoming without it,
-- arrived): an index on that order lets a page, and a download read in batches, start where it
-- is instead of sorting the whole table for each.
CREATE INDEX document_day ON document ((coalesce(issued_on, arrival_on, '')) DESC, id DESC);

-- The evaluation rounds are listed a year at a time.
CREATE INDEX evaluation_round_year ON evaluation_round (year, id);

-- Every word of the search index, so that a word typed in part ("quyê") is expanded to the whole
-- words it starts ("quyet", "quyen") and the index answers newest first without building the
-- prefix's whole match list. Derived data like fts_document: not exported, rebuilt by reindex.
-- Byte order ("C") so that a prefix is a range of the key.
CREATE TABLE fts_term (term TEXT COLLATE "C" PRIMARY KEY);

INSERT INTO fts_term (term) SELECT word FROM ts_stat('SELECT tsv FROM fts_document') WHERE length(word) <= 100 ON CONFLICT DO NOTHING;

-- Every word of the search index, so that a word typed in part ("quyê") is expanded to the whole
-- words it starts ("quyet", "quyen") and the index answers newest first without building the
-- prefix's whole match list. Derived data like fts_document: not exported, rebuilt by reindex.
CREATE TABLE fts_term (term TEXT PRIMARY KEY) WITHOUT ROWID;

CREATE VIRTUAL TABLE temp.fts_document_vocab USING fts5vocab(main, fts_document, 'row');
INSERT OR IGNORE INTO fts_term (term) SELECT term FROM temp.fts_document_vocab WHERE length(term) <= 100;
DROP TABLE temp.fts_document_vocab;

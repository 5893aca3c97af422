-- Document registers, attachments, work records, and the search index.

-- A committee's term (nhiệm kỳ): outgoing numbers run from 01 within a term.
CREATE TABLE committee_term (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id    INTEGER NOT NULL REFERENCES org (id),
    name      TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on   TEXT
);
CREATE INDEX committee_term_org ON committee_term (org_id, starts_on);

-- Organizations that keep a register, with the issuer code of their symbols (TU, ĐU, BTCTU…).
CREATE TABLE doc_register (
    org_id      INTEGER PRIMARY KEY REFERENCES org (id),
    issuer_code TEXT NOT NULL
);

-- Next number per register, scope ('term:ID' for outgoing, 'arrival:YEAR' for incoming) and type.
CREATE TABLE doc_sequence (
    org_id      INTEGER NOT NULL REFERENCES org (id),
    scope       TEXT NOT NULL,
    doc_type    TEXT NOT NULL,
    next_number INTEGER NOT NULL,
    PRIMARY KEY (org_id, scope, doc_type)
);

-- Attachment contents by SHA-256; content is NULL when kept in the attachment directory.
CREATE TABLE blob (
    hash    TEXT PRIMARY KEY,
    size    INTEGER NOT NULL,
    content BLOB
);

CREATE TABLE document (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    direction        TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
    org_id           INTEGER NOT NULL REFERENCES org (id),
    unit_id          INTEGER REFERENCES org (id),
    doc_type         TEXT NOT NULL,
    number           INTEGER,
    issuer_code      TEXT,
    symbol           TEXT,
    scope            TEXT,
    issued_on        TEXT,
    issuer_name      TEXT,
    summary          TEXT NOT NULL,
    signer           TEXT,
    recipients       TEXT,
    secrecy          TEXT,
    urgency          TEXT,
    arrival_number   INTEGER,
    arrival_on       TEXT,
    assigned_to      TEXT,
    deadline         TEXT,
    status           TEXT NOT NULL,
    status_on        TEXT,
    withdrawn_reason TEXT,
    created_by       TEXT NOT NULL,
    created_unix     INTEGER NOT NULL,
    version          INTEGER NOT NULL
);
CREATE UNIQUE INDEX document_outgoing_number ON document (org_id, scope, doc_type, number) WHERE direction = 'outgoing';
CREATE UNIQUE INDEX document_arrival_number ON document (org_id, scope, arrival_number) WHERE direction = 'incoming';
CREATE INDEX document_register ON document (org_id, direction, issued_on);
CREATE INDEX document_unit ON document (unit_id, direction, issued_on);
CREATE INDEX document_symbol ON document (symbol);

CREATE TABLE document_attachment (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id  INTEGER NOT NULL REFERENCES document (id),
    blob_hash    TEXT NOT NULL REFERENCES blob (hash),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    text         TEXT NOT NULL
);
CREATE INDEX document_attachment_document ON document_attachment (document_id);

-- Hồ sơ công việc: documents of one matter, kept for a retention period (NULL years = permanent).
CREATE TABLE work_record (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES org (id),
    code            TEXT NOT NULL,
    title           TEXT NOT NULL,
    opened_on       TEXT NOT NULL,
    closed_on       TEXT,
    retention_years INTEGER,
    keeper          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'closed', 'archived')),
    archived_on     TEXT,
    UNIQUE (org_id, code)
);

CREATE TABLE work_record_document (
    record_id   INTEGER NOT NULL REFERENCES work_record (id),
    document_id INTEGER NOT NULL REFERENCES document (id),
    PRIMARY KEY (record_id, document_id)
);

-- The search index: folded text (lowercase, no diacritics, đ → d) of number/symbol, summary,
-- issuer and attachment text, written in the same transaction as the document.
CREATE VIRTUAL TABLE fts_document USING fts5 (folded, tokenize = 'unicode61 remove_diacritics 0');

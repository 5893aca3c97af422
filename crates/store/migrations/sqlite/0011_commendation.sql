-- Commendation: the rulebook as loaded and edited, people, initiatives, dossiers, decisions and the
-- award registry.

-- Every version of the commendation rulebook is kept; the newest applies. A dossier keeps the
-- answer it was submitted with, whatever later versions say.
CREATE TABLE commendation_rulebook (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    version      TEXT NOT NULL,
    body         TEXT NOT NULL,
    note         TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_unix INTEGER NOT NULL
);

-- A person awarded as an individual: a party member (linked, one person each) or other staff of
-- an organization.
CREATE TABLE person (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    full_name  TEXT NOT NULL,
    name_fold  TEXT NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES org (id),
    member_id  INTEGER REFERENCES member (id),
    position   TEXT,
    created_by TEXT NOT NULL
);
CREATE UNIQUE INDEX person_member ON person (member_id);
CREATE INDEX person_org ON person (org_id);

-- Initiatives (sáng kiến) recognized for a person, at a level.
CREATE TABLE initiative (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id     INTEGER NOT NULL REFERENCES person (id),
    name          TEXT NOT NULL,
    level         TEXT NOT NULL CHECK (level IN ('grassroots', 'province', 'national')),
    recognized_on TEXT NOT NULL,
    decision      TEXT NOT NULL,
    created_by    TEXT NOT NULL
);
CREATE INDEX initiative_person ON initiative (person_id);

-- Decisions (quyết định khen thưởng) and the awards they confer: the registry.
CREATE TABLE award_decision (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer_org_id INTEGER NOT NULL REFERENCES org (id),
    number_symbol TEXT NOT NULL,
    decided_on    TEXT NOT NULL,
    signer        TEXT NOT NULL,
    summary       TEXT NOT NULL,
    created_by    TEXT NOT NULL
);
CREATE UNIQUE INDEX award_decision_number ON award_decision (issuer_org_id, number_symbol);

CREATE TABLE award (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id INTEGER NOT NULL REFERENCES award_decision (id),
    title       TEXT NOT NULL,
    year        INTEGER NOT NULL,
    org_id      INTEGER REFERENCES org (id),
    person_id   INTEGER REFERENCES person (id),
    revoked     INTEGER NOT NULL,
    CHECK ((org_id IS NULL) <> (person_id IS NULL))
);
CREATE INDEX award_org ON award (org_id, year);
CREATE INDEX award_person ON award (person_id, year);
CREATE INDEX award_title ON award (title, year);

-- A revocation (thu hồi): the award stays in the registry, marked, with the reason and what is to
-- be recovered.
CREATE TABLE award_revocation (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    award_id   INTEGER NOT NULL REFERENCES award (id),
    decided_on TEXT NOT NULL,
    decision   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    recovery   TEXT NOT NULL,
    created_by TEXT NOT NULL,
    at_unix    INTEGER NOT NULL
);
CREATE UNIQUE INDEX award_revocation_award ON award_revocation (award_id);

-- A dossier (hồ sơ đề nghị khen thưởng) moves one level of the hierarchy at a time: at_org_id is
-- the organization handling it now.
CREATE TABLE dossier (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    year            INTEGER NOT NULL,
    title           TEXT NOT NULL,
    org_id          INTEGER REFERENCES org (id),
    person_id       INTEGER REFERENCES person (id),
    proposer_org_id INTEGER NOT NULL REFERENCES org (id),
    at_org_id       INTEGER NOT NULL REFERENCES org (id),
    state           TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'reviewed', 'voted', 'decided', 'returned', 'withdrawn')),
    achievements    TEXT NOT NULL,
    eligibility     TEXT,
    poll_id         INTEGER REFERENCES poll (id),
    poll_option     INTEGER,
    vote            TEXT,
    return_reason   TEXT,
    award_id        INTEGER REFERENCES award (id),
    copied_from     INTEGER REFERENCES dossier (id),
    created_by      TEXT NOT NULL,
    version         INTEGER NOT NULL,
    CHECK ((org_id IS NULL) <> (person_id IS NULL))
);
CREATE INDEX dossier_at ON dossier (at_org_id, state);
CREATE INDEX dossier_proposer ON dossier (proposer_org_id, year);

CREATE TABLE dossier_step (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id INTEGER NOT NULL REFERENCES dossier (id),
    from_state TEXT,
    to_state   TEXT NOT NULL,
    at_org_id  INTEGER NOT NULL REFERENCES org (id),
    actor      TEXT NOT NULL,
    at_unix    INTEGER NOT NULL,
    reason     TEXT
);
CREATE INDEX dossier_step_dossier ON dossier_step (dossier_id);

CREATE TABLE dossier_file (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id   INTEGER NOT NULL REFERENCES dossier (id),
    blob_hash    TEXT NOT NULL REFERENCES blob (hash),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL
);
CREATE INDEX dossier_file_dossier ON dossier_file (dossier_id);

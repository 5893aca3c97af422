-- Year-end scoring rounds and secret ballots.

-- A round scores one campaign. The criteria table and the scoring rules are copied in when the
-- round opens, so later edits cannot change a past result.
CREATE TABLE scoring_round (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id   INTEGER NOT NULL REFERENCES campaign (id),
    cluster_id    INTEGER NOT NULL REFERENCES cluster (id),
    year          INTEGER NOT NULL,
    criteria      TEXT NOT NULL,
    scale         INTEGER NOT NULL,
    rules         TEXT NOT NULL,
    leader_org_id INTEGER REFERENCES org (id),
    status        TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    version       INTEGER NOT NULL
);
CREATE UNIQUE INDEX scoring_round_campaign ON scoring_round (campaign_id);

-- One scorer's scores of one unit: its self-score, a peer's cross-score, or the leader's.
CREATE TABLE score_sheet (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id      INTEGER NOT NULL REFERENCES scoring_round (id),
    target_org_id INTEGER NOT NULL REFERENCES org (id),
    role          TEXT NOT NULL CHECK (role IN ('self', 'peer', 'leader')),
    scorer_org_id INTEGER NOT NULL REFERENCES org (id),
    submitted     INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    UNIQUE (round_id, target_org_id, role, scorer_org_id)
);

-- Scores in hundredths of a point, with the evidence given as text or a registered document.
CREATE TABLE score_line (
    sheet_id       INTEGER NOT NULL REFERENCES score_sheet (id),
    criterion_code TEXT NOT NULL,
    centi          INTEGER NOT NULL,
    note           TEXT NOT NULL,
    document_id    INTEGER REFERENCES document (id),
    PRIMARY KEY (sheet_id, criterion_code)
);

CREATE TABLE score_file (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    sheet_id       INTEGER NOT NULL REFERENCES score_sheet (id),
    criterion_code TEXT NOT NULL,
    blob_hash      TEXT NOT NULL REFERENCES blob (hash),
    name           TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           INTEGER NOT NULL
);
CREATE INDEX score_file_sheet ON score_file (sheet_id);

-- Who cross-scores whom, when the cluster assigns peers.
CREATE TABLE peer_assignment (
    round_id      INTEGER NOT NULL REFERENCES scoring_round (id),
    scorer_org_id INTEGER NOT NULL REFERENCES org (id),
    target_org_id INTEGER NOT NULL REFERENCES org (id),
    PRIMARY KEY (round_id, scorer_org_id, target_org_id)
);

-- The leader's adjustments when consolidating; each has its reason.
CREATE TABLE score_adjustment (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id       INTEGER NOT NULL REFERENCES scoring_round (id),
    target_org_id  INTEGER NOT NULL REFERENCES org (id),
    criterion_code TEXT,
    centi          INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    actor          TEXT NOT NULL,
    at_unix        INTEGER NOT NULL
);
CREATE INDEX score_adjustment_round ON score_adjustment (round_id);

CREATE TABLE round_reopening (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES scoring_round (id),
    reason   TEXT NOT NULL,
    actor    TEXT NOT NULL,
    at_unix  INTEGER NOT NULL
);

CREATE TABLE poll (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id       INTEGER NOT NULL REFERENCES cluster (id),
    round_id         INTEGER REFERENCES scoring_round (id),
    title            TEXT NOT NULL,
    question         TEXT NOT NULL,
    mode             TEXT NOT NULL CHECK (mode IN ('electronic', 'paper')),
    electorate       INTEGER NOT NULL,
    quorum           TEXT NOT NULL,
    threshold        TEXT NOT NULL,
    threshold_source TEXT NOT NULL,
    held_on          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    created_by       TEXT NOT NULL,
    version          INTEGER NOT NULL
);
CREATE INDEX poll_cluster ON poll (cluster_id, held_on);

CREATE TABLE poll_option (
    poll_id  INTEGER NOT NULL REFERENCES poll (id),
    position INTEGER NOT NULL,
    label    TEXT NOT NULL,
    org_id   INTEGER REFERENCES org (id),
    PRIMARY KEY (poll_id, position)
);

-- Who may vote in an electronic poll, and whether they have (written: entered by the secretary
-- from an absent member's written vote). Nothing here refers to a ballot.
CREATE TABLE poll_voter (
    poll_id INTEGER NOT NULL REFERENCES poll (id),
    user_id INTEGER NOT NULL REFERENCES user_account (id),
    voted   INTEGER NOT NULL,
    written INTEGER NOT NULL,
    PRIMARY KEY (poll_id, user_id)
);

-- Ballots carry no voter and no time. The key is random and the table is ordered by it (no rowid),
-- so neither a column nor the order of rows tells who cast a ballot or when. receipt_hash is the
-- SHA-256 of the token the voter was given; paper ballots have none.
CREATE TABLE ballot (
    poll_id      INTEGER NOT NULL REFERENCES poll (id),
    ballot_key   TEXT NOT NULL,
    marks        TEXT NOT NULL,
    receipt_hash TEXT,
    PRIMARY KEY (poll_id, ballot_key)
) WITHOUT ROWID;

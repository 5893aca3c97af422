-- Party members, their interruptions, positions, files, badges; working-day holidays; transfers.

CREATE TABLE member (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    full_name        TEXT NOT NULL,
    -- full_name folded (lowercase, no diacritics) for diacritic-insensitive search
    name_fold        TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    gender           TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    cccd             TEXT UNIQUE,
    party_card       TEXT,
    admitted_on      TEXT NOT NULL,
    official_on      TEXT,
    org_id           INTEGER NOT NULL REFERENCES org (id),
    temporary_org_id INTEGER REFERENCES org (id),
    phone            TEXT,
    email            TEXT,
    address          TEXT,
    seriously_ill    INTEGER NOT NULL,
    version          INTEGER NOT NULL,
    created_unix     INTEGER NOT NULL
);
CREATE INDEX member_org ON member (org_id);
CREATE INDEX member_name_fold ON member (name_fold);
CREATE INDEX member_temporary_org ON member (temporary_org_id);

-- What changed in a member's record, by whom: the history users see on the member page.
CREATE TABLE member_change (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id INTEGER NOT NULL REFERENCES member (id),
    at_unix   INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    summary   TEXT NOT NULL
);
CREATE INDEX member_change_member ON member_change (member_id, id);

CREATE TABLE member_gap (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id INTEGER NOT NULL REFERENCES member (id),
    kind      TEXT NOT NULL,
    from_on   TEXT NOT NULL,
    to_on     TEXT,
    note      TEXT
);
CREATE INDEX member_gap_member ON member_gap (member_id);

CREATE TABLE member_position (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id INTEGER NOT NULL REFERENCES member (id),
    title     TEXT NOT NULL,
    org_id    INTEGER REFERENCES org (id),
    from_on   TEXT NOT NULL,
    to_on     TEXT
);
CREATE INDEX member_position_member ON member_position (member_id);

CREATE TABLE member_file (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id     INTEGER NOT NULL REFERENCES member (id),
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    content       BLOB NOT NULL,
    uploaded_unix INTEGER NOT NULL,
    uploaded_by   TEXT NOT NULL
);
CREATE INDEX member_file_member ON member_file (member_id);

CREATE TABLE badge_award (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id  INTEGER NOT NULL REFERENCES member (id),
    milestone  INTEGER NOT NULL,
    awarded_on TEXT NOT NULL,
    early      INTEGER NOT NULL,
    decision   TEXT,
    UNIQUE (member_id, milestone)
);

CREATE TABLE holiday (
    day  TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE transfer (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id          INTEGER NOT NULL REFERENCES member (id),
    kind               TEXT NOT NULL CHECK (kind IN ('official', 'temporary')),
    purpose            TEXT,
    until_on           TEXT,
    from_org_id        INTEGER NOT NULL REFERENCES org (id),
    to_org_id          INTEGER REFERENCES org (id),
    addressed_org_id   INTEGER REFERENCES org (id),
    external_to        TEXT,
    trigger_on         TEXT NOT NULL,
    introduced_on      TEXT NOT NULL,
    letter_number      TEXT,
    late_reason        TEXT,
    state              TEXT NOT NULL,
    last_step_on       TEXT NOT NULL,
    reported_on        TEXT,
    report_late_reason TEXT,
    received_on        TEXT,
    completed_on       TEXT,
    closed_reason      TEXT,
    created_by         TEXT NOT NULL
);
CREATE INDEX transfer_member ON transfer (member_id);
CREATE INDEX transfer_from ON transfer (from_org_id, state);
CREATE INDEX transfer_to ON transfer (to_org_id, state);

CREATE TABLE transfer_step (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    transfer_id INTEGER NOT NULL REFERENCES transfer (id),
    step        TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    note        TEXT,
    actor       TEXT NOT NULL,
    at_unix     INTEGER NOT NULL
);
CREATE INDEX transfer_step_transfer ON transfer_step (transfer_id, id);

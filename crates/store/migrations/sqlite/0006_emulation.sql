-- Emulation work of clusters: rules, campaigns with criteria, registrations and covenants,
-- meetings with attendees, topics and documents, and key tasks.

CREATE TABLE cluster_rules (
    cluster_id INTEGER PRIMARY KEY REFERENCES cluster (id),
    rules      TEXT NOT NULL
);

CREATE TABLE campaign (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id         INTEGER NOT NULL REFERENCES cluster (id),
    kind               TEXT NOT NULL CHECK (kind IN ('regular', 'thematic')),
    year               INTEGER NOT NULL,
    title              TEXT NOT NULL,
    theme              TEXT,
    starts_on          TEXT NOT NULL,
    ends_on            TEXT NOT NULL,
    launch_document_id INTEGER REFERENCES document (id),
    scale              INTEGER NOT NULL
);
CREATE INDEX campaign_cluster ON campaign (cluster_id, year);

CREATE TABLE criterion (
    campaign_id INTEGER NOT NULL REFERENCES campaign (id),
    code        TEXT NOT NULL,
    parent_code TEXT,
    title       TEXT NOT NULL,
    max_points  INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    evidence    TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, code)
);

-- Đăng ký chỉ tiêu: a unit's targets and the titles it aims for, as JSON lists of text.
CREATE TABLE registration (
    campaign_id INTEGER NOT NULL REFERENCES campaign (id),
    org_id      INTEGER NOT NULL REFERENCES org (id),
    targets     TEXT NOT NULL,
    titles      TEXT NOT NULL,
    PRIMARY KEY (campaign_id, org_id)
);

CREATE TABLE covenant_entry (
    campaign_id INTEGER NOT NULL REFERENCES campaign (id),
    org_id      INTEGER NOT NULL REFERENCES org (id),
    status      TEXT NOT NULL CHECK (status IN ('signed', 'absent')),
    signed_on   TEXT,
    signatory   TEXT,
    reason      TEXT,
    meeting_id  INTEGER,
    PRIMARY KEY (campaign_id, org_id)
);

CREATE TABLE meeting (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id  INTEGER NOT NULL REFERENCES cluster (id),
    -- Biên bản number: the meeting's order within the cluster's year, fixed when recorded.
    number      INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    -- Địa danh for the place-and-date line, e.g. Bình Thuận; place is the hall.
    locality    TEXT NOT NULL,
    place       TEXT NOT NULL,
    host_org_id INTEGER REFERENCES org (id),
    title       TEXT NOT NULL,
    agenda      TEXT NOT NULL,
    discussion  TEXT NOT NULL,
    conclusions TEXT NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX meeting_cluster ON meeting (cluster_id, held_on);

-- Units attend with org_id set; guests with a name and position.
CREATE TABLE meeting_attendee (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meeting (id),
    org_id     INTEGER REFERENCES org (id),
    name       TEXT,
    position   TEXT
);
CREATE INDEX meeting_attendee_meeting ON meeting_attendee (meeting_id);

CREATE TABLE meeting_topic (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id        INTEGER NOT NULL REFERENCES meeting (id),
    title             TEXT NOT NULL,
    presenter_org_id  INTEGER REFERENCES org (id),
    presenter         TEXT
);
CREATE INDEX meeting_topic_meeting ON meeting_topic (meeting_id);

CREATE TABLE meeting_document (
    meeting_id  INTEGER NOT NULL REFERENCES meeting (id),
    document_id INTEGER NOT NULL REFERENCES document (id),
    PRIMARY KEY (meeting_id, document_id)
);

CREATE TABLE key_task (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id   INTEGER NOT NULL REFERENCES meeting (id),
    cluster_id   INTEGER NOT NULL REFERENCES cluster (id),
    title        TEXT NOT NULL,
    owner_org_id INTEGER REFERENCES org (id),
    deadline     TEXT,
    status       TEXT NOT NULL,
    done_on      TEXT,
    version      INTEGER NOT NULL
);
CREATE INDEX key_task_cluster ON key_task (cluster_id, status);

CREATE TABLE key_task_note (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id  INTEGER NOT NULL REFERENCES key_task (id),
    at_unix  INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    note     TEXT NOT NULL
);
CREATE INDEX key_task_note_task ON key_task_note (task_id);

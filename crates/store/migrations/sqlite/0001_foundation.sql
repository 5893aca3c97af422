-- Foundation: settings, the temporal organization registry, emulation clusters.
-- Dates are ISO text (yyyy-mm-dd) on both backends, so one set of queries serves both.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Identity of an organization across its versions; allocates ids.
CREATE TABLE org (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    note TEXT
);

-- The source of truth of the registry: dated events, replayed in (effective_on, id) order.
CREATE TABLE org_event (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    effective_on TEXT NOT NULL,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    basis        TEXT,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX org_event_order ON org_event (effective_on, id);

-- Which organizations each event names, for an organization's history.
CREATE TABLE org_event_org (
    event_id INTEGER NOT NULL REFERENCES org_event (id),
    org_id   INTEGER NOT NULL REFERENCES org (id),
    PRIMARY KEY (event_id, org_id)
);
CREATE INDEX org_event_org_org ON org_event_org (org_id);

-- Versions derived from the events, rewritten in the same transaction as each event.
CREATE TABLE org_version (
    org_id     INTEGER NOT NULL REFERENCES org (id),
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    short_name TEXT,
    parent_id  INTEGER REFERENCES org (id),
    event_id   INTEGER NOT NULL REFERENCES org_event (id),
    PRIMARY KEY (org_id, valid_from)
);
CREATE INDEX org_version_span ON org_version (valid_from, valid_to);
CREATE INDEX org_version_parent ON org_version (parent_id);

CREATE TABLE org_succession (
    predecessor_id INTEGER NOT NULL REFERENCES org (id),
    successor_id   INTEGER NOT NULL REFERENCES org (id),
    effective_on   TEXT NOT NULL,
    kind           TEXT NOT NULL,
    event_id       INTEGER NOT NULL REFERENCES org_event (id),
    PRIMARY KEY (predecessor_id, successor_id, event_id)
);
CREATE INDEX org_succession_successor ON org_succession (successor_id);

CREATE TABLE cluster (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    owner_org_id INTEGER NOT NULL REFERENCES org (id),
    sector       TEXT
);

CREATE TABLE cluster_member (
    cluster_id INTEGER NOT NULL REFERENCES cluster (id),
    year       INTEGER NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES org (id),
    role       TEXT NOT NULL CHECK (role IN ('member', 'leader', 'deputy')),
    PRIMARY KEY (cluster_id, year, org_id)
);
CREATE UNIQUE INDEX cluster_member_one_per_role ON cluster_member (cluster_id, year, role) WHERE role <> 'member';
CREATE INDEX cluster_member_org ON cluster_member (org_id, year);

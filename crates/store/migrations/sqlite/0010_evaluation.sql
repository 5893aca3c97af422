-- Annual quality evaluation, and the discipline records that force its lowest level.

CREATE TABLE member_discipline (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id  INTEGER NOT NULL REFERENCES member (id),
    decided_on TEXT NOT NULL,
    form       TEXT NOT NULL CHECK (form IN ('reprimand', 'warning', 'dismissal', 'expulsion')),
    decision   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX member_discipline_member ON member_discipline (member_id, decided_on);

-- One round a year per grassroots party organization: it evaluates the organization, its cells,
-- its leadership and its members, and concludes them together (the quota counts per grassroots
-- organization). rules_source names the rules the year is judged by.
CREATE TABLE evaluation_round (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES org (id),
    year         INTEGER NOT NULL,
    rules_source TEXT NOT NULL,
    concluded    INTEGER NOT NULL,
    concluded_by TEXT,
    concluded_on TEXT,
    created_by   TEXT NOT NULL,
    version      INTEGER NOT NULL
);
CREATE UNIQUE INDEX evaluation_round_org_year ON evaluation_round (org_id, year);

-- One subject of a round, with each step: the self-assessment, the opinion of the cell or
-- collective, the committee's conclusion, and (organizations) the superior's approval; each dated
-- and signed by who did it.
CREATE TABLE evaluation (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id        INTEGER NOT NULL REFERENCES evaluation_round (id),
    kind            TEXT NOT NULL CHECK (kind IN ('organization', 'leadership_collective', 'member', 'leader')),
    member_id       INTEGER REFERENCES member (id),
    org_id          INTEGER REFERENCES org (id),
    cell_id         INTEGER NOT NULL REFERENCES org (id),
    assessment      TEXT NOT NULL,
    self_level      TEXT,
    self_by         TEXT,
    self_on         TEXT,
    opinion_level   TEXT,
    opinion_note    TEXT,
    opinion_by      TEXT,
    opinion_on      TEXT,
    concluded_level TEXT,
    concluded_by    TEXT,
    concluded_on    TEXT,
    approved_level  TEXT,
    approved_by     TEXT,
    approved_on     TEXT,
    version         INTEGER NOT NULL
);
CREATE INDEX evaluation_round_cell ON evaluation (round_id, cell_id);
CREATE INDEX evaluation_member ON evaluation (member_id);
CREATE INDEX evaluation_org ON evaluation (org_id);

CREATE TABLE evaluation_reopening (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES evaluation_round (id),
    reason   TEXT NOT NULL,
    actor    TEXT NOT NULL,
    at_unix  INTEGER NOT NULL
);

-- Accounts, grants, sessions, API tokens, login throttling and the hash-chained audit log.
-- Times are Unix seconds (integers) so both backends compare them the same way.

CREATE TABLE user_account (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    home_org_id   INTEGER REFERENCES org (id),
    active        INTEGER NOT NULL,
    created_unix  INTEGER NOT NULL
);

CREATE TABLE user_grant (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER NOT NULL REFERENCES user_account (id),
    role             TEXT NOT NULL,
    scope_kind       TEXT NOT NULL CHECK (scope_kind IN ('system', 'subtree', 'cluster')),
    scope_org_id     INTEGER REFERENCES org (id),
    scope_cluster_id INTEGER REFERENCES cluster (id)
);
CREATE INDEX user_grant_user ON user_grant (user_id);

-- Server-side sessions; the cookie holds a random token, the table only its SHA-256.
CREATE TABLE user_session (
    id_hash        TEXT PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES user_account (id),
    csrf_token     TEXT NOT NULL,
    created_unix   INTEGER NOT NULL,
    last_seen_unix INTEGER NOT NULL,
    expires_unix   INTEGER NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);

CREATE TABLE api_token (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL REFERENCES user_account (id),
    label          TEXT NOT NULL,
    token_hash     TEXT NOT NULL UNIQUE,
    created_unix   INTEGER NOT NULL,
    last_used_unix INTEGER,
    revoked_unix   INTEGER
);
CREATE INDEX api_token_user ON api_token (user_id);

-- Failed logins by 'user:NAME' and 'ip:ADDRESS', for throttling.
CREATE TABLE login_failure (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    key     TEXT NOT NULL,
    at_unix INTEGER NOT NULL
);
CREATE INDEX login_failure_key ON login_failure (key, at_unix);

-- Sequence numbers are assigned by the writer (last + 1) so a removed entry leaves a gap.
CREATE TABLE audit_entry (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    at_unix   INTEGER NOT NULL,
    actor_id  INTEGER,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    resource  TEXT NOT NULL,
    summary   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_entry_actor ON audit_entry (actor, seq);
CREATE INDEX audit_entry_resource ON audit_entry (resource, seq);
CREATE INDEX audit_entry_at ON audit_entry (at_unix);

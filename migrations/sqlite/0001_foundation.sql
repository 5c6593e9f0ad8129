-- Accounts, workspaces, memberships, invitations, API tokens, sessions,
-- sign-in throttling and the audit log. Timestamps are RFC 3339 text bound
-- from the application's clock (never CURRENT_TIMESTAMP).

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    locale         TEXT,
    session_epoch  INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE memberships (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'approver', 'editor', 'viewer')),
    created_at    TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE invitations (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'approver', 'editor', 'viewer')),
    token_hash    TEXT NOT NULL UNIQUE,
    invited_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    accepted_at   TEXT,
    accepted_by   INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX invitations_by_workspace ON invitations (workspace_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
    id   INTEGER PRIMARY KEY,
    key  TEXT NOT NULL,
    at   TEXT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, at);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER REFERENCES workspaces(id) ON DELETE CASCADE,
    actor_user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    detail         TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX audit_log_by_workspace ON audit_log (workspace_id, id);

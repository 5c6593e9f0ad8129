-- Channels, media, posts with their revisions, per-channel targets,
-- approvals, comments and notifications; the workspace's approval policy.
-- Timestamps are RFC 3339 text bound from the application's clock.

ALTER TABLE workspaces ADD COLUMN approvals_required INTEGER NOT NULL DEFAULT 1
    CHECK (approvals_required BETWEEN 0 AND 10);
ALTER TABLE workspaces ADD COLUMN author_may_approve BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE workspaces ADD COLUMN reschedule_needs_approval BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE channels (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    platform      TEXT NOT NULL CHECK (platform IN ('wechat', 'facebook', 'x', 'linkedin', 'instagram', 'mastodon', 'bluesky')),
    name          TEXT NOT NULL,
    time_zone     TEXT NOT NULL,
    slots         TEXT NOT NULL DEFAULT '',
    emulated      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TEXT NOT NULL,
    archived_at   TEXT
);
CREATE INDEX channels_by_workspace ON channels (workspace_id, id);

CREATE TABLE media (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    uploaded_by   INTEGER NOT NULL REFERENCES users(id),
    kind          TEXT NOT NULL CHECK (kind IN ('image', 'video', 'gif')),
    content_type  TEXT NOT NULL,
    bytes         INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX media_by_workspace ON media (workspace_id, id);

CREATE TABLE posts (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    author_id      INTEGER NOT NULL REFERENCES users(id),
    state          TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'changes_requested', 'scheduled', 'publishing', 'published', 'partly_published', 'failed', 'needs_attention', 'cancelled')),
    campaign       TEXT,
    schedule_json  TEXT,
    content_json   TEXT NOT NULL,
    search_text    TEXT NOT NULL,
    revision       INTEGER NOT NULL,
    -- Bumped by every write; a write names the version it read, so two
    -- people (or a person and the scheduler) never overwrite each other.
    version        INTEGER NOT NULL DEFAULT 1,
    first_due_at   TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX posts_by_workspace_due ON posts (workspace_id, first_due_at);
CREATE INDEX posts_by_workspace_state ON posts (workspace_id, state);

CREATE TABLE post_revisions (
    id             INTEGER PRIMARY KEY,
    post_id        INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    number         INTEGER NOT NULL,
    author_id      INTEGER NOT NULL REFERENCES users(id),
    content_json   TEXT NOT NULL,
    channels_json  TEXT NOT NULL,
    schedule_json  TEXT,
    campaign       TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (post_id, number)
);

CREATE TABLE post_channels (
    post_id         INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL REFERENCES channels(id),
    due_at          TEXT,
    delivery_state  TEXT NOT NULL DEFAULT 'pending',
    remote_id       TEXT,
    remote_url      TEXT,
    last_error      TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, channel_id)
);
CREATE INDEX post_channels_by_channel_due ON post_channels (channel_id, due_at);

CREATE TABLE approvals (
    post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    revision    INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL CHECK (kind IN ('comment', 'approval', 'changes_requested')),
    body        TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX comments_by_post ON comments (post_id, id);

CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    post_id       INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    actor_id      INTEGER REFERENCES users(id),
    created_at    TEXT NOT NULL,
    read_at       TEXT
);
CREATE INDEX notifications_by_user ON notifications (user_id, id);

CREATE INDEX audit_log_by_subject ON audit_log (workspace_id, subject, id);

-- The audit log is append-only: nothing may rewrite or remove history.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

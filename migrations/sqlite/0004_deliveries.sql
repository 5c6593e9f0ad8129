-- Deliveries: each (post, channel) target row is also the job that
-- publishes it (see the delivery life cycle in src/domain/delivery.rs).
-- 'pending' means its post is not approved for its current revision;
-- 'scheduled' rows name the revision that was approved.

-- Which revision this delivery publishes: set when the post is scheduled.
ALTER TABLE post_channels ADD COLUMN revision BIGINT;
-- When a retry may start (RETRY_WAIT); NULL means at due_at.
ALTER TABLE post_channels ADD COLUMN next_attempt_at TEXT;
-- The lease of the worker that claimed it, and the fencing token: bumped
-- by every claim and by every change a person makes, so a worker holding
-- an older token can change nothing.
ALTER TABLE post_channels ADD COLUMN lease_owner TEXT;
ALTER TABLE post_channels ADD COLUMN lease_until TEXT;
ALTER TABLE post_channels ADD COLUMN fence BIGINT NOT NULL DEFAULT 0;
-- What a multi-step publish already created (resumed after a crash).
ALTER TABLE post_channels ADD COLUMN progress_json TEXT;
ALTER TABLE post_channels ADD COLUMN updated_at TEXT;

CREATE INDEX post_channels_due ON post_channels (delivery_state, due_at);

-- One row per attempt, committed before the request is sent (the intent),
-- finished with its outcome. Never deleted: the delivery's timeline.
CREATE TABLE delivery_attempts (
    id               INTEGER PRIMARY KEY,
    post_id          BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    channel_id       BIGINT NOT NULL REFERENCES channels(id),
    number           BIGINT NOT NULL,
    fence            BIGINT NOT NULL,
    revision         BIGINT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    request_json     TEXT NOT NULL,
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    outcome          TEXT,
    error            TEXT,
    remote_id        TEXT,
    UNIQUE (post_id, channel_id, number)
);

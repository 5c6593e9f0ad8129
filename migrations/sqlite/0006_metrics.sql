-- Reach collection and reports.
--
-- metric_tracks: one row per published delivery that has a remote id: when
-- its next snapshot is due (claimed under a lease with a fencing token, as
-- deliveries are, so two processes never collect the same slot), why the
-- last collection failed, and its latest figures, which reports read
-- instead of searching every snapshot for each delivery's newest.
--
-- Figures are BIGINT NULL: NULL means the platform does not provide it,
-- never 0. Times used for report ranges and growth buckets are also kept
-- as epoch seconds (`*_s`), so both backends group them with integer
-- arithmetic.
CREATE TABLE metric_tracks (
    post_id        BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    channel_id     BIGINT NOT NULL REFERENCES channels(id),
    workspace_id   BIGINT NOT NULL REFERENCES workspaces(id),
    platform       TEXT NOT NULL,
    remote_id      TEXT NOT NULL,
    -- The platform's further ids (WeChat's msg_data_id keys its analytics).
    remote_extra_json TEXT,
    published_at   TEXT NOT NULL,
    published_s    BIGINT NOT NULL,
    -- The post's label and campaign tag as published (a published post's
    -- content no longer changes), so reports need not parse its content.
    title          TEXT NOT NULL DEFAULT '',
    campaign       TEXT,
    -- The schedule slot the next snapshot fills; next_at NULL: finished.
    next_slot      BIGINT NOT NULL DEFAULT 0,
    next_at        TEXT,
    lease_owner    TEXT,
    lease_until    TEXT,
    fence          BIGINT NOT NULL DEFAULT 0,
    -- Failed tries of the current slot.
    failures       BIGINT NOT NULL DEFAULT 0,
    last_error     TEXT,
    last_error_at  TEXT,
    collected_at   TEXT,
    snapshots      BIGINT NOT NULL DEFAULT 0,
    views          BIGINT,
    reach          BIGINT,
    reactions      BIGINT,
    comments       BIGINT,
    shares         BIGINT,
    link_clicks    BIGINT,
    saves          BIGINT,
    -- The platform's metric names behind the figures, a JSON array in
    -- views, reach, reactions, comments, shares, link_clicks, saves order.
    sources_json   TEXT,
    PRIMARY KEY (post_id, channel_id)
);
CREATE INDEX metric_tracks_due ON metric_tracks (next_at);
CREATE INDEX metric_tracks_report ON metric_tracks (workspace_id, published_s);

-- Every snapshot taken, never updated: the platform's payload as received,
-- the normalized figures, and what each figure gained since the
-- delivery's previous snapshot (growth charts sum gains per quarter hour
-- instead of finding each delivery's value at each moment).
CREATE TABLE metric_snapshots (
    id             INTEGER PRIMARY KEY,
    workspace_id   BIGINT NOT NULL REFERENCES workspaces(id),
    post_id        BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    channel_id     BIGINT NOT NULL REFERENCES channels(id),
    platform       TEXT NOT NULL,
    slot           BIGINT NOT NULL,
    collected_at   TEXT NOT NULL,
    collected_s    BIGINT NOT NULL,
    published_s    BIGINT NOT NULL,
    views          BIGINT,
    reach          BIGINT,
    reactions      BIGINT,
    comments       BIGINT,
    shares         BIGINT,
    link_clicks    BIGINT,
    saves          BIGINT,
    views_gain        BIGINT,
    reach_gain        BIGINT,
    reactions_gain    BIGINT,
    comments_gain     BIGINT,
    shares_gain       BIGINT,
    link_clicks_gain  BIGINT,
    saves_gain        BIGINT,
    sources_json   TEXT,
    raw_json       TEXT NOT NULL,
    -- One snapshot per slot, whoever collects it and however often a
    -- collection is retried.
    UNIQUE (post_id, channel_id, slot)
);
CREATE INDEX metric_snapshots_report ON metric_snapshots (workspace_id, published_s);

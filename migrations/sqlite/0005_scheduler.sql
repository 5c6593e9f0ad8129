-- The scheduler: what a publish left to follow up, how many attempts a
-- person's "publish it now" started from, and a lease on refreshing a
-- channel's tokens so two processes never spend one single-use refresh
-- token.

-- The platform's further ids of a published post (thread ids, WeChat
-- publish_id, ...), as JSON; metrics and follow-ups need them.
ALTER TABLE post_channels ADD COLUMN remote_extra_json TEXT;
-- When the platform answered "accepted"; reach is measured from here.
ALTER TABLE post_channels ADD COLUMN published_at TEXT;
-- A publish the platform still processes (WeChat): when to look again.
ALTER TABLE post_channels ADD COLUMN followup_at TEXT;
-- Attempts made before a person last asked to publish again: the retry
-- budget counts from here.
ALTER TABLE post_channels ADD COLUMN attempt_base BIGINT NOT NULL DEFAULT 0;

CREATE INDEX post_channels_followup ON post_channels (followup_at);

-- One process at a time refreshes a channel's tokens.
ALTER TABLE channels ADD COLUMN refresh_owner TEXT;
ALTER TABLE channels ADD COLUMN refresh_until TEXT;

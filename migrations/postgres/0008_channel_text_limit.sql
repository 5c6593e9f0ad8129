-- A channel whose server sets its own limit for a post's text (a Mastodon
-- instance can allow more than 500 characters) keeps it here, read when the
-- channel is connected, so the composer counts against the real limit.
-- NULL means the platform's usual limit.
ALTER TABLE channels ADD COLUMN text_limit BIGINT;

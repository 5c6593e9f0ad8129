-- Channel connections: the account a channel publishes as, its credentials
-- (encrypted by the application: "v1.<key id>.<sealed>", never plaintext),
-- where its platform API lives, its egress proxy, and its health.

ALTER TABLE channels ADD COLUMN account_id TEXT;
ALTER TABLE channels ADD COLUMN account_name TEXT;
ALTER TABLE channels ADD COLUMN credentials TEXT;
-- Bumped on every credential write: a rotated token is saved with
-- compare-and-swap, so two processes refreshing at once cannot overwrite
-- each other's single-use refresh token.
ALTER TABLE channels ADD COLUMN credentials_version BIGINT NOT NULL DEFAULT 0;
-- NULL means the platform's real endpoints.
ALTER TABLE channels ADD COLUMN api_base TEXT;
ALTER TABLE channels ADD COLUMN auth_base TEXT;
ALTER TABLE channels ADD COLUMN proxy TEXT;
ALTER TABLE channels ADD COLUMN auth_status TEXT NOT NULL DEFAULT 'not_connected'
    CHECK (auth_status IN ('not_connected', 'connected', 'reconnect'));
ALTER TABLE channels ADD COLUMN token_expires_at TIMESTAMPTZ;
ALTER TABLE channels ADD COLUMN connected_at TIMESTAMPTZ;
ALTER TABLE channels ADD COLUMN last_success_at TIMESTAMPTZ;
ALTER TABLE channels ADD COLUMN last_error TEXT;
ALTER TABLE channels ADD COLUMN last_error_at TIMESTAMPTZ;

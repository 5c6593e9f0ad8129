-- The scheduler's claim takes the earliest due deliveries first. Ordered by
-- this index it reads only as many rows as it claims, instead of sorting
-- every due delivery on every claim (thousands at once when a campaign
-- goes out). Partial: only deliveries waiting to be sent are in it.
CREATE INDEX post_channels_claimable
    ON post_channels ((COALESCE(next_attempt_at, due_at)), post_id, channel_id)
    WHERE delivery_state IN ('scheduled', 'retry_wait');

-- FCM registration tokens. A token belongs to one user at a time; tokens not seen for a while
-- are pruned by a scheduled job.
CREATE TABLE devices (
    fcm_token    text PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    platform     text        NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
    app_version  text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_user_id ON devices (user_id);
CREATE INDEX devices_last_seen_at ON devices (last_seen_at);

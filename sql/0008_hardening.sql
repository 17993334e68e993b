-- Removals are read by every instance every second (auth.revocation_poll_ms): keep that read
-- on the few rows that were removed at all.
CREATE INDEX users_removed_at ON users (removed_at) WHERE removed_at IS NOT NULL;

-- Who sent a report, when the app was signed in (reports are rate-limited per account too).
ALTER TABLE client_errors ADD COLUMN user_id bigint;

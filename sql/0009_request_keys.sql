-- Idempotency-Key for every creating POST: the key is taken and the answer stored in the
-- transaction that makes the change, so a retry gets the first answer, never a second change.
CREATE TABLE request_keys (
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key        text        NOT NULL CHECK (length(key) BETWEEN 1 AND 100),
    digest     text        NOT NULL,
    answer     jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX request_keys_created_at ON request_keys (created_at);

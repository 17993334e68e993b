-- The notification center: one event row per recipient, written in the transaction of the
-- change it reports. Each recipient's events are numbered 1, 2, 3 … in commit order: the
-- number comes from the recipient's counter row, which stays locked until commit, so a
-- later number can never become visible before an earlier one.
CREATE TABLE event_counters (
    user_id        bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    last_seq       bigint NOT NULL DEFAULT 0,
    -- Everything up to here the user has read.
    read_seq       bigint NOT NULL DEFAULT 0,
    -- Everything up to here may have been deleted by retention: a client resuming from
    -- before it has to reload instead of replaying.
    pruned_through bigint NOT NULL DEFAULT 0
);

CREATE TABLE events (
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq        bigint      NOT NULL,
    type       text        NOT NULL,
    payload    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, seq)
);
CREATE INDEX events_created_at ON events (created_at);

-- Pushes owed for events, one row per device: written with the event, sent by whichever
-- instance claims the row first (SKIP LOCKED), deleted once sent or given up.
CREATE TABLE push_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint      NOT NULL,
    seq             bigint      NOT NULL,
    fcm_token       text        NOT NULL REFERENCES devices (fcm_token) ON DELETE CASCADE,
    type            text        NOT NULL,
    title           text        NOT NULL,
    body            text        NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (user_id, seq) REFERENCES events (user_id, seq) ON DELETE CASCADE
);
CREATE INDEX push_outbox_due ON push_outbox (next_attempt_at);
CREATE INDEX push_outbox_event ON push_outbox (user_id, seq);

-- Periodic jobs that must run once per period across all instances claim their run here.
CREATE TABLE scheduled_runs (
    name        text PRIMARY KEY,
    last_run_at timestamptz NOT NULL
);

-- Calls between members of one family: one row per call, one per party (the caller and up
-- to three others: a mesh). The server keeps the state; the apps only ask for changes.
CREATE TABLE calls (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Orders the family's call list (the cursor); ids are random.
    seq         bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    family_id   bigint      NOT NULL REFERENCES families (id),
    caller_id   bigint      NOT NULL REFERENCES users (id),
    media       text        NOT NULL CHECK (media IN ('audio', 'video')),
    state       text        NOT NULL CHECK (state IN
                    ('ringing', 'accepted', 'ended', 'rejected', 'cancelled', 'missed', 'busy')),
    end_reason  text        CHECK (end_reason IN ('hang_up', 'connection_lost', 'failed_media')),
    -- Raised by every change; Redis's live copy of the call ignores older ones.
    version     bigint      NOT NULL DEFAULT 1,
    -- While some party is still being rung: when they count as missed.
    ring_until  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    answered_at timestamptz,
    ended_at    timestamptz,
    CHECK ((state = 'ended') = (end_reason IS NOT NULL))
);
CREATE INDEX calls_family_recent ON calls (family_id, seq DESC);
CREATE INDEX calls_ring_until ON calls (ring_until) WHERE ring_until IS NOT NULL;

CREATE TABLE call_parties (
    call_id       uuid        NOT NULL REFERENCES calls (id),
    user_id       bigint      NOT NULL REFERENCES users (id),
    state         text        NOT NULL CHECK (state IN
                      ('ringing', 'joined', 'declined', 'missed', 'left', 'busy', 'cancelled')),
    -- The device in the call while joined: its WebSocket connection and instance.
    connection_id text,
    instance_id   text,
    -- When that connection dropped; the party leaves after calls.reconnect_grace_s.
    lost_at       timestamptz,
    joined_at     timestamptz,
    left_at       timestamptz,
    PRIMARY KEY (call_id, user_id)
);
CREATE INDEX call_parties_active ON call_parties (user_id) WHERE state IN ('ringing', 'joined');
CREATE INDEX call_parties_joined ON call_parties (instance_id) WHERE state = 'joined';
CREATE INDEX call_parties_lost ON call_parties (lost_at) WHERE lost_at IS NOT NULL;

-- A missed call shows in the family chat room: a message of its own kind, written by the
-- caller, whose client_id is the call's id (so it is written once).
ALTER TABLE chat_messages ADD COLUMN kind text NOT NULL DEFAULT 'text'
    CHECK (kind IN ('text', 'missed_call'));

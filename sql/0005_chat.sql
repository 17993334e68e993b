-- Family chat. Every family has one family room; any two members of a family share one
-- direct room, made on first use. Message ids count 1, 2, 3 … within a room in commit
-- order (the room row is locked while one is taken), so paging by id never skips a
-- message that commits late.
CREATE TABLE chat_rooms (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    family_id  bigint      NOT NULL REFERENCES families (id),
    kind       text        NOT NULL CHECK (kind IN ('family', 'direct')),
    -- A direct room's two members, the smaller id first.
    member_a   bigint REFERENCES users (id),
    member_b   bigint REFERENCES users (id),
    last_id    bigint      NOT NULL DEFAULT 0,
    last_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'family' AND member_a IS NULL AND member_b IS NULL)
        OR (kind = 'direct' AND member_a < member_b))
);
CREATE UNIQUE INDEX chat_rooms_one_family_room ON chat_rooms (family_id) WHERE kind = 'family';
CREATE UNIQUE INDEX chat_rooms_one_per_pair ON chat_rooms (member_a, member_b) WHERE kind = 'direct';
CREATE INDEX chat_rooms_member_b ON chat_rooms (member_b) WHERE kind = 'direct';

CREATE TABLE chat_messages (
    room_id    bigint      NOT NULL REFERENCES chat_rooms (id),
    id         bigint      NOT NULL,
    author_id  bigint      NOT NULL REFERENCES users (id),
    client_id  uuid        NOT NULL,
    body       text,        -- NULL once deleted (a tombstone keeps its place)
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    PRIMARY KEY (room_id, id),
    -- A retried send finds the message it already stored.
    UNIQUE (author_id, client_id)
);

-- How far each member has read each room; it only moves forward.
CREATE TABLE chat_reads (
    room_id      bigint NOT NULL REFERENCES chat_rooms (id),
    user_id      bigint NOT NULL REFERENCES users (id),
    last_read_id bigint NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

-- Families that exist already get their room.
INSERT INTO chat_rooms (family_id, kind) SELECT id, 'family' FROM families;

-- A family's time zone, and reservations: missions planned ahead, once or repeating, that
-- become ordinary assigned missions when their time comes.
ALTER TABLE families ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Seoul';

CREATE TABLE reservations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    family_id       bigint      NOT NULL REFERENCES families (id),
    child_id        bigint      NOT NULL REFERENCES users (id),
    created_by      bigint      NOT NULL REFERENCES users (id),
    -- The template of every mission made from it.
    title           text        NOT NULL,
    description     text        NOT NULL DEFAULT '',
    tag             text,
    reward          integer     NOT NULL CHECK (reward >= 1),
    due_minutes     integer     CHECK (due_minutes BETWEEN 1 AND 43200),
    -- When, in the family's local time (families.time_zone).
    starts_on       date        NOT NULL,
    at_time         time(0)     NOT NULL,
    repeat_every    text        NOT NULL DEFAULT 'once'
                    CHECK (repeat_every IN ('once', 'day', 'week', 'month')),
    repeat_interval integer     NOT NULL DEFAULT 1 CHECK (repeat_interval BETWEEN 1 AND 99),
    weekdays        smallint    NOT NULL DEFAULT 0 CHECK (weekdays BETWEEN 0 AND 127),
    month_day       smallint    NOT NULL DEFAULT 0 CHECK (month_day BETWEEN 0 AND 31),
    repeat_until    date,
    repeat_count    integer     CHECK (repeat_count BETWEEN 1 AND 1000),
    paused_at       timestamptz,
    -- Occurrences at or before cursor_at are done with (made, missed, or before the
    -- reservation existed or was resumed); next_at is the next one to make, NULL when the
    -- repeat has ended. The activation job claims rows by next_at.
    cursor_at       timestamptz NOT NULL,
    next_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX reservations_family ON reservations (family_id, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX reservations_due ON reservations (next_at)
    WHERE next_at IS NOT NULL AND paused_at IS NULL AND deleted_at IS NULL;

-- What happened to an occurrence, or what a parent decided for it ahead (skipped, moved).
-- The primary key is the occurrence's identity (the rule's date: at most one a day), and
-- with the unique mission_id the database's word that an occurrence becomes one mission.
CREATE TABLE reservation_occurrences (
    reservation_id bigint      NOT NULL REFERENCES reservations (id),
    on_date        date        NOT NULL,
    state          text        NOT NULL CHECK (state IN ('activated', 'missed', 'skipped', 'moved')),
    moved_to       timestamp(0),  -- local time, where a moved occurrence happens instead
    mission_id     bigint      UNIQUE REFERENCES missions (id),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (reservation_id, on_date),
    CHECK ((state = 'activated') = (mission_id IS NOT NULL)),
    CHECK (state <> 'moved' OR moved_to IS NOT NULL)
);
CREATE INDEX reservation_occurrences_moved ON reservation_occurrences (reservation_id)
    WHERE state = 'moved';

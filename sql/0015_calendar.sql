-- Family events on the calendar, and each member's secret iCalendar feed.
CREATE TABLE family_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    family_id       bigint      NOT NULL REFERENCES families (id),
    created_by      bigint      NOT NULL REFERENCES users (id),
    title           text        NOT NULL,
    note            text        NOT NULL DEFAULT '',
    location        text,
    all_day         boolean     NOT NULL DEFAULT false,
    -- The first occurrence, in the family's local time (families.time_zone); ends_at is
    -- exclusive (an all-day event ends at the midnight after its last day).
    starts_at       timestamp(0) NOT NULL,
    ends_at         timestamp(0) NOT NULL CHECK (ends_at > starts_at),
    repeat_every    text        NOT NULL DEFAULT 'once'
                    CHECK (repeat_every IN ('once', 'day', 'week', 'month')),
    repeat_interval integer     NOT NULL DEFAULT 1 CHECK (repeat_interval BETWEEN 1 AND 99),
    weekdays        smallint    NOT NULL DEFAULT 0 CHECK (weekdays BETWEEN 0 AND 127),
    month_day       smallint    NOT NULL DEFAULT 0 CHECK (month_day BETWEEN 0 AND 31),
    repeat_until    date,
    repeat_count    integer     CHECK (repeat_count BETWEEN 1 AND 1000),
    -- Who it is for; empty: the whole family.
    member_ids      bigint[]    NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX family_events_family ON family_events (family_id, id) WHERE deleted_at IS NULL;

-- One feed per member: the token is random, only its SHA-256 is kept; asking again replaces
-- it, so the old URL stops working.
CREATE TABLE calendar_feeds (
    user_id    bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash text        NOT NULL UNIQUE,  -- hex SHA-256
    created_at timestamptz NOT NULL DEFAULT now()
);

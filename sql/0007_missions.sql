-- Missions a parent gives a child, the grape boards they fill, and the grape ledger that
-- is the only source of a child's grapes.
CREATE TABLE missions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    family_id        bigint      NOT NULL REFERENCES families (id),
    child_id         bigint      NOT NULL REFERENCES users (id),
    created_by       bigint      NOT NULL REFERENCES users (id),
    title            text        NOT NULL,
    description      text        NOT NULL DEFAULT '',
    tag              text,
    reward           integer     NOT NULL CHECK (reward >= 1),
    due_at           timestamptz,
    status           text        NOT NULL DEFAULT 'assigned'
                     CHECK (status IN ('assigned', 'submitted', 'approved', 'rejected', 'expired')),
    note             text,        -- the child's, with the last submission
    rejection_reason text,        -- the parent's, with the last rejection
    decided_by       bigint REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    submitted_at     timestamptz,
    decided_at       timestamptz,
    deleted_at       timestamptz
);
CREATE INDEX missions_family ON missions (family_id, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX missions_child ON missions (child_id, id DESC) WHERE deleted_at IS NULL;
-- What the expiry job looks at: assigned missions with a due time.
CREATE INDEX missions_due ON missions (due_at)
    WHERE status = 'assigned' AND due_at IS NOT NULL AND deleted_at IS NULL;

-- A child's boards, one open at a time. `attached` counts the grapes the child stuck on
-- the bunch; the rest of the balance waits for them. A redeemed board is the record of
-- the redemption: when, by whom, which gift (its name kept as it was).
CREATE TABLE grape_boards (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    child_id     bigint      NOT NULL REFERENCES users (id),
    family_id    bigint      NOT NULL REFERENCES families (id),
    number       integer     NOT NULL,  -- 1, 2, 3 … per child
    goal         integer     NOT NULL DEFAULT 31 CHECK (goal BETWEEN 5 AND 100),
    wish_item_id bigint REFERENCES wishlist_items (id),
    attached     integer     NOT NULL DEFAULT 0 CHECK (attached BETWEEN 0 AND goal),
    started_at   timestamptz NOT NULL DEFAULT now(),
    redeemed_at  timestamptz,
    redeemed_by  bigint REFERENCES users (id),
    gift_name    text,
    carried_over integer,
    UNIQUE (child_id, number)
);
CREATE UNIQUE INDEX grape_boards_one_open ON grape_boards (child_id) WHERE redeemed_at IS NULL;

-- Append-only. Every change of a child's grapes is a row here, written while the child's
-- open board is locked, so `balance` (the sum of the child's amounts up to and including
-- this row) is exact and can never go below zero.
CREATE TABLE grape_ledger (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    child_id        bigint      NOT NULL REFERENCES users (id),
    family_id       bigint      NOT NULL REFERENCES families (id),
    kind            text        NOT NULL CHECK (kind IN ('mission', 'award', 'correction',
                                                         'redemption')),
    amount          integer     NOT NULL CHECK (amount <> 0),
    balance         integer     NOT NULL CHECK (balance >= 0),
    -- A mission pays once, a board is redeemed once: the database says so.
    mission_id      bigint UNIQUE REFERENCES missions (id),
    board_id        bigint UNIQUE REFERENCES grape_boards (id),
    reason          text,
    created_by      bigint REFERENCES users (id),
    idempotency_key text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (child_id, idempotency_key),
    CHECK ((kind = 'mission') = (mission_id IS NOT NULL)),
    CHECK ((kind = 'redemption') = (board_id IS NOT NULL))
);
CREATE INDEX grape_ledger_child ON grape_ledger (child_id, id DESC);

CREATE FUNCTION grape_ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'grape_ledger is append-only: add a correction instead';
END;
$$;
CREATE TRIGGER grape_ledger_append_only BEFORE UPDATE OR DELETE ON grape_ledger
    FOR EACH ROW EXECUTE FUNCTION grape_ledger_is_append_only();

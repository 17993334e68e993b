-- Ideas a model wrote, after they passed the server's checks (src/ideas/idea_checks.cpp).
-- Redis pools hold them for answering; this table is what an idea's id ("gen-<id>") names,
-- so a parent can still assign an idea after its pool was evicted or Redis restarted.
-- The same title for the same tag and band is one row: a model repeating itself adds nothing.
CREATE TABLE generated_ideas (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tag_key     text    NOT NULL CHECK (char_length(tag_key) BETWEEN 1 AND 40),
    tag_label   text    NOT NULL CHECK (char_length(tag_label) BETWEEN 1 AND 20),
    age_band    text    NOT NULL CHECK (age_band IN ('3-6', '7-9', '10-13')),
    title       text    NOT NULL CHECK (char_length(title) BETWEEN 2 AND 40),
    description text    NOT NULL CHECK (char_length(description) BETWEEN 1 AND 200),
    reward      integer NOT NULL CHECK (reward BETWEEN 1 AND 10),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tag_key, age_band, title)
);

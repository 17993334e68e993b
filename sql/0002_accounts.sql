-- Families, their members, and the refresh tokens that keep members signed in.
CREATE TABLE families (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    family_id     bigint      NOT NULL REFERENCES families (id),
    role          text        NOT NULL CHECK (role IN ('parent', 'child')),
    email         citext UNIQUE,
    login         citext UNIQUE,
    display_name  text        NOT NULL,
    avatar_color  text        NOT NULL,
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    removed_at    timestamptz,
    -- Parents sign in with an email, children with a login name.
    CHECK (email IS NOT NULL OR login IS NOT NULL)
);
CREATE INDEX users_family_id ON users (family_id);

-- Refresh tokens are stored hashed. Every rotation adds a row to the same chain; presenting
-- a token that was already rotated revokes the whole chain (it was stolen, or replayed).
CREATE TABLE refresh_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    chain      uuid        NOT NULL,
    token_hash bytea       NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    rotated_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_chain ON refresh_tokens (chain);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);

-- "Log out everywhere": every access token carries the generation of its user's sessions
-- (claim "gen"); ending them all raises the generation, so tokens issued before are refused
-- while a sign-in a moment later (even within the same second) works. sessions_ended_at
-- lets every instance read recent raises like recent removals.
ALTER TABLE users
    ADD COLUMN session_generation bigint NOT NULL DEFAULT 0,
    ADD COLUMN sessions_ended_at timestamptz;
CREATE INDEX users_sessions_ended_at ON users (sessions_ended_at)
    WHERE sessions_ended_at IS NOT NULL;

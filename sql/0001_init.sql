-- Extensions the schema relies on (both are trusted: a database owner may create them).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS citext;

-- Error reports sent by the apps (POST /api/v1/client-errors).
CREATE TABLE client_errors (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform    text        NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
    app_version text        NOT NULL,
    message     text        NOT NULL,
    stack       text,
    screen      text,
    request_id  text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_errors_received_at ON client_errors (received_at);

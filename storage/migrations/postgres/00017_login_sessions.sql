-- +goose Up
-- Mirrors sqlite/00017_login_sessions.sql.
-- depositctl login sessions (decision 46).
--
-- The database's identity: a random value made once, when this migration
-- runs, that names the database to the CLI's session files, so a session
-- made for one database is never presented to another. (The store adds
-- current_database(): a database created from another as its template
-- copies this row.)
CREATE TABLE database_identity (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value TEXT NOT NULL
);
INSERT INTO database_identity (id, value) VALUES (1, replace(gen_random_uuid()::text, '-', ''));

-- An operator's security stamp: the store adds one to it whenever the
-- operator's password, permissions or disabled flag change, which ends
-- every session made before.
ALTER TABLE operators ADD COLUMN security_stamp BIGINT NOT NULL DEFAULT 0;

-- A session holds only the SHA-256 of its secret (hex); the secret is in
-- the operator's session file and nowhere else. An operator removed takes
-- their sessions along.
CREATE TABLE sessions (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operator_id    BIGINT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    token_hash     TEXT NOT NULL UNIQUE,
    security_stamp BIGINT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_operator ON sessions (operator_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- The application role (00010) was granted the tables of its day; these
-- are new. Without the role (no CREATEROLE then) there is nothing to grant.
-- +goose StatementBegin
DO $$
BEGIN
    GRANT SELECT ON database_identity TO depositdesk_app;
    GRANT SELECT, INSERT, DELETE ON sessions TO depositdesk_app;
    GRANT USAGE, SELECT ON SEQUENCE sessions_id_seq TO depositdesk_app;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'sessions not granted to depositdesk_app: %', SQLERRM;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE sessions;
ALTER TABLE operators DROP COLUMN security_stamp;
DROP TABLE database_identity;

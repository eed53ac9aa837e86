-- +goose Up
-- depositctl login sessions (decision 46).
--
-- The database's identity: a random value made once, when this migration
-- runs, that names the database to the CLI's session files, so a session
-- made for one database is never presented to another.
CREATE TABLE database_identity (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value TEXT NOT NULL
);
INSERT INTO database_identity (id, value) VALUES (1, lower(hex(randomblob(16))));

-- An operator's security stamp: the store adds one to it whenever the
-- operator's password, permissions or disabled flag change, which ends
-- every session made before.
ALTER TABLE operators ADD COLUMN security_stamp INTEGER NOT NULL DEFAULT 0;

-- A session holds only the SHA-256 of its secret (hex); the secret is in
-- the operator's session file and nowhere else. An operator removed takes
-- their sessions along.
CREATE TABLE sessions (
    id             INTEGER PRIMARY KEY,
    operator_id    INTEGER NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    token_hash     TEXT NOT NULL UNIQUE,
    security_stamp INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);
CREATE INDEX sessions_operator ON sessions (operator_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
ALTER TABLE operators DROP COLUMN security_stamp;
DROP TABLE database_identity;

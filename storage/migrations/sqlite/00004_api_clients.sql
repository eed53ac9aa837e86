-- +goose Up
-- Client systems that call the HTTP API. Only the SHA-256 of a token is kept.
CREATE TABLE api_clients (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    token_hash TEXT NOT NULL UNIQUE,
    scopes     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE api_clients;

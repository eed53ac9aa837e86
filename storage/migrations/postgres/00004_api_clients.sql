-- +goose Up
-- Client systems that call the HTTP API. Only the SHA-256 of a token is kept.
CREATE TABLE api_clients (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX api_clients_name ON api_clients (lower(name));

-- +goose Down
DROP TABLE api_clients;

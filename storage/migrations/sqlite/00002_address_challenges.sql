-- +goose Up
CREATE TABLE address_challenges (
    id         INTEGER PRIMARY KEY,
    address_id INTEGER NOT NULL REFERENCES wallet_addresses (id),
    message    TEXT NOT NULL,
    nonce      TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX address_challenges_address ON address_challenges (address_id, id);

-- +goose Down
DROP TABLE address_challenges;

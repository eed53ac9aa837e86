-- +goose Up
CREATE TABLE address_challenges (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address_id BIGINT NOT NULL REFERENCES wallet_addresses (id),
    message    TEXT NOT NULL,
    nonce      TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX address_challenges_address ON address_challenges (address_id, id);

-- +goose Down
DROP TABLE address_challenges;

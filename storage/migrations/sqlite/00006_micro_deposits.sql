-- +goose Up
-- A "Satoshi test": the customer proves control of an address by sending an
-- exact odd amount from it to their deposit address before expires_at.
CREATE TABLE micro_deposits (
    id              INTEGER PRIMARY KEY,
    address_id      INTEGER NOT NULL REFERENCES wallet_addresses (id),
    asset_id        INTEGER NOT NULL REFERENCES assets (id),
    amount          TEXT NOT NULL,
    deposit_address TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    txid            TEXT NOT NULL DEFAULT '',
    used_at         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX micro_deposits_address ON micro_deposits (address_id, id);
-- One transaction proves one address once.
CREATE UNIQUE INDEX micro_deposits_txid ON micro_deposits (txid) WHERE txid <> '';

-- +goose Down
DROP TABLE micro_deposits;

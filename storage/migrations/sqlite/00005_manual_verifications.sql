-- +goose Up
-- Documentary evidence one operator submitted for a Pending address. It
-- verifies the address only when a second operator approves it (maker-checker).
CREATE TABLE manual_verifications (
    address_id   INTEGER NOT NULL PRIMARY KEY REFERENCES wallet_addresses (id),
    evidence     TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE manual_verifications;

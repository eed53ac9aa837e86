-- +goose Up
-- A customer's deposit address under one account key: every asset sharing
-- the key (ETH and its ERC-20 tokens on one network) shares the address.
CREATE TABLE deposit_addresses (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    chain        TEXT NOT NULL,
    network      TEXT NOT NULL,
    account_xpub TEXT NOT NULL,
    key_index    INTEGER NOT NULL CHECK (key_index >= 0),
    address      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (customer_id, account_xpub),
    UNIQUE (account_xpub, key_index),
    UNIQUE (network, address)
);

-- What a transaction spent, kept when the watcher first sees it so that a
-- replacement can be recognised after the transaction vanished.
ALTER TABLE deposits ADD COLUMN chain_spends TEXT NOT NULL DEFAULT '';
-- The watcher's working set: records with a TXID the chain has not settled.
CREATE INDEX deposits_watch ON deposits (network, id)
    WHERE txid IS NOT NULL AND status IN ('verifying_address', 'confirming');

-- The last blocks each network's watcher processed, to notice a reorg (the
-- node's block at a height no longer has the hash seen) even across restarts.
CREATE TABLE watched_blocks (
    network     TEXT NOT NULL,
    height      INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    parent_hash TEXT NOT NULL,
    PRIMARY KEY (network, height)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE watched_blocks;
DROP INDEX deposits_watch;
ALTER TABLE deposits DROP COLUMN chain_spends;
DROP TABLE deposit_addresses;

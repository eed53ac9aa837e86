-- +goose Up
-- A network is the pair (chain, name): Bitcoin and Ethereum both have a
-- "mainnet". The watcher's remembered blocks are keyed by the pair. The old
-- rows cannot be told apart by name alone, and they are only what the
-- watcher remembers to notice a reorg: they are dropped, and each watcher's
-- next pass starts at its node's tip and looks every open record up once.
DROP TABLE watched_blocks;
CREATE TABLE watched_blocks (
    chain       TEXT NOT NULL,
    network     TEXT NOT NULL,
    height      BIGINT NOT NULL,
    hash        TEXT NOT NULL,
    parent_hash TEXT NOT NULL,
    PRIMARY KEY (chain, network, height)
);
-- An asset's node is the one configured for its network; a free-text
-- reference to a node named nowhere is gone.
ALTER TABLE assets DROP COLUMN rpc_endpoint_ref;

-- +goose Down
ALTER TABLE assets ADD COLUMN rpc_endpoint_ref TEXT NOT NULL DEFAULT '';
DROP TABLE watched_blocks;
CREATE TABLE watched_blocks (
    network     TEXT NOT NULL,
    height      BIGINT NOT NULL,
    hash        TEXT NOT NULL,
    parent_hash TEXT NOT NULL,
    PRIMARY KEY (network, height)
);

-- +goose Up
-- Prefix search (decision 42): the searched text columns compare bytewise
-- (COLLATE "C") whatever the database's locale, as SQLite compares them,
-- so the values starting with a prefix are one range of their index. Under
-- a linguistic collation dashes weigh nothing and "C-1" sorts among "C1…".
-- Only the collation changes: no table rewrite, the indexes on these
-- columns are rebuilt.
ALTER TABLE deposits
    ALTER COLUMN record_no TYPE TEXT COLLATE "C",
    ALTER COLUMN customer_no TYPE TEXT COLLATE "C",
    ALTER COLUMN securities_account TYPE TEXT COLLATE "C",
    ALTER COLUMN txid TYPE TEXT COLLATE "C";
-- A hash prefix arrives as bare hex; Ethereum hashes are stored 0x-prefixed,
-- so the range is over the last 64 characters, as in SQLite.
CREATE INDEX deposits_txid_hex ON deposits (right(txid, 64), created_at, id) WHERE txid IS NOT NULL;
-- Records can be searched newest first by request time as well as by
-- creation: each search index of 00001 gets a twin ending in
-- (requested_at, id), so either order is read off an index in order.
CREATE INDEX deposits_requested ON deposits (requested_at, id);
CREATE INDEX deposits_customer_requested ON deposits (customer_no, requested_at, id);
CREATE INDEX deposits_account_requested ON deposits (securities_account, requested_at, id);
CREATE INDEX deposits_status_asset_requested ON deposits (status, asset_id, requested_at, id);
CREATE INDEX deposits_status_requested ON deposits (status, requested_at, id);
CREATE INDEX deposits_asset_requested ON deposits (asset_id, requested_at, id);

-- +goose Down
DROP INDEX deposits_asset_requested;
DROP INDEX deposits_status_requested;
DROP INDEX deposits_status_asset_requested;
DROP INDEX deposits_account_requested;
DROP INDEX deposits_customer_requested;
DROP INDEX deposits_requested;
DROP INDEX deposits_txid_hex;
ALTER TABLE deposits
    ALTER COLUMN record_no TYPE TEXT COLLATE "default",
    ALTER COLUMN customer_no TYPE TEXT COLLATE "default",
    ALTER COLUMN securities_account TYPE TEXT COLLATE "default",
    ALTER COLUMN txid TYPE TEXT COLLATE "default";

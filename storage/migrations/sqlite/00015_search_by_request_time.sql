-- +goose Up
-- Records can be searched newest first by request time (the Request Time
-- column) as well as by creation. Each search index of 00001 gets a twin
-- ending in (requested_at, id), so a search in either order reads one
-- index in order and stops after a page (docs/storage.md). The hash index
-- has none: a hash names a handful of records, sorted in no time.
-- Prefix searches use the existing indexes: SQLite compares text
-- bytewise, so a prefix is a range of them.
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

-- +goose Up
-- Times are unix microseconds (UTC); amounts are decimal integers in TEXT.

CREATE TABLE operators (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash       TEXT NOT NULL,
    permissions         TEXT NOT NULL DEFAULT '',
    disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);

CREATE TABLE assets (
    id                     INTEGER PRIMARY KEY,
    chain                  TEXT NOT NULL CHECK (chain IN ('bitcoin', 'ethereum')),
    network                TEXT NOT NULL,
    symbol                 TEXT NOT NULL,
    name                   TEXT NOT NULL DEFAULT '',
    contract_address       TEXT NOT NULL DEFAULT '',
    decimals               INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 36),
    min_deposit            TEXT NOT NULL,
    confirmations_required INTEGER NOT NULL CHECK (confirmations_required >= 1),
    enabled                INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    account_xpub           TEXT NOT NULL DEFAULT '',
    rpc_endpoint_ref       TEXT NOT NULL DEFAULT '',
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    UNIQUE (symbol, network)
);

CREATE TABLE customers (
    id                 INTEGER PRIMARY KEY,
    customer_no        TEXT NOT NULL UNIQUE,
    securities_account TEXT NOT NULL,
    name               TEXT NOT NULL,
    identity_ref       TEXT NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL
);
CREATE INDEX customers_account ON customers (securities_account);

CREATE TABLE wallet_addresses (
    id                  INTEGER PRIMARY KEY,
    customer_id         INTEGER NOT NULL REFERENCES customers (id),
    chain               TEXT NOT NULL,
    network             TEXT NOT NULL,
    address             TEXT NOT NULL,
    label               TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'rejected', 'revoked')),
    verification_method TEXT NOT NULL DEFAULT '',
    evidence            TEXT NOT NULL DEFAULT '',
    verified_by         TEXT NOT NULL DEFAULT '',
    verified_at         INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    UNIQUE (customer_id, network, address)
);
CREATE INDEX wallet_addresses_address ON wallet_addresses (network, address);

CREATE TABLE deposits (
    id                     INTEGER PRIMARY KEY,
    record_no              TEXT NOT NULL,
    client_request_key     TEXT,
    request_hash           TEXT NOT NULL DEFAULT '',
    customer_id            INTEGER NOT NULL REFERENCES customers (id),
    customer_no            TEXT NOT NULL,
    securities_account     TEXT NOT NULL,
    asset_id               INTEGER NOT NULL REFERENCES assets (id),
    network                TEXT NOT NULL,
    amount                 TEXT NOT NULL,
    source_address         TEXT NOT NULL,
    destination_address    TEXT NOT NULL,
    txid                   TEXT,
    tx_index               INTEGER NOT NULL DEFAULT 0,
    requested_at           INTEGER NOT NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('verifying_address', 'confirming', 'held_for_review',
                               'credited', 'refunding', 'refunded', 'cancelled', 'deleted', 'rejected')),
    confirmations          INTEGER NOT NULL DEFAULT 0,
    confirmations_required INTEGER NOT NULL,
    block_hash             TEXT NOT NULL DEFAULT '',
    block_height           INTEGER NOT NULL DEFAULT 0,
    remarks                TEXT NOT NULL DEFAULT ''
);
-- Named unique indexes (not column UNIQUE) so search can name them in INDEXED BY.
CREATE UNIQUE INDEX deposits_record_no ON deposits (record_no);
CREATE UNIQUE INDEX deposits_request_key ON deposits (client_request_key) WHERE client_request_key IS NOT NULL;
-- One live record per on-chain deposit; cancelled/deleted ones do not block a resubmission.
CREATE UNIQUE INDEX deposits_live_tx ON deposits (network, txid, tx_index)
    WHERE txid IS NOT NULL AND status NOT IN ('cancelled', 'deleted');
-- Search: each index serves one leading filter and ends in (created_at, id),
-- so a page is read in order straight off the index, newest first, and a
-- created-time range or the keyset cursor bounds the same scan. The store
-- picks the index from the filter (see storage/sqlite/search.go and
-- docs/storage.md for the plans measured at 1M rows).
CREATE INDEX deposits_created ON deposits (created_at, id);
CREATE INDEX deposits_customer ON deposits (customer_no, created_at, id);
CREATE INDEX deposits_account ON deposits (securities_account, created_at, id);
CREATE INDEX deposits_status_asset ON deposits (status, asset_id, created_at, id);
CREATE INDEX deposits_status ON deposits (status, created_at, id);
CREATE INDEX deposits_asset ON deposits (asset_id, created_at, id);
-- The hash without its 0x: one equality finds a transaction on either chain,
-- still in (created_at, id) order.
CREATE INDEX deposits_txid ON deposits (substr(txid, -64), created_at, id);

CREATE TABLE record_no_seq (
    day  TEXT PRIMARY KEY,
    last INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE refunds (
    id                INTEGER PRIMARY KEY,
    deposit_id        INTEGER NOT NULL REFERENCES deposits (id),
    status            TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'signed', 'broadcast', 'confirmed', 'failed', 'rejected')),
    address           TEXT NOT NULL,
    network           TEXT NOT NULL,
    amount            TEXT NOT NULL,
    adjustment_reason TEXT NOT NULL DEFAULT '',
    requested_by      TEXT NOT NULL,
    approved_by       TEXT NOT NULL DEFAULT '',
    txid              TEXT NOT NULL DEFAULT '',
    confirmations     INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
-- At most one live refund per deposit.
CREATE UNIQUE INDEX refunds_live ON refunds (deposit_id) WHERE status NOT IN ('failed', 'rejected');

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before    TEXT NOT NULL,
    after     TEXT NOT NULL,
    remarks   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, seq);

CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq  INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '');

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE refunds;
DROP TABLE record_no_seq;
DROP TABLE deposits;
DROP TABLE wallet_addresses;
DROP TABLE customers;
DROP TABLE assets;
DROP TABLE operators;

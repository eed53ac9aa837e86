-- +goose Up
-- Each asset's refund fee policy: a fixed rate (sat/vB, or wei per gas)
-- instead of the node's estimate, and the most one refund's fee may be.
-- NULL is "not set" (the node's estimate; no refund until a cap is set).
ALTER TABLE assets ADD COLUMN refund_fee_rate TEXT;
ALTER TABLE assets ADD COLUMN refund_fee_cap TEXT;

-- A refund is Prepared (its unsigned transaction built) before it is
-- signed. SQLite cannot change a CHECK in place: the table is rebuilt with
-- the new status and the payout's columns, and its index made again.
--   payout          the core.Payout as JSON, '' before Prepare;
--   signed_tx       the signed transaction in hex, stored before broadcast;
--   change_*        a Bitcoin payout's change back to the account (output 1
--                   of the refund; change_outpoint set once it is signed, so
--                   the next refund can spend it before it confirms);
--                   change_xpub is the account key it pays, taken from the
--                   asset when the payout is stored;
--   remarks         the last failure or replacement's remarks;
--   notified_*, notice_*  how the customer was told of the refund.
CREATE TABLE refunds_new (
    id                INTEGER PRIMARY KEY,
    deposit_id        INTEGER NOT NULL REFERENCES deposits (id),
    status            TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'prepared', 'signed', 'broadcast', 'confirmed', 'failed', 'rejected')),
    address           TEXT NOT NULL,
    network           TEXT NOT NULL,
    amount            TEXT NOT NULL,
    adjustment_reason TEXT NOT NULL DEFAULT '',
    requested_by      TEXT NOT NULL,
    approved_by       TEXT NOT NULL DEFAULT '',
    txid              TEXT NOT NULL DEFAULT '',
    confirmations     INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    identity_check    TEXT NOT NULL DEFAULT '',
    forced            INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
    payout            TEXT NOT NULL DEFAULT '',
    signed_tx         TEXT NOT NULL DEFAULT '',
    change_amount     TEXT,
    change_index      INTEGER NOT NULL DEFAULT 0 CHECK (change_index >= 0),
    change_address    TEXT NOT NULL DEFAULT '',
    change_xpub       TEXT NOT NULL DEFAULT '',
    change_outpoint   TEXT NOT NULL DEFAULT '',
    remarks           TEXT NOT NULL DEFAULT '',
    notified_by       TEXT NOT NULL DEFAULT '',
    notified_at       INTEGER NOT NULL DEFAULT 0,
    notice_channel    TEXT NOT NULL DEFAULT '' CHECK (notice_channel IN ('', 'phone', 'email', 'letter', 'in-person')),
    notice_note       TEXT NOT NULL DEFAULT ''
);
INSERT INTO refunds_new (id, deposit_id, status, address, network, amount, adjustment_reason, requested_by, approved_by,
    txid, confirmations, created_at, updated_at, identity_check, forced)
SELECT id, deposit_id, status, address, network, amount, adjustment_reason, requested_by, approved_by,
    txid, confirmations, created_at, updated_at, identity_check, forced FROM refunds;
DROP TABLE refunds;
ALTER TABLE refunds_new RENAME TO refunds;
-- At most one live refund per deposit.
CREATE UNIQUE INDEX refunds_live ON refunds (deposit_id) WHERE status NOT IN ('failed', 'rejected');

-- What live refunds spend: a Bitcoin outpoint, or an Ethereum payer's
-- nonce, as core.SpendKey writes it. The primary key is what refuses a
-- second refund spending the same coin or nonce, whoever writes; a refund
-- keeps its spends until it is replaced or rejected.
CREATE TABLE refund_spends (
    spend     TEXT NOT NULL PRIMARY KEY,
    refund_id INTEGER NOT NULL REFERENCES refunds (id)
) WITHOUT ROWID;
CREATE INDEX refund_spends_refund ON refund_spends (refund_id);

-- +goose Down
DROP TABLE refund_spends;
-- A prepared refund goes back to Approved: its payout leaves with the columns.
CREATE TABLE refunds_old (
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
    updated_at        INTEGER NOT NULL,
    identity_check    TEXT NOT NULL DEFAULT '',
    forced            INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1))
);
INSERT INTO refunds_old (id, deposit_id, status, address, network, amount, adjustment_reason, requested_by, approved_by,
    txid, confirmations, created_at, updated_at, identity_check, forced)
SELECT id, deposit_id, CASE status WHEN 'prepared' THEN 'approved' ELSE status END, address, network, amount, adjustment_reason,
    requested_by, approved_by, txid, confirmations, created_at, updated_at, identity_check, forced FROM refunds;
DROP TABLE refunds;
ALTER TABLE refunds_old RENAME TO refunds;
CREATE UNIQUE INDEX refunds_live ON refunds (deposit_id) WHERE status NOT IN ('failed', 'rejected');
ALTER TABLE assets DROP COLUMN refund_fee_cap;
ALTER TABLE assets DROP COLUMN refund_fee_rate;

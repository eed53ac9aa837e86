-- +goose Up
-- Mirrors sqlite/00013_refund_payouts.sql.
-- Each asset's refund fee policy: a fixed rate (sat/vB, or wei per gas)
-- instead of the node's estimate, and the most one refund's fee may be.
-- NULL is "not set" (the node's estimate; no refund until a cap is set).
ALTER TABLE assets ADD COLUMN refund_fee_rate NUMERIC(78, 0) CHECK (refund_fee_rate > 0);
ALTER TABLE assets ADD COLUMN refund_fee_cap NUMERIC(78, 0) CHECK (refund_fee_cap > 0);

-- A refund is Prepared (its unsigned transaction built) before it is
-- signed. The status CHECK (named by Postgres after its column) is
-- replaced to allow it.
ALTER TABLE refunds DROP CONSTRAINT refunds_status_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_status_check
    CHECK (status IN ('requested', 'approved', 'prepared', 'signed', 'broadcast', 'confirmed', 'failed', 'rejected'));
-- payout: the core.Payout as JSON, '' before Prepare (TEXT, not JSONB: the
-- bytes stay as written). signed_tx: the signed transaction in hex, stored
-- before broadcast. change_*: a Bitcoin payout's change back to the
-- account (output 1 of the refund; change_outpoint set once it is signed,
-- so the next refund can spend it before it confirms); change_xpub is the
-- account key it pays, taken from the asset when the payout is stored.
-- remarks: the last failure or replacement's remarks. notified_*,
-- notice_*: how the customer was told of the refund.
ALTER TABLE refunds
    ADD COLUMN payout          TEXT NOT NULL DEFAULT '',
    ADD COLUMN signed_tx       TEXT NOT NULL DEFAULT '',
    ADD COLUMN change_amount   NUMERIC(78, 0) CHECK (change_amount > 0),
    ADD COLUMN change_index    BIGINT NOT NULL DEFAULT 0 CHECK (change_index >= 0),
    ADD COLUMN change_address  TEXT NOT NULL DEFAULT '',
    ADD COLUMN change_xpub     TEXT NOT NULL DEFAULT '',
    ADD COLUMN change_outpoint TEXT NOT NULL DEFAULT '',
    ADD COLUMN remarks         TEXT NOT NULL DEFAULT '',
    ADD COLUMN notified_by     TEXT NOT NULL DEFAULT '',
    ADD COLUMN notified_at     TIMESTAMPTZ,
    ADD COLUMN notice_channel  TEXT NOT NULL DEFAULT '' CHECK (notice_channel IN ('', 'phone', 'email', 'letter', 'in-person')),
    ADD COLUMN notice_note     TEXT NOT NULL DEFAULT '';

-- What live refunds spend: a Bitcoin outpoint, or an Ethereum payer's
-- nonce, as core.SpendKey writes it. The primary key is what refuses a
-- second refund spending the same coin or nonce, whoever writes; a refund
-- keeps its spends until it is replaced or rejected. Bytewise order
-- (COLLATE "C") makes "starts with" a range of the key under any locale.
CREATE TABLE refund_spends (
    spend     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    refund_id BIGINT NOT NULL REFERENCES refunds (id)
);
CREATE INDEX refund_spends_refund ON refund_spends (refund_id);
-- The application role (00010) was granted the tables of its day; this one
-- is new. Without the role (no CREATEROLE then) there is nothing to grant.
-- +goose StatementBegin
DO $$
BEGIN
    GRANT SELECT, INSERT, UPDATE, DELETE ON refund_spends TO depositdesk_app;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'refund_spends not granted to depositdesk_app: %', SQLERRM;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE refund_spends;
ALTER TABLE refunds
    DROP COLUMN notice_note,
    DROP COLUMN notice_channel,
    DROP COLUMN notified_at,
    DROP COLUMN notified_by,
    DROP COLUMN remarks,
    DROP COLUMN change_outpoint,
    DROP COLUMN change_xpub,
    DROP COLUMN change_address,
    DROP COLUMN change_index,
    DROP COLUMN change_amount,
    DROP COLUMN signed_tx,
    DROP COLUMN payout;
-- A prepared refund goes back to Approved: its payout left with the columns.
UPDATE refunds SET status = 'approved' WHERE status = 'prepared';
ALTER TABLE refunds DROP CONSTRAINT refunds_status_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_status_check
    CHECK (status IN ('requested', 'approved', 'signed', 'broadcast', 'confirmed', 'failed', 'rejected'));
ALTER TABLE assets DROP COLUMN refund_fee_cap;
ALTER TABLE assets DROP COLUMN refund_fee_rate;

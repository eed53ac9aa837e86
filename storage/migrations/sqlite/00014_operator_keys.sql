-- +goose Up
-- Operators' approval keys (decision 41): the public half of the Ed25519
-- key each operator's OS keyring holds, one per machine they log in on,
-- registered at that first login. A key belongs to one operator (UNIQUE),
-- so a keyring copied between accounts never signs as two people.
--   public_key  the Ed25519 public key, hex.
CREATE TABLE operator_keys (
    id          INTEGER PRIMARY KEY,
    operator_id INTEGER NOT NULL REFERENCES operators (id),
    public_key  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX operator_keys_operator ON operator_keys (operator_id);

-- A refund's approval signatures: the requester's and the approver's
-- core.RefundApproval list as JSON, '' when none (refunds requested before
-- this migration, or on a machine without a keyring).
ALTER TABLE refunds ADD COLUMN approvals TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE refunds DROP COLUMN approvals;
DROP TABLE operator_keys;

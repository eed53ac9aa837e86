-- +goose Up
-- Mirrors sqlite/00014_operator_keys.sql.
-- Operators' approval keys (decision 41): the public half of the Ed25519
-- key each operator's OS keyring holds, one per machine they log in on,
-- registered at that first login. A key belongs to one operator (UNIQUE),
-- so a keyring copied between accounts never signs as two people.
--   public_key  the Ed25519 public key, hex.
CREATE TABLE operator_keys (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operator_id BIGINT NOT NULL REFERENCES operators (id),
    public_key  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX operator_keys_operator ON operator_keys (operator_id);

-- A refund's approval signatures: the requester's and the approver's
-- core.RefundApproval list as JSON, '' when none (refunds requested before
-- this migration, or on a machine without a keyring).
ALTER TABLE refunds ADD COLUMN approvals TEXT NOT NULL DEFAULT '';

-- The application role (00010) was granted the tables of its day; this one
-- is new. Without the role (no CREATEROLE then) there is nothing to grant.
-- +goose StatementBegin
DO $$
BEGIN
    GRANT SELECT, INSERT ON operator_keys TO depositdesk_app;
    GRANT USAGE, SELECT ON SEQUENCE operator_keys_id_seq TO depositdesk_app;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'operator_keys not granted to depositdesk_app: %', SQLERRM;
END $$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE refunds DROP COLUMN approvals;
DROP TABLE operator_keys;

-- +goose Up
-- The operating guide asks that the customer's identity and the legitimacy
-- of the request be verified before a refund: how (method and reference),
-- and whether the customer asked or the firm forces it (compliance).
ALTER TABLE refunds ADD COLUMN identity_check TEXT NOT NULL DEFAULT '';
ALTER TABLE refunds ADD COLUMN forced INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1));

-- +goose Down
ALTER TABLE refunds DROP COLUMN forced;
ALTER TABLE refunds DROP COLUMN identity_check;

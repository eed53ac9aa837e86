-- +goose Up
-- Who sent each application and how (decision 44), for the Deposit
-- Application page:
--   submitted_by  the actor as the audit log names it: 'client:NAME' for an
--                 API client, the operator's name for a manual entry.
--   channel       'api', or how an operator's entry reached the firm:
--                 'branch', 'phone', 'email', 'letter'.
-- Records made before this migration take both from their creation's audit
-- row, which already named the actor; an operator's earlier entries had no
-- channel, so theirs stays '' (not recorded). Seeded records keep ''.
ALTER TABLE deposits ADD COLUMN submitted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE deposits ADD COLUMN channel TEXT NOT NULL DEFAULT '';
UPDATE deposits SET submitted_by = a.actor FROM audit_log a
    WHERE a.entity = 'deposit' AND a.entity_id = deposits.record_no AND a.action = 'deposit.create';
UPDATE deposits SET channel = 'api' WHERE substr(submitted_by, 1, 7) = 'client:';

-- +goose Down
ALTER TABLE deposits DROP COLUMN channel;
ALTER TABLE deposits DROP COLUMN submitted_by;

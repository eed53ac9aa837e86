-- +goose Up
-- Who last set each operator's permissions (at creation or a change): that
-- operator and this one may not be each other's second person, so an
-- administrator cannot approve their own work through an operator they
-- empowered. Existing operators take it from the audit log.
ALTER TABLE operators ADD COLUMN permissions_set_by TEXT NOT NULL DEFAULT '';
UPDATE operators SET permissions_set_by = COALESCE((
    SELECT a.actor FROM audit_log a
    WHERE a.entity = 'operator' AND a.entity_id = operators.name AND a.action IN ('operator.create', 'operator.permissions')
    ORDER BY a.seq DESC LIMIT 1), '');

-- +goose Down
ALTER TABLE operators DROP COLUMN permissions_set_by;

-- +goose Up
-- Defence in depth for the audit log (the signed checkpoints are the real
-- proof): rows are only ever appended, and the head only moves forward, to
-- the row the log really ends with. Someone with the file can drop these
-- triggers; the desk never needs to.
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.last_seq <= OLD.last_seq
  OR NEW.last_hash IS NOT (SELECT hash FROM audit_log WHERE seq = NEW.last_seq)
  OR EXISTS (SELECT 1 FROM audit_log WHERE seq > NEW.last_seq)
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward, to the last row'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head cannot be deleted'); END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_head_no_delete;
DROP TRIGGER audit_head_forward_only;
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;

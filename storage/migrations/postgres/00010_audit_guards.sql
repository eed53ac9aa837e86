-- +goose Up
-- Defence in depth for the audit log (the signed checkpoints are the real
-- proof): rows are only ever appended, and the head only moves forward, to
-- the row the log really ends with. The table owner can disable these
-- triggers; desks run as the application role, which cannot.
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
-- +goose StatementBegin
CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.last_seq <= OLD.last_seq
       OR NEW.last_hash IS DISTINCT FROM (SELECT hash FROM audit_log WHERE seq = NEW.last_seq)
       OR EXISTS (SELECT 1 FROM audit_log WHERE seq > NEW.last_seq) THEN
        RAISE EXCEPTION 'the audit head only moves forward, to the last row' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_head_guard BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
-- The application role desks log in with: everything the desk does, and
-- nothing it never does (change or remove audit rows). Creating a role
-- needs CREATEROLE; a migration run without it leaves the role to the
-- firm's DBA (README).
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'depositdesk_app') THEN
        CREATE ROLE depositdesk_app NOLOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO depositdesk_app', current_database());
    GRANT USAGE ON SCHEMA public TO depositdesk_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO depositdesk_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM depositdesk_app;
    REVOKE DELETE, TRUNCATE ON audit_head FROM depositdesk_app;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO depositdesk_app;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'role depositdesk_app not created or granted: %', SQLERRM;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_head_guard ON audit_head;
DROP FUNCTION audit_head_forward_only();
DROP TRIGGER audit_log_no_truncate ON audit_log;
DROP TRIGGER audit_log_no_change ON audit_log;
DROP FUNCTION audit_log_append_only();

-- +goose Up
-- The head's guard asked "is there a row after the new head?" as
-- EXISTS (seq > new head). For that shape the planner expects a match
-- within the first few rows and picks a sequential scan, and the answer is
-- always no, so every audit append read the whole log: 26 ms at 200,000
-- rows, every write of every desk waiting behind it. max(seq) is answered
-- from the end of the primary key at any size of the log, with any plan.
-- The rule is the one 00010 states: the head moves forward, to the row
-- the log ends with.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.last_seq <= OLD.last_seq
       OR NEW.last_seq IS DISTINCT FROM (SELECT max(seq) FROM audit_log)
       OR NEW.last_hash IS DISTINCT FROM (SELECT hash FROM audit_log WHERE seq = NEW.last_seq) THEN
        RAISE EXCEPTION 'the audit head only moves forward, to the last row' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.last_seq <= OLD.last_seq
       OR NEW.last_hash IS DISTINCT FROM (SELECT hash FROM audit_log WHERE seq = NEW.last_seq)
       OR EXISTS (SELECT 1 FROM audit_log WHERE seq > NEW.last_seq) THEN
        RAISE EXCEPTION 'the audit head only moves forward, to the last row' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose Up
-- The watcher keeps its open set in memory and reads only what was written
-- since its last pass (FindWatchedDepositChanges, decision in
-- docs/decisions.md). Every insert and update of a record stamps it with
-- the writing transaction's id. A sequence would not do: transactions
-- commit out of the order they took their numbers, so a reader could pass
-- a number whose row is not committed yet. A reader instead remembers the
-- oldest transaction still running when it read (its snapshot's xmin) and
-- next time reads every row stamped at or above it: whatever it could not
-- see then carries such a stamp.
ALTER TABLE deposits ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX deposits_change ON deposits (change_xid);
-- +goose StatementBegin
CREATE FUNCTION deposits_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id();
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER deposits_stamp_change BEFORE UPDATE ON deposits
    FOR EACH ROW EXECUTE FUNCTION deposits_stamp_change();

-- +goose Down
DROP TRIGGER deposits_stamp_change ON deposits;
DROP FUNCTION deposits_stamp_change();
DROP INDEX deposits_change;
ALTER TABLE deposits DROP COLUMN change_xid;

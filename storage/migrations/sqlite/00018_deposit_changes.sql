-- +goose Up
-- The watcher keeps its open set in memory and reads only what was written
-- since its last pass (FindWatchedDepositChanges, decision in
-- docs/decisions.md). New records are found by id; every later write of a
-- record stamps change_seq with the next number. SQLite has one writer at
-- a time, so a write committed later always carries a higher number (and
-- a higher id): a reader that remembers the highest of each misses nothing.
-- Inserts leave change_seq NULL and fire nothing, so the bulk seed costs
-- what it cost. The WHEN clause stops the trigger's own update from firing
-- it again, whatever recursive_triggers says.
ALTER TABLE deposits ADD COLUMN change_seq INTEGER;
CREATE INDEX deposits_change ON deposits (change_seq) WHERE change_seq IS NOT NULL;
-- +goose StatementBegin
CREATE TRIGGER deposits_stamp_change AFTER UPDATE ON deposits
WHEN NEW.change_seq IS OLD.change_seq
BEGIN
    UPDATE deposits SET change_seq = 1 + COALESCE((SELECT change_seq FROM deposits
        WHERE change_seq IS NOT NULL ORDER BY change_seq DESC LIMIT 1), 0)
    WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER deposits_stamp_change;
DROP INDEX deposits_change;
ALTER TABLE deposits DROP COLUMN change_seq;

-- +goose Up
-- Desk-wide settings an administrator changes (every change is audited):
-- firm_name, which every ownership challenge states.
CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;

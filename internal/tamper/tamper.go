// Package tamper is a test rig for attacks on a desk's database by someone
// with write access to it: the first thing such an attacker does is take
// down the append-only guards (migration 00010) that stop the desk itself,
// which the owner of the file or the tables can.
package tamper

// SQLiteDropGuards removes the SQLite audit guards.
const SQLiteDropGuards = `DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_head_forward_only; DROP TRIGGER audit_head_no_delete;`

// PostgresDisableGuards disables the Postgres audit guards, as the tables'
// owner can (a superuser or the owner role, not the application role).
const PostgresDisableGuards = `ALTER TABLE audit_log DISABLE TRIGGER USER; ALTER TABLE audit_head DISABLE TRIGGER USER;`

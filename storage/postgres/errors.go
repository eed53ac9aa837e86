package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"depositdesk/core"
)

// SQLSTATE codes the store reacts to (Appendix A of the Postgres manual).
const (
	uniqueViolation       = "23505"
	foreignKeyViolation   = "23503"
	checkViolation        = "23514"
	insufficientPrivilege = "42501"
)

// pgCode returns err's SQLSTATE, or "" when err did not come from the server.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func isUnique(err error) bool { return pgCode(err) == uniqueViolation }

// conflict maps a uniqueness violation to ECONFLICT with msg (which names
// what already exists) and anything else as invalid does.
func conflict(err error, msg string, args ...any) error {
	if pgCode(err) == uniqueViolation {
		return core.Errorf(core.ECONFLICT, msg, args...)
	}
	return invalid(err)
}

// invalid maps a dangling reference or a failed CHECK to EINVALID, errors
// an operator can act on. Anything else is returned as is and surfaces as
// EINTERNAL.
func invalid(err error) error {
	switch pgCode(err) {
	case foreignKeyViolation:
		return core.Errorf(core.EINVALID, "The change refers to a customer, asset or record that does not exist.")
	case checkViolation:
		return core.Errorf(core.EINVALID, "A value is outside what the database accepts (status, amount or count).")
	}
	return err
}

// uniqueMeaning says, for each unique index of deposits, what already
// exists when an insert violates it; the names are fixed by the migration.
var uniqueMeaning = map[string]string{
	"deposits_record_no":   "a deposit record with the same record number",
	"deposits_request_key": "a deposit record with the same client request key",
	"deposits_live_tx":     "a live deposit record for the same transaction output",
}

// duplicateDeposit describes which rule a deposit insert broke.
func duplicateDeposit(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if m, ok := uniqueMeaning[pe.ConstraintName]; ok {
			return m
		}
	}
	return "an existing deposit record"
}

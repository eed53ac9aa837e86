package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

const operatorColumns = `id, name, password_hash, permissions, disabled, failed_logins, locked_until, created_at, password_changed_at, permissions_set_by, security_stamp`

// CreateOperator implements core.Store.
func (s *Store) CreateOperator(ctx context.Context, op *core.Operator, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO operators (name, password_hash, permissions, disabled, failed_logins, locked_until, created_at, password_changed_at, permissions_set_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			op.Name, op.PasswordHash, core.EncodePermissions(op.Permissions), op.Disabled, op.FailedLogins, ts(op.LockedUntil), op.CreatedAt, op.PasswordChangedAt, op.PermissionsSetBy).Scan(&op.ID)
		if err != nil {
			return conflict(err, "Operator %q already exists.", op.Name)
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindOperators implements core.Store.
func (s *Store) FindOperators(ctx context.Context, f core.OperatorFilter) ([]*core.Operator, error) {
	return findOperators(ctx, s.pool, f)
}

func findOperators(ctx context.Context, q querier, f core.OperatorFilter) ([]*core.Operator, error) {
	w := newWhere()
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.Name != nil {
		w.add("lower(name) = lower(?)", *f.Name)
	}
	rows, err := q.Query(ctx, `SELECT `+operatorColumns+` FROM operators WHERE `+w.sql()+` ORDER BY name`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("find operators: %w", err)
	}
	return scanOperators(rows)
}

func scanOperators(rows pgx.Rows) ([]*core.Operator, error) {
	defer rows.Close()
	var out []*core.Operator
	for rows.Next() {
		var op core.Operator
		var perms string
		var locked *time.Time
		if err := rows.Scan(&op.ID, &op.Name, &op.PasswordHash, &perms, &op.Disabled, &op.FailedLogins, &locked, &op.CreatedAt, &op.PasswordChangedAt, &op.PermissionsSetBy, &op.SecurityStamp); err != nil {
			return nil, fmt.Errorf("scan operator: %w", err)
		}
		op.Permissions, op.LockedUntil = core.DecodePermissions(perms), fromTS(locked)
		op.CreatedAt, op.PasswordChangedAt = op.CreatedAt.UTC(), op.PasswordChangedAt.UTC()
		out = append(out, &op)
	}
	return out, rows.Err()
}

func operatorByID(ctx context.Context, q querier, id int64) (*core.Operator, error) {
	ops, err := findOperators(ctx, q, core.OperatorFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, core.Errorf(core.ENOTFOUND, "Operator %d not found.", id)
	}
	return ops[0], nil
}

// UpdateOperator implements core.Store.
func (s *Store) UpdateOperator(ctx context.Context, id int64, upd core.OperatorUpdate, audit core.AuditEntry) (*core.Operator, error) {
	var out *core.Operator
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		w := newWhere()
		if upd.PasswordHash != nil {
			w.add("password_hash = ?", *upd.PasswordHash)
		}
		if upd.Permissions != nil {
			w.add("permissions = ?", core.EncodePermissions(*upd.Permissions))
		}
		if upd.Disabled != nil {
			w.add("disabled = ?", *upd.Disabled)
		}
		if upd.FailedLogins != nil {
			w.add("failed_logins = ?", *upd.FailedLogins)
		}
		if upd.LockedUntil != nil {
			w.add("locked_until = ?", ts(*upd.LockedUntil))
		}
		if upd.PasswordChangedAt != nil {
			w.add("password_changed_at = ?", *upd.PasswordChangedAt)
		}
		if upd.PermissionsSetBy != nil {
			w.add("permissions_set_by = ?", *upd.PermissionsSetBy)
		}
		if upd.EndsSessions() {
			w.add("security_stamp = security_stamp + 1")
		}
		if len(w.conds) > 0 {
			tag, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE operators SET %s WHERE id = $%d`, w.set(), len(w.args)+1), append(w.args, id)...)
			if err != nil {
				return fmt.Errorf("update operator: %w", err)
			}
			if tag.RowsAffected() == 0 {
				return core.Errorf(core.ENOTFOUND, "Operator %d not found.", id)
			}
		}
		var err error
		if out, err = operatorByID(ctx, tx, id); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
	return out, err
}

// ClaimLoginAttempt implements core.Store. Concurrent claims queue on the
// row lock, and Postgres evaluates the WHERE clause again on the row each
// finds, so no more than maxAttempts are ever granted.
func (s *Store) ClaimLoginAttempt(ctx context.Context, id int64, maxAttempts int, now, lockUntil time.Time) (*core.Operator, error) {
	var out *core.Operator
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE operators SET
			failed_logins = CASE WHEN locked_until <= $1 THEN 1 ELSE failed_logins + 1 END,
			locked_until = CASE
				WHEN (CASE WHEN locked_until <= $1 THEN 1 ELSE failed_logins + 1 END) >= $2 THEN $3
				WHEN locked_until <= $1 THEN NULL
				ELSE locked_until END
			WHERE id = $4 AND (locked_until IS NULL OR locked_until <= $1) AND (failed_logins < $2 OR locked_until IS NOT NULL)`,
			now.UTC(), maxAttempts, lockUntil.UTC(), id)
		if err != nil {
			return fmt.Errorf("claim login attempt: %w", err)
		}
		if out, err = operatorByID(ctx, tx, id); err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return core.Errorf(core.ECONFLICT, "Operator %q has no login attempt left.", out.Name)
		}
		return nil
	})
	return out, err
}

// CountOperators implements core.Store.
func (s *Store) CountOperators(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM operators`).Scan(&n)
	return n, err
}

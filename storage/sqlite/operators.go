package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"depositdesk/core"
)

const operatorColumns = `id, name, password_hash, permissions, disabled, failed_logins, locked_until, created_at, password_changed_at, permissions_set_by, security_stamp`

// CreateOperator implements core.Store.
func (s *Store) CreateOperator(ctx context.Context, op *core.Operator, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO operators (name, password_hash, permissions, disabled, failed_logins, locked_until, created_at, password_changed_at, permissions_set_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			op.Name, op.PasswordHash, core.EncodePermissions(op.Permissions), boolInt(op.Disabled), op.FailedLogins, micros(op.LockedUntil), micros(op.CreatedAt), micros(op.PasswordChangedAt), op.PermissionsSetBy)
		if err != nil {
			return conflict(err, "Operator %q already exists.", op.Name)
		}
		if op.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindOperators implements core.Store.
func (s *Store) FindOperators(ctx context.Context, f core.OperatorFilter) ([]*core.Operator, error) {
	return findOperators(ctx, preparedReader{s}, f)
}

func findOperators(ctx context.Context, q queryer, f core.OperatorFilter) ([]*core.Operator, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "id = ?"), append(args, *f.ID)
	}
	if f.Name != nil {
		where, args = append(where, "name = ?"), append(args, *f.Name)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+operatorColumns+` FROM operators WHERE `+strings.Join(where, " AND ")+` ORDER BY name`, args...)
	if err != nil {
		return nil, fmt.Errorf("find operators: %w", err)
	}
	defer rows.Close()
	var out []*core.Operator
	for rows.Next() {
		var op core.Operator
		var perms string
		var disabled int
		var locked, created, changed int64
		if err := rows.Scan(&op.ID, &op.Name, &op.PasswordHash, &perms, &disabled, &op.FailedLogins, &locked, &created, &changed, &op.PermissionsSetBy, &op.SecurityStamp); err != nil {
			return nil, fmt.Errorf("scan operator: %w", err)
		}
		op.Permissions, op.Disabled = core.DecodePermissions(perms), disabled == 1
		op.LockedUntil, op.CreatedAt, op.PasswordChangedAt = fromMicros(locked), fromMicros(created), fromMicros(changed)
		out = append(out, &op)
	}
	return out, rows.Err()
}

func operatorByID(ctx context.Context, q queryer, id int64) (*core.Operator, error) {
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
	err := s.withTx(ctx, func(tx *writeTx) error {
		set, args := []string{}, []any{}
		if upd.PasswordHash != nil {
			set, args = append(set, "password_hash = ?"), append(args, *upd.PasswordHash)
		}
		if upd.Permissions != nil {
			set, args = append(set, "permissions = ?"), append(args, core.EncodePermissions(*upd.Permissions))
		}
		if upd.Disabled != nil {
			set, args = append(set, "disabled = ?"), append(args, boolInt(*upd.Disabled))
		}
		if upd.FailedLogins != nil {
			set, args = append(set, "failed_logins = ?"), append(args, *upd.FailedLogins)
		}
		if upd.LockedUntil != nil {
			set, args = append(set, "locked_until = ?"), append(args, micros(*upd.LockedUntil))
		}
		if upd.PasswordChangedAt != nil {
			set, args = append(set, "password_changed_at = ?"), append(args, micros(*upd.PasswordChangedAt))
		}
		if upd.PermissionsSetBy != nil {
			set, args = append(set, "permissions_set_by = ?"), append(args, *upd.PermissionsSetBy)
		}
		if upd.EndsSessions() {
			set = append(set, "security_stamp = security_stamp + 1")
		}
		if len(set) > 0 {
			res, err := tx.ExecContext(ctx, `UPDATE operators SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, id)...)
			if err != nil {
				return fmt.Errorf("update operator: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
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

// ClaimLoginAttempt implements core.Store. SQLite's single writer
// serialises concurrent claims; the WHERE clause is the guard.
func (s *Store) ClaimLoginAttempt(ctx context.Context, id int64, maxAttempts int, now, lockUntil time.Time) (*core.Operator, error) {
	var out *core.Operator
	err := s.withTx(ctx, func(tx *writeTx) error {
		n := micros(now)
		res, err := tx.ExecContext(ctx, `UPDATE operators SET
			failed_logins = CASE WHEN locked_until <> 0 AND locked_until <= ?1 THEN 1 ELSE failed_logins + 1 END,
			locked_until = CASE
				WHEN (CASE WHEN locked_until <> 0 AND locked_until <= ?1 THEN 1 ELSE failed_logins + 1 END) >= ?2 THEN ?3
				WHEN locked_until <> 0 AND locked_until <= ?1 THEN 0
				ELSE locked_until END
			WHERE id = ?4 AND (locked_until = 0 OR locked_until <= ?1) AND (failed_logins < ?2 OR locked_until <> 0)`,
			n, maxAttempts, micros(lockUntil), id)
		if err != nil {
			return fmt.Errorf("claim login attempt: %w", err)
		}
		if out, err = operatorByID(ctx, tx, id); err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return core.Errorf(core.ECONFLICT, "Operator %q has no login attempt left.", out.Name)
		}
		return nil
	})
	return out, err
}

// CountOperators implements core.Store.
func (s *Store) CountOperators(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM operators`).Scan(&n)
	return n, err
}

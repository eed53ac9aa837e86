package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"depositdesk/core"
)

var _ core.SessionStore = (*Store)(nil)

// CreateSession implements core.SessionStore.
func (s *Store) CreateSession(ctx context.Context, sess *core.Session, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, micros(sess.CreatedAt)); err != nil {
			return fmt.Errorf("clear expired sessions: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sessions (operator_id, token_hash, security_stamp, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			sess.OperatorID, sess.TokenHash, sess.SecurityStamp, micros(sess.CreatedAt), micros(sess.ExpiresAt))
		if err != nil {
			return conflict(err, "That session exists already.")
		}
		if sess.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindSession implements core.SessionStore.
func (s *Store) FindSession(ctx context.Context, tokenHash string) (*core.Session, error) {
	var sess core.Session
	var created, expires int64
	err := preparedReader{s}.QueryRowContext(ctx, `SELECT id, operator_id, token_hash, security_stamp, created_at, expires_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&sess.ID, &sess.OperatorID, &sess.TokenHash, &sess.SecurityStamp, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "No such session.")
	} else if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	sess.CreatedAt, sess.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &sess, nil
}

// DeleteSession implements core.SessionStore.
func (s *Store) DeleteSession(ctx context.Context, id int64, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return core.Errorf(core.ENOTFOUND, "No such session.")
		}
		return appendAudit(ctx, tx, audit)
	})
}

// DatabaseIdentity implements core.SessionStore.
func (s *Store) DatabaseIdentity(ctx context.Context) (string, error) {
	var v string
	if err := (preparedReader{s}).QueryRowContext(ctx, `SELECT value FROM database_identity WHERE id = 1`).Scan(&v); err != nil {
		return "", fmt.Errorf("database identity: %w", err)
	}
	return "sqlite:" + v, nil
}

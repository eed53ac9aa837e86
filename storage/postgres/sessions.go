package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

var _ core.SessionStore = (*Store)(nil)

// CreateSession implements core.SessionStore.
func (s *Store) CreateSession(ctx context.Context, sess *core.Session, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, sess.CreatedAt.UTC()); err != nil {
			return fmt.Errorf("clear expired sessions: %w", err)
		}
		err := tx.QueryRow(ctx, `INSERT INTO sessions (operator_id, token_hash, security_stamp, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			sess.OperatorID, sess.TokenHash, sess.SecurityStamp, sess.CreatedAt.UTC(), sess.ExpiresAt.UTC()).Scan(&sess.ID)
		if err != nil {
			return conflict(err, "That session exists already.")
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindSession implements core.SessionStore.
func (s *Store) FindSession(ctx context.Context, tokenHash string) (*core.Session, error) {
	var sess core.Session
	err := s.pool.QueryRow(ctx, `SELECT id, operator_id, token_hash, security_stamp, created_at, expires_at FROM sessions WHERE token_hash = $1`, tokenHash).
		Scan(&sess.ID, &sess.OperatorID, &sess.TokenHash, &sess.SecurityStamp, &sess.CreatedAt, &sess.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "No such session.")
	} else if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	sess.CreatedAt, sess.ExpiresAt = sess.CreatedAt.UTC(), sess.ExpiresAt.UTC()
	return &sess, nil
}

// DeleteSession implements core.SessionStore.
func (s *Store) DeleteSession(ctx context.Context, id int64, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return core.Errorf(core.ENOTFOUND, "No such session.")
		}
		return appendAudit(ctx, tx, audit)
	})
}

// DatabaseIdentity implements core.SessionStore. The database's name is
// part of it: CREATE DATABASE … TEMPLATE copies the identity row, and the
// copy is another database.
func (s *Store) DatabaseIdentity(ctx context.Context) (string, error) {
	var v string
	if err := s.pool.QueryRow(ctx, `SELECT value || '/' || current_database() FROM database_identity WHERE id = 1`).Scan(&v); err != nil {
		return "", fmt.Errorf("database identity: %w", err)
	}
	return "postgres:" + v, nil
}

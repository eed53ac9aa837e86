package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"depositdesk/core"
)

// Setting implements core.Store.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := preparedReader{s}.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", name, err)
	}
	return v, nil
}

// SetSetting implements core.Store.
func (s *Store) SetSetting(ctx context.Context, name, value string, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value); err != nil {
			return fmt.Errorf("store setting %s: %w", name, err)
		}
		return appendAudit(ctx, tx, audit)
	})
}

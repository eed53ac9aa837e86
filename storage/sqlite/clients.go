package sqlite

import (
	"context"
	"fmt"
	"strings"

	"depositdesk/core"
)

const clientColumns = `id, name, token_hash, scopes, created_by, created_at, revoked_at`

// CreateAPIClient implements core.Store.
func (s *Store) CreateAPIClient(ctx context.Context, c *core.APIClient, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO api_clients (name, token_hash, scopes, created_by, created_at, revoked_at)
			VALUES (?, ?, ?, ?, ?, ?)`, c.Name, c.TokenHash, core.EncodeScopes(c.Scopes), c.CreatedBy, micros(c.CreatedAt), micros(c.RevokedAt))
		if err != nil {
			return conflict(err, "API client %q already exists.", c.Name)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindAPIClients implements core.Store.
func (s *Store) FindAPIClients(ctx context.Context, f core.APIClientFilter) ([]*core.APIClient, error) {
	return findAPIClients(ctx, preparedReader{s}, f)
}

func findAPIClients(ctx context.Context, q queryer, f core.APIClientFilter) ([]*core.APIClient, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "id = ?"), append(args, *f.ID)
	}
	if f.Name != nil {
		where, args = append(where, "name = ?"), append(args, *f.Name) // the column collates NOCASE
	}
	if f.TokenHash != nil {
		where, args = append(where, "token_hash = ?"), append(args, *f.TokenHash)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+clientColumns+` FROM api_clients WHERE `+strings.Join(where, " AND ")+` ORDER BY name`, args...)
	if err != nil {
		return nil, fmt.Errorf("find api clients: %w", err)
	}
	defer rows.Close()
	var out []*core.APIClient
	for rows.Next() {
		var c core.APIClient
		var scopes string
		var created, revoked int64
		if err := rows.Scan(&c.ID, &c.Name, &c.TokenHash, &scopes, &c.CreatedBy, &created, &revoked); err != nil {
			return nil, fmt.Errorf("scan api client: %w", err)
		}
		c.Scopes, c.CreatedAt, c.RevokedAt = core.DecodeScopes(scopes), fromMicros(created), fromMicros(revoked)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// RevokeAPIClient implements core.Store.
func (s *Store) RevokeAPIClient(ctx context.Context, id int64, audit core.AuditEntry) (*core.APIClient, error) {
	var out *core.APIClient
	err := s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_clients SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, micros(audit.At), id)
		if err != nil {
			return fmt.Errorf("revoke api client: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("revoke api client: %w", err)
		}
		cs, err := findAPIClients(ctx, tx, core.APIClientFilter{ID: &id})
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return core.Errorf(core.ENOTFOUND, "API client %d not found.", id)
		}
		if n == 0 {
			return core.Errorf(core.ECONFLICT, "API client %q is already revoked.", cs[0].Name)
		}
		out = cs[0]
		return appendAudit(ctx, tx, audit)
	})
	return out, err
}

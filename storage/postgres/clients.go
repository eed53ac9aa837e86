package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

const clientColumns = `id, name, token_hash, scopes, created_by, created_at, revoked_at`

// CreateAPIClient implements core.Store.
func (s *Store) CreateAPIClient(ctx context.Context, c *core.APIClient, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO api_clients (name, token_hash, scopes, created_by, created_at, revoked_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			c.Name, c.TokenHash, core.EncodeScopes(c.Scopes), c.CreatedBy, c.CreatedAt, ts(c.RevokedAt)).Scan(&c.ID)
		if err != nil {
			return conflict(err, "API client %q already exists.", c.Name)
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindAPIClients implements core.Store.
func (s *Store) FindAPIClients(ctx context.Context, f core.APIClientFilter) ([]*core.APIClient, error) {
	return findAPIClients(ctx, s.pool, f)
}

func findAPIClients(ctx context.Context, q querier, f core.APIClientFilter) ([]*core.APIClient, error) {
	w := newWhere()
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.Name != nil {
		w.add("lower(name) = lower(?)", *f.Name)
	}
	if f.TokenHash != nil {
		w.add("token_hash = ?", *f.TokenHash)
	}
	rows, err := q.Query(ctx, `SELECT `+clientColumns+` FROM api_clients WHERE `+w.sql()+` ORDER BY name`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("find api clients: %w", err)
	}
	defer rows.Close()
	var out []*core.APIClient
	for rows.Next() {
		var c core.APIClient
		var scopes string
		var revoked *time.Time
		if err := rows.Scan(&c.ID, &c.Name, &c.TokenHash, &scopes, &c.CreatedBy, &c.CreatedAt, &revoked); err != nil {
			return nil, fmt.Errorf("scan api client: %w", err)
		}
		c.Scopes, c.CreatedAt, c.RevokedAt = core.DecodeScopes(scopes), c.CreatedAt.UTC(), fromTS(revoked)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// RevokeAPIClient implements core.Store.
func (s *Store) RevokeAPIClient(ctx context.Context, id int64, audit core.AuditEntry) (*core.APIClient, error) {
	var out *core.APIClient
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE api_clients SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, audit.At.UTC(), id)
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
		if tag.RowsAffected() == 0 {
			return core.Errorf(core.ECONFLICT, "API client %q is already revoked.", cs[0].Name)
		}
		out = cs[0]
		return appendAudit(ctx, tx, audit)
	})
	return out, err
}

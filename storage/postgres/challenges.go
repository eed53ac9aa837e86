package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

// CreateAddressChallenge implements core.Store.
func (s *Store) CreateAddressChallenge(ctx context.Context, ch *core.AddressChallenge, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO address_challenges (address_id, message, nonce, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, ch.AddressID, ch.Message, ch.Nonce, ch.CreatedBy, ch.CreatedAt, ch.ExpiresAt).Scan(&ch.ID)
		if err != nil {
			return conflict(err, "A challenge with this nonce already exists.")
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindAddressChallenges implements core.Store.
func (s *Store) FindAddressChallenges(ctx context.Context, f core.ChallengeFilter) ([]*core.AddressChallenge, error) {
	return findChallenges(ctx, s.pool, f)
}

func findChallenges(ctx context.Context, q querier, f core.ChallengeFilter) ([]*core.AddressChallenge, error) {
	w := newWhere()
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.AddressID != nil {
		w.add("address_id = ?", *f.AddressID)
	}
	rows, err := q.Query(ctx, `SELECT id, address_id, message, nonce, created_by, created_at, expires_at, used_at
		FROM address_challenges WHERE `+w.sql()+` ORDER BY id DESC`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("find challenges: %w", err)
	}
	defer rows.Close()
	var out []*core.AddressChallenge
	for rows.Next() {
		var c core.AddressChallenge
		var used *time.Time
		if err := rows.Scan(&c.ID, &c.AddressID, &c.Message, &c.Nonce, &c.CreatedBy, &c.CreatedAt, &c.ExpiresAt, &used); err != nil {
			return nil, fmt.Errorf("scan challenge: %w", err)
		}
		c.CreatedAt, c.ExpiresAt, c.UsedAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC(), fromTS(used)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// UseAddressChallenge implements core.Store: the guarded UPDATE makes a
// challenge good for exactly one proof, even with desktops racing.
func (s *Store) UseAddressChallenge(ctx context.Context, id int64, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	return s.spendProof(ctx, oneTimeProof{"address_challenges", "Challenge", "issue a new one"}, id, "", nil,
		func(err error) error { return fmt.Errorf("use challenge: %w", err) }, change, audit)
}

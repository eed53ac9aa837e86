package sqlite

import (
	"context"
	"fmt"
	"strings"

	"depositdesk/core"
)

// CreateAddressChallenge implements core.Store.
func (s *Store) CreateAddressChallenge(ctx context.Context, ch *core.AddressChallenge, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO address_challenges (address_id, message, nonce, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, ch.AddressID, ch.Message, ch.Nonce, ch.CreatedBy, micros(ch.CreatedAt), micros(ch.ExpiresAt))
		if err != nil {
			return conflict(err, "A challenge with this nonce already exists.")
		}
		if ch.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindAddressChallenges implements core.Store.
func (s *Store) FindAddressChallenges(ctx context.Context, f core.ChallengeFilter) ([]*core.AddressChallenge, error) {
	return findChallenges(ctx, preparedReader{s}, f)
}

func findChallenges(ctx context.Context, q queryer, f core.ChallengeFilter) ([]*core.AddressChallenge, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "id = ?"), append(args, *f.ID)
	}
	if f.AddressID != nil {
		where, args = append(where, "address_id = ?"), append(args, *f.AddressID)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, address_id, message, nonce, created_by, created_at, expires_at, used_at
		FROM address_challenges WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("find challenges: %w", err)
	}
	defer rows.Close()
	var out []*core.AddressChallenge
	for rows.Next() {
		var c core.AddressChallenge
		var created, expires, used int64
		if err := rows.Scan(&c.ID, &c.AddressID, &c.Message, &c.Nonce, &c.CreatedBy, &created, &expires, &used); err != nil {
			return nil, fmt.Errorf("scan challenge: %w", err)
		}
		c.CreatedAt, c.ExpiresAt, c.UsedAt = fromMicros(created), fromMicros(expires), fromMicros(used)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// UseAddressChallenge implements core.Store: the guarded UPDATE makes a
// challenge good for exactly one proof.
func (s *Store) UseAddressChallenge(ctx context.Context, id int64, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	return s.spendProof(ctx, oneTimeProof{"address_challenges", "Challenge", "issue a new one"}, id, "", nil,
		func(err error) error { return fmt.Errorf("use challenge: %w", err) }, change, audit)
}

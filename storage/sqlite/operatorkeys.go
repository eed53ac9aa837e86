package sqlite

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"depositdesk/core"
)

// RegisterOperatorKey implements core.Store.
func (s *Store) RegisterOperatorKey(ctx context.Context, k *core.OperatorKey, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO operator_keys (operator_id, public_key, created_at) VALUES (?, ?, ?)`,
			k.OperatorID, hex.EncodeToString(k.PublicKey), micros(k.CreatedAt))
		if err != nil {
			return conflict(err, "Approval key %s is registered already.", core.KeyFingerprint(k.PublicKey))
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindOperatorKeys implements core.Store.
func (s *Store) FindOperatorKeys(ctx context.Context, f core.OperatorKeyFilter) ([]*core.OperatorKey, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.OperatorID != nil {
		where, args = append(where, "k.operator_id = ?"), append(args, *f.OperatorID)
	}
	if f.PublicKey != nil {
		where, args = append(where, "k.public_key = ?"), append(args, hex.EncodeToString(f.PublicKey))
	}
	rows, err := preparedReader{s}.QueryContext(ctx, `SELECT k.operator_id, o.name, k.public_key, k.created_at FROM operator_keys k
		JOIN operators o ON o.id = k.operator_id WHERE `+strings.Join(where, " AND ")+` ORDER BY o.name, k.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find operator keys: %w", err)
	}
	defer rows.Close()
	var out []*core.OperatorKey
	for rows.Next() {
		var k core.OperatorKey
		var pub string
		var created int64
		if err := rows.Scan(&k.OperatorID, &k.Operator, &pub, &created); err != nil {
			return nil, fmt.Errorf("scan operator key: %w", err)
		}
		if k.PublicKey, err = hex.DecodeString(pub); err != nil {
			return nil, fmt.Errorf("operator key of %s: %w", k.Operator, err)
		}
		k.CreatedAt = fromMicros(created)
		out = append(out, &k)
	}
	return out, rows.Err()
}

package postgres

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

// RegisterOperatorKey implements core.Store.
func (s *Store) RegisterOperatorKey(ctx context.Context, k *core.OperatorKey, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO operator_keys (operator_id, public_key, created_at) VALUES ($1, $2, $3)`,
			k.OperatorID, hex.EncodeToString(k.PublicKey), k.CreatedAt.UTC())
		if err != nil {
			return conflict(err, "Approval key %s is registered already.", core.KeyFingerprint(k.PublicKey))
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindOperatorKeys implements core.Store.
func (s *Store) FindOperatorKeys(ctx context.Context, f core.OperatorKeyFilter) ([]*core.OperatorKey, error) {
	w := newWhere()
	if f.OperatorID != nil {
		w.add("k.operator_id = ?", *f.OperatorID)
	}
	if f.PublicKey != nil {
		w.add("k.public_key = ?", hex.EncodeToString(f.PublicKey))
	}
	rows, err := s.pool.Query(ctx, `SELECT k.operator_id, o.name, k.public_key, k.created_at FROM operator_keys k
		JOIN operators o ON o.id = k.operator_id WHERE `+w.sql()+` ORDER BY o.name, k.id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("find operator keys: %w", err)
	}
	defer rows.Close()
	var out []*core.OperatorKey
	for rows.Next() {
		var k core.OperatorKey
		var pub string
		if err := rows.Scan(&k.OperatorID, &k.Operator, &pub, &k.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan operator key: %w", err)
		}
		if k.PublicKey, err = hex.DecodeString(pub); err != nil {
			return nil, fmt.Errorf("operator key of %s: %w", k.Operator, err)
		}
		k.CreatedAt = k.CreatedAt.UTC()
		out = append(out, &k)
	}
	return out, rows.Err()
}

package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

// CreateMicroDeposit implements core.Store.
func (s *Store) CreateMicroDeposit(ctx context.Context, md *core.MicroDeposit, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO micro_deposits (address_id, asset_id, amount, deposit_address, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, md.AddressID, md.AssetID, md.Amount.String(), md.DepositAddress, md.CreatedBy,
			md.CreatedAt.UTC(), md.ExpiresAt.UTC()).Scan(&md.ID); err != nil {
			return fmt.Errorf("create micro deposit: %w", err)
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindMicroDeposits implements core.Store.
func (s *Store) FindMicroDeposits(ctx context.Context, addressID, id int64) ([]*core.MicroDeposit, error) {
	return findMicroDeposits(ctx, s.pool, addressID, id)
}

func findMicroDeposits(ctx context.Context, q querier, addressID, id int64) ([]*core.MicroDeposit, error) {
	where, arg := `address_id = $1`, addressID
	if id > 0 {
		where, arg = `id = $1`, id
	}
	rows, err := q.Query(ctx, `SELECT id, address_id, asset_id, amount, deposit_address, created_by, created_at, expires_at, txid, used_at
		FROM micro_deposits WHERE `+where+` ORDER BY id DESC`, arg)
	if err != nil {
		return nil, fmt.Errorf("find micro deposits: %w", err)
	}
	defer rows.Close()
	var out []*core.MicroDeposit
	for rows.Next() {
		var m core.MicroDeposit
		var amount string
		var used *time.Time
		if err := rows.Scan(&m.ID, &m.AddressID, &m.AssetID, &amount, &m.DepositAddress, &m.CreatedBy, &m.CreatedAt, &m.ExpiresAt, &m.TxID, &used); err != nil {
			return nil, fmt.Errorf("scan micro deposit: %w", err)
		}
		if m.Amount, err = parseBig(amount); err != nil {
			return nil, err
		}
		m.CreatedAt, m.ExpiresAt, m.UsedAt = m.CreatedAt.UTC(), m.ExpiresAt.UTC(), fromTS(used)
		out = append(out, &m)
	}
	return out, rows.Err()
}

// UseMicroDeposit implements core.Store with a guarded UPDATE; the unique
// index on txid keeps one transaction from proving two challenges.
func (s *Store) UseMicroDeposit(ctx context.Context, id int64, txid string, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	return s.spendProof(ctx, oneTimeProof{"micro_deposits", "Micro-deposit challenge", "start a new one"}, id, ", txid = $2", []any{txid},
		func(err error) error { return conflict(err, "Transaction %s already proved another address.", txid) }, change, audit)
}

package sqlite

import (
	"context"
	"fmt"

	"depositdesk/core"
)

// CreateMicroDeposit implements core.Store.
func (s *Store) CreateMicroDeposit(ctx context.Context, md *core.MicroDeposit, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO micro_deposits (address_id, asset_id, amount, deposit_address, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, md.AddressID, md.AssetID, md.Amount.String(), md.DepositAddress, md.CreatedBy,
			micros(md.CreatedAt), micros(md.ExpiresAt))
		if err != nil {
			return fmt.Errorf("create micro deposit: %w", err)
		}
		if md.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindMicroDeposits implements core.Store.
func (s *Store) FindMicroDeposits(ctx context.Context, addressID, id int64) ([]*core.MicroDeposit, error) {
	return findMicroDeposits(ctx, preparedReader{s}, addressID, id)
}

func findMicroDeposits(ctx context.Context, q queryer, addressID, id int64) ([]*core.MicroDeposit, error) {
	where, arg := `address_id = ?`, addressID
	if id > 0 {
		where, arg = `id = ?`, id
	}
	rows, err := q.QueryContext(ctx, `SELECT id, address_id, asset_id, amount, deposit_address, created_by, created_at, expires_at, txid, used_at
		FROM micro_deposits WHERE `+where+` ORDER BY id DESC`, arg)
	if err != nil {
		return nil, fmt.Errorf("find micro deposits: %w", err)
	}
	defer rows.Close()
	var out []*core.MicroDeposit
	for rows.Next() {
		var m core.MicroDeposit
		var amount string
		var created, expires, used int64
		if err := rows.Scan(&m.ID, &m.AddressID, &m.AssetID, &amount, &m.DepositAddress, &m.CreatedBy, &created, &expires, &m.TxID, &used); err != nil {
			return nil, fmt.Errorf("scan micro deposit: %w", err)
		}
		if m.Amount, err = parseBig(amount); err != nil {
			return nil, err
		}
		m.CreatedAt, m.ExpiresAt, m.UsedAt = fromMicros(created), fromMicros(expires), fromMicros(used)
		out = append(out, &m)
	}
	return out, rows.Err()
}

// UseMicroDeposit implements core.Store with a guarded UPDATE; the unique
// index on txid keeps one transaction from proving two challenges.
func (s *Store) UseMicroDeposit(ctx context.Context, id int64, txid string, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	return s.spendProof(ctx, oneTimeProof{"micro_deposits", "Micro-deposit challenge", "start a new one"}, id, ", txid = ?", []any{txid},
		func(err error) error { return conflict(err, "Transaction %s already proved another address.", txid) }, change, audit)
}

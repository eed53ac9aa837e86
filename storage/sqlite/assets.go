package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"depositdesk/core"
)

const assetColumns = `id, chain, network, symbol, name, contract_address, decimals, min_deposit, confirmations_required, enabled, account_xpub,
	refund_fee_rate, refund_fee_cap, created_at, updated_at`

// CreateAsset implements core.Store.
func (s *Store) CreateAsset(ctx context.Context, a *core.Asset, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO assets (chain, network, symbol, name, contract_address, decimals, min_deposit,
			confirmations_required, enabled, account_xpub, refund_fee_rate, refund_fee_cap, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.Chain, a.Network, a.Symbol, a.Name, a.ContractAddress, a.Decimals, a.MinDeposit.String(),
			a.ConfirmationsRequired, boolInt(a.Enabled), a.AccountXPub, nullBig(a.RefundFeeRate), nullBig(a.RefundFeeCap),
			micros(a.CreatedAt), micros(a.UpdatedAt))
		if err != nil {
			return conflict(err, "Asset %s is already configured.", a.Key())
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// UpdateAsset implements core.Store.
func (s *Store) UpdateAsset(ctx context.Context, id int64, upd core.AssetUpdate, audit core.AuditEntry) (*core.Asset, error) {
	var out *core.Asset
	err := s.withTx(ctx, func(tx *writeTx) error {
		set, args := []string{"updated_at = ?"}, []any{micros(audit.At)}
		if upd.Name != nil {
			set, args = append(set, "name = ?"), append(args, *upd.Name)
		}
		if upd.MinDeposit != nil {
			set, args = append(set, "min_deposit = ?"), append(args, upd.MinDeposit.String())
		}
		if upd.ConfirmationsRequired != nil {
			set, args = append(set, "confirmations_required = ?"), append(args, *upd.ConfirmationsRequired)
		}
		if upd.Enabled != nil {
			set, args = append(set, "enabled = ?"), append(args, boolInt(*upd.Enabled))
		}
		if upd.AccountXPub != nil {
			set, args = append(set, "account_xpub = ?"), append(args, *upd.AccountXPub)
		}
		if upd.RefundFeeRate != nil {
			// A zero rate clears it (the node's estimate again), as core.AssetUpdate says.
			set, args = append(set, "refund_fee_rate = NULLIF(?, '0')"), append(args, upd.RefundFeeRate.String())
		}
		if upd.RefundFeeCap != nil {
			set, args = append(set, "refund_fee_cap = ?"), append(args, upd.RefundFeeCap.String())
		}
		res, err := tx.ExecContext(ctx, `UPDATE assets SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, id)...)
		if err != nil {
			return fmt.Errorf("update asset: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return core.Errorf(core.ENOTFOUND, "Asset %d not found.", id)
		}
		as, err := findAssets(ctx, tx, core.AssetFilter{ID: &id})
		if err != nil {
			return err
		}
		out = as[0]
		return appendAudit(ctx, tx, audit)
	})
	return out, err
}

// FindAssets implements core.Store.
func (s *Store) FindAssets(ctx context.Context, f core.AssetFilter) ([]*core.Asset, error) {
	return findAssets(ctx, preparedReader{s}, f)
}

func findAssets(ctx context.Context, q queryer, f core.AssetFilter) ([]*core.Asset, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "id = ?"), append(args, *f.ID)
	}
	if f.Symbol != nil {
		where, args = append(where, "symbol = ?"), append(args, *f.Symbol)
	}
	if f.Chain != nil {
		where, args = append(where, "chain = ?"), append(args, *f.Chain)
	}
	if f.Network != nil {
		where, args = append(where, "network = ?"), append(args, *f.Network)
	}
	if f.Enabled != nil {
		where, args = append(where, "enabled = ?"), append(args, boolInt(*f.Enabled))
	}
	rows, err := q.QueryContext(ctx, `SELECT `+assetColumns+` FROM assets WHERE `+strings.Join(where, " AND ")+` ORDER BY symbol, network`, args...)
	if err != nil {
		return nil, fmt.Errorf("find assets: %w", err)
	}
	defer rows.Close()
	var out []*core.Asset
	for rows.Next() {
		var a core.Asset
		var minDep string
		var feeRate, feeCap sql.NullString
		var enabled int
		var created, updated int64
		if err := rows.Scan(&a.ID, &a.Chain, &a.Network, &a.Symbol, &a.Name, &a.ContractAddress, &a.Decimals, &minDep,
			&a.ConfirmationsRequired, &enabled, &a.AccountXPub, &feeRate, &feeCap, &created, &updated); err != nil {
			return nil, fmt.Errorf("scan asset: %w", err)
		}
		if a.MinDeposit, err = parseBig(minDep); err != nil {
			return nil, err
		}
		if a.RefundFeeRate, err = parseNullBig(feeRate); err != nil {
			return nil, err
		}
		if a.RefundFeeCap, err = parseNullBig(feeCap); err != nil {
			return nil, err
		}
		a.Enabled, a.CreatedAt, a.UpdatedAt = enabled == 1, fromMicros(created), fromMicros(updated)
		out = append(out, &a)
	}
	return out, rows.Err()
}

// nullBig stores an optional amount: NULL when unset.
func nullBig(v *big.Int) any {
	if v == nil {
		return nil
	}
	return v.String()
}

// parseNullBig reads an optional amount; NULL is nil.
func parseNullBig(s sql.NullString) (*big.Int, error) {
	if !s.Valid {
		return nil, nil
	}
	return parseBig(s.String)
}

// parseBig reads a stored base-unit amount. Most amounts fit a uint64,
// which strconv reads several times faster than big.Int's scanner.
func parseBig(s string) (*big.Int, error) {
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return new(big.Int).SetUint64(n), nil
	}
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("stored amount %q is not an integer", s)
	}
	return v, nil
}

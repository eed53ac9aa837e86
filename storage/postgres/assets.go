package postgres

import (
	"context"
	"fmt"
	"math/big"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

const assetColumns = `id, chain, network, symbol, name, contract_address, decimals, min_deposit::text, confirmations_required, enabled, account_xpub,
	refund_fee_rate::text, refund_fee_cap::text, created_at, updated_at`

// CreateAsset implements core.Store.
func (s *Store) CreateAsset(ctx context.Context, a *core.Asset, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO assets (chain, network, symbol, name, contract_address, decimals, min_deposit,
			confirmations_required, enabled, account_xpub, refund_fee_rate, refund_fee_cap, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8, $9, $10, $11::numeric, $12::numeric, $13, $14) RETURNING id`,
			a.Chain, a.Network, a.Symbol, a.Name, a.ContractAddress, a.Decimals, a.MinDeposit.String(),
			a.ConfirmationsRequired, a.Enabled, a.AccountXPub, nullBig(a.RefundFeeRate), nullBig(a.RefundFeeCap),
			a.CreatedAt, a.UpdatedAt).Scan(&a.ID)
		if err != nil {
			return conflict(err, "Asset %s is already configured.", a.Key())
		}
		return appendAudit(ctx, tx, audit)
	})
}

// UpdateAsset implements core.Store.
func (s *Store) UpdateAsset(ctx context.Context, id int64, upd core.AssetUpdate, audit core.AuditEntry) (*core.Asset, error) {
	var out *core.Asset
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		w := newWhere()
		w.add("updated_at = ?", audit.At)
		if upd.Name != nil {
			w.add("name = ?", *upd.Name)
		}
		if upd.MinDeposit != nil {
			w.add("min_deposit = ?::numeric", upd.MinDeposit.String())
		}
		if upd.ConfirmationsRequired != nil {
			w.add("confirmations_required = ?", *upd.ConfirmationsRequired)
		}
		if upd.Enabled != nil {
			w.add("enabled = ?", *upd.Enabled)
		}
		if upd.AccountXPub != nil {
			w.add("account_xpub = ?", *upd.AccountXPub)
		}
		if upd.RefundFeeRate != nil {
			// A zero rate clears it (the node's estimate again), as core.AssetUpdate says.
			w.add("refund_fee_rate = NULLIF(?::numeric, 0)", upd.RefundFeeRate.String())
		}
		if upd.RefundFeeCap != nil {
			w.add("refund_fee_cap = ?::numeric", upd.RefundFeeCap.String())
		}
		tag, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE assets SET %s WHERE id = $%d`, w.set(), len(w.args)+1), append(w.args, id)...)
		if err != nil {
			return fmt.Errorf("update asset: %w", err)
		}
		if tag.RowsAffected() == 0 {
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
	return findAssets(ctx, s.pool, f)
}

func findAssets(ctx context.Context, q querier, f core.AssetFilter) ([]*core.Asset, error) {
	w := newWhere()
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.Symbol != nil {
		w.add("symbol = ?", *f.Symbol)
	}
	if f.Chain != nil {
		w.add("chain = ?", *f.Chain)
	}
	if f.Network != nil {
		w.add("network = ?", *f.Network)
	}
	if f.Enabled != nil {
		w.add("enabled = ?", *f.Enabled)
	}
	rows, err := q.Query(ctx, `SELECT `+assetColumns+` FROM assets WHERE `+w.sql()+` ORDER BY symbol, network`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("find assets: %w", err)
	}
	defer rows.Close()
	var out []*core.Asset
	for rows.Next() {
		var a core.Asset
		var minDep string
		var feeRate, feeCap *string
		if err := rows.Scan(&a.ID, &a.Chain, &a.Network, &a.Symbol, &a.Name, &a.ContractAddress, &a.Decimals, &minDep,
			&a.ConfirmationsRequired, &a.Enabled, &a.AccountXPub, &feeRate, &feeCap, &a.CreatedAt, &a.UpdatedAt); err != nil {
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
		a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
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
func parseNullBig(s *string) (*big.Int, error) {
	if s == nil {
		return nil, nil
	}
	return parseBig(*s)
}

func parseBig(s string) (*big.Int, error) {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("stored amount %q is not an integer", s)
	}
	return v, nil
}

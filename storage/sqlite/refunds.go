package sqlite

import (
	"context"
	"fmt"
	"strings"

	"depositdesk/core"
)

const refundColumns = `r.id, r.deposit_id, d.record_no, d.customer_no, a.chain, a.symbol, a.decimals, r.status, r.address, r.network, r.amount,
	r.adjustment_reason, r.identity_check, r.forced, r.requested_by, r.approved_by, r.txid, r.confirmations, r.created_at, r.updated_at`

// CreateRefund implements core.Store.
func (s *Store) CreateRefund(ctx context.Context, r *core.Refund, deposit core.DepositTransition) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		if _, err := transitionDeposit(ctx, tx, deposit); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO refunds (deposit_id, status, address, network, amount, adjustment_reason,
			identity_check, forced, requested_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.DepositID,
			string(r.Status), r.Address, r.Network, r.Amount.String(), r.AdjustmentReason, r.IdentityCheck, boolInt(r.Forced), r.RequestedBy,
			micros(r.CreatedAt), micros(r.UpdatedAt))
		if err != nil {
			return conflict(err, "Record %s already has a refund in progress.", r.RecordNo)
		}
		r.ID, err = res.LastInsertId()
		return err
	})
}

// FindRefunds implements core.Store.
func (s *Store) FindRefunds(ctx context.Context, f core.RefundFilter) ([]*core.Refund, error) {
	return findRefunds(ctx, preparedReader{s}, f)
}

func findRefunds(ctx context.Context, q queryer, f core.RefundFilter) ([]*core.Refund, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "r.id = ?"), append(args, *f.ID)
	}
	if f.DepositID != nil {
		where, args = append(where, "r.deposit_id = ?"), append(args, *f.DepositID)
	}
	if f.Status != nil {
		where, args = append(where, "r.status = ?"), append(args, string(*f.Status))
	}
	query := `SELECT ` + refundColumns + ` FROM refunds r JOIN deposits d ON d.id = r.deposit_id JOIN assets a ON a.id = d.asset_id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY r.id DESC` + limitClause(f.Limit)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find refunds: %w", err)
	}
	defer rows.Close()
	var out []*core.Refund
	for rows.Next() {
		var r core.Refund
		var status, amount string
		var created, updated int64
		var forced int
		if err := rows.Scan(&r.ID, &r.DepositID, &r.RecordNo, &r.CustomerNo, &r.Chain, &r.AssetSymbol, &r.Decimals, &status, &r.Address, &r.Network, &amount,
			&r.AdjustmentReason, &r.IdentityCheck, &forced, &r.RequestedBy, &r.ApprovedBy, &r.TxID, &r.Confirmations, &created, &updated); err != nil {
			return nil, fmt.Errorf("scan refund: %w", err)
		}
		if r.Amount, err = parseBig(amount); err != nil {
			return nil, err
		}
		r.Status, r.Forced, r.CreatedAt, r.UpdatedAt = core.RefundStatus(status), forced == 1, fromMicros(created), fromMicros(updated)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// TransitionRefund implements core.Store.
func (s *Store) TransitionRefund(ctx context.Context, t core.RefundTransition) (*core.Refund, error) {
	if !core.CanTransitionRefund(t.From, t.To) {
		return nil, core.Errorf(core.EINVALID, "A refund cannot go from %s to %s.", t.From.Display(), t.To.Display())
	}
	var out *core.Refund
	err := s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE refunds SET status = ?, approved_by = CASE WHEN ? = '' THEN approved_by ELSE ? END,
			updated_at = ? WHERE id = ? AND status = ?`, string(t.To), t.ApprovedBy, t.ApprovedBy, micros(t.Audit.At), t.ID, string(t.From))
		if err != nil {
			return fmt.Errorf("transition refund: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("transition refund: %w", err)
		}
		rs, err := findRefunds(ctx, tx, core.RefundFilter{ID: &t.ID})
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return core.Errorf(core.ENOTFOUND, "Refund %d not found.", t.ID)
		}
		if n == 0 {
			return core.Errorf(core.ECONFLICT, "Refund %d is %s now, not %s; someone else changed it.", t.ID, rs[0].Status.Display(), t.From.Display())
		}
		out = rs[0]
		if err := appendAudit(ctx, tx, t.Audit); err != nil {
			return err
		}
		if t.Deposit != nil {
			_, err = transitionDeposit(ctx, tx, *t.Deposit)
		}
		return err
	})
	return out, err
}

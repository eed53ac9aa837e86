package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

const refundColumns = `r.id, r.deposit_id, d.record_no, d.customer_no, a.chain, a.symbol, a.decimals, r.status, r.address, r.network, r.amount::text,
	r.adjustment_reason, r.identity_check, r.forced, r.requested_by, r.approved_by, r.txid, r.confirmations, r.created_at, r.updated_at`

// CreateRefund implements core.Store.
func (s *Store) CreateRefund(ctx context.Context, r *core.Refund, deposit core.DepositTransition) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := transitionDeposit(ctx, tx, deposit); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO refunds (deposit_id, status, address, network, amount, adjustment_reason,
			identity_check, forced, requested_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			r.DepositID, string(r.Status), r.Address, r.Network, r.Amount.String(), r.AdjustmentReason, r.IdentityCheck, r.Forced, r.RequestedBy,
			r.CreatedAt.UTC(), r.UpdatedAt.UTC()).Scan(&r.ID)
		if err != nil {
			return conflict(err, "Record %s already has a refund in progress.", r.RecordNo)
		}
		return nil
	})
}

// FindRefunds implements core.Store.
func (s *Store) FindRefunds(ctx context.Context, f core.RefundFilter) ([]*core.Refund, error) {
	return findRefunds(ctx, s.pool, f)
}

func findRefunds(ctx context.Context, q querier, f core.RefundFilter) ([]*core.Refund, error) {
	w := newWhere()
	if f.ID != nil {
		w.add("r.id = ?", *f.ID)
	}
	if f.DepositID != nil {
		w.add("r.deposit_id = ?", *f.DepositID)
	}
	if f.Status != nil {
		w.add("r.status = ?", string(*f.Status))
	}
	query := `SELECT ` + refundColumns + ` FROM refunds r JOIN deposits d ON d.id = r.deposit_id JOIN assets a ON a.id = d.asset_id
		WHERE ` + w.sql() + ` ORDER BY r.id DESC` + limitClause(f.Limit)
	rows, err := q.Query(ctx, query, w.args...)
	if err != nil {
		return nil, fmt.Errorf("find refunds: %w", err)
	}
	defer rows.Close()
	var out []*core.Refund
	for rows.Next() {
		var r core.Refund
		var status, amount string
		if err := rows.Scan(&r.ID, &r.DepositID, &r.RecordNo, &r.CustomerNo, &r.Chain, &r.AssetSymbol, &r.Decimals, &status, &r.Address, &r.Network, &amount,
			&r.AdjustmentReason, &r.IdentityCheck, &r.Forced, &r.RequestedBy, &r.ApprovedBy, &r.TxID, &r.Confirmations, &r.CreatedAt, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("scan refund: %w", err)
		}
		if r.Amount, err = parseBig(amount); err != nil {
			return nil, err
		}
		r.Status, r.CreatedAt, r.UpdatedAt = core.RefundStatus(status), r.CreatedAt.UTC(), r.UpdatedAt.UTC()
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
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE refunds SET status = $1, approved_by = CASE WHEN $2 = '' THEN approved_by ELSE $2 END,
			updated_at = $3 WHERE id = $4 AND status = $5`, string(t.To), t.ApprovedBy, t.Audit.At.UTC(), t.ID, string(t.From))
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
		if tag.RowsAffected() == 0 {
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

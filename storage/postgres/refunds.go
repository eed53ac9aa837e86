package postgres

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

const refundColumns = `r.id, r.deposit_id, d.record_no, d.customer_no, a.chain, a.symbol, a.decimals, r.status, r.address, r.network, r.amount::text,
	r.adjustment_reason, r.identity_check, r.forced, r.requested_by, r.approved_by, r.payout, r.signed_tx, r.txid, r.confirmations,
	a.confirmations_required, r.remarks, r.notified_by, r.notified_at, r.notice_channel, r.notice_note, r.created_at, r.updated_at,
	r.approvals`

// CreateRefund implements core.Store.
func (s *Store) CreateRefund(ctx context.Context, r *core.Refund, deposit core.DepositTransition) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := transitionDeposit(ctx, tx, deposit); err != nil {
			return err
		}
		approvals, err := encodeApprovals(r.Approvals)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO refunds (deposit_id, status, address, network, amount, adjustment_reason,
			identity_check, forced, requested_by, created_at, updated_at, approvals)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			r.DepositID, string(r.Status), r.Address, r.Network, r.Amount.String(), r.AdjustmentReason, r.IdentityCheck, r.Forced, r.RequestedBy,
			r.CreatedAt.UTC(), r.UpdatedAt.UTC(), approvals).Scan(&r.ID)
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
		r, err := scanRefund(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRefund(row pgx.Row) (*core.Refund, error) {
	var r core.Refund
	var status, amount, payout, signed, channel, approvals string
	var n core.RefundNotice
	var notified *time.Time
	if err := row.Scan(&r.ID, &r.DepositID, &r.RecordNo, &r.CustomerNo, &r.Chain, &r.AssetSymbol, &r.Decimals, &status, &r.Address, &r.Network, &amount,
		&r.AdjustmentReason, &r.IdentityCheck, &r.Forced, &r.RequestedBy, &r.ApprovedBy, &payout, &signed, &r.TxID, &r.Confirmations,
		&r.ConfirmationsRequired, &r.Remarks, &n.By, &notified, &channel, &n.Note, &r.CreatedAt, &r.UpdatedAt, &approvals); err != nil {
		return nil, fmt.Errorf("scan refund: %w", err)
	}
	var err error
	if r.Amount, err = parseBig(amount); err != nil {
		return nil, err
	}
	if payout != "" {
		r.Payout = new(core.Payout)
		if err := json.Unmarshal([]byte(payout), r.Payout); err != nil {
			return nil, fmt.Errorf("refund %d: stored payout: %w", r.ID, err)
		}
	}
	if approvals != "" {
		if err := json.Unmarshal([]byte(approvals), &r.Approvals); err != nil {
			return nil, fmt.Errorf("refund %d: stored approvals: %w", r.ID, err)
		}
	}
	if signed != "" {
		if r.SignedTx, err = hex.DecodeString(signed); err != nil {
			return nil, fmt.Errorf("refund %d: stored signed transaction: %w", r.ID, err)
		}
	}
	if n.By != "" {
		n.At, n.Channel = fromTS(notified), core.NoticeChannel(channel)
		r.Notice = &n
	}
	r.Status, r.CreatedAt, r.UpdatedAt = core.RefundStatus(status), r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

func refundByID(ctx context.Context, q querier, id int64) (*core.Refund, error) {
	rs, err := findRefunds(ctx, q, core.RefundFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, core.Errorf(core.ENOTFOUND, "Refund %d not found.", id)
	}
	return rs[0], nil
}

// TransitionRefund implements core.Store.
func (s *Store) TransitionRefund(ctx context.Context, t core.RefundTransition) (*core.Refund, error) {
	if !core.CanTransitionRefund(t.From, t.To) {
		return nil, core.Errorf(core.EINVALID, "A refund cannot go from %s to %s.", t.From.Display(), t.To.Display())
	}
	var out *core.Refund
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		w := newWhere()
		w.add("status = ?", string(t.To))
		w.add("updated_at = ?", t.Audit.At.UTC())
		if t.ApprovedBy != "" {
			w.add("approved_by = ?", t.ApprovedBy)
		}
		if t.Remarks != "" {
			w.add("remarks = ?", t.Remarks)
		}
		if t.Approvals != nil {
			approvals, err := encodeApprovals(t.Approvals)
			if err != nil {
				return err
			}
			w.add("approvals = ?", approvals)
		}
		tag, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE refunds SET %s WHERE id = $%d AND status = $%d`, w.set(), len(w.args)+1, len(w.args)+2),
			append(w.args, t.ID, string(t.From))...)
		if err != nil {
			return fmt.Errorf("transition refund: %w", err)
		}
		if tag.RowsAffected() == 0 {
			cur, err := refundByID(ctx, tx, t.ID)
			if err != nil {
				return err
			}
			return core.Errorf(core.ECONFLICT, "Refund %d is %s now, not %s; someone else changed it.", t.ID, cur.Status.Display(), t.From.Display())
		}
		if err := storeRefundTx(ctx, tx, t); err != nil {
			return err
		}
		if out, err = refundByID(ctx, tx, t.ID); err != nil {
			return err
		}
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

// encodeApprovals is a refund's approvals column: JSON, empty for none.
func encodeApprovals(approvals []core.RefundApproval) (string, error) {
	if len(approvals) == 0 {
		return "", nil
	}
	b, err := json.Marshal(approvals)
	if err != nil {
		return "", fmt.Errorf("encode refund approvals: %w", err)
	}
	return string(b), nil
}

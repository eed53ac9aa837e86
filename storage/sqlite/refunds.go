package sqlite

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"depositdesk/core"
)

const refundColumns = `r.id, r.deposit_id, d.record_no, d.customer_no, a.chain, a.symbol, a.decimals, r.status, r.address, r.network, r.amount,
	r.adjustment_reason, r.identity_check, r.forced, r.requested_by, r.approved_by, r.payout, r.signed_tx, r.txid, r.confirmations,
	a.confirmations_required, r.remarks, r.notified_by, r.notified_at, r.notice_channel, r.notice_note, r.created_at, r.updated_at,
	r.approvals`

// CreateRefund implements core.Store.
func (s *Store) CreateRefund(ctx context.Context, r *core.Refund, deposit core.DepositTransition) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		if _, err := transitionDeposit(ctx, tx, deposit); err != nil {
			return err
		}
		approvals, err := encodeApprovals(r.Approvals)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO refunds (deposit_id, status, address, network, amount, adjustment_reason,
			identity_check, forced, requested_by, created_at, updated_at, approvals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.DepositID,
			string(r.Status), r.Address, r.Network, r.Amount.String(), r.AdjustmentReason, r.IdentityCheck, boolInt(r.Forced), r.RequestedBy,
			micros(r.CreatedAt), micros(r.UpdatedAt), approvals)
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
		r, err := scanRefund(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRefund(row scanner) (*core.Refund, error) {
	var r core.Refund
	var status, amount, payout, signed, channel, approvals string
	var n core.RefundNotice
	var created, updated, notified int64
	var forced int
	if err := row.Scan(&r.ID, &r.DepositID, &r.RecordNo, &r.CustomerNo, &r.Chain, &r.AssetSymbol, &r.Decimals, &status, &r.Address, &r.Network, &amount,
		&r.AdjustmentReason, &r.IdentityCheck, &forced, &r.RequestedBy, &r.ApprovedBy, &payout, &signed, &r.TxID, &r.Confirmations,
		&r.ConfirmationsRequired, &r.Remarks, &n.By, &notified, &channel, &n.Note, &created, &updated, &approvals); err != nil {
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
		n.At, n.Channel = fromMicros(notified), core.NoticeChannel(channel)
		r.Notice = &n
	}
	r.Status, r.Forced, r.CreatedAt, r.UpdatedAt = core.RefundStatus(status), forced == 1, fromMicros(created), fromMicros(updated)
	return &r, nil
}

func refundByID(ctx context.Context, q queryer, id int64) (*core.Refund, error) {
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
	err := s.withTx(ctx, func(tx *writeTx) error {
		set, args := []string{"status = ?", "updated_at = ?"}, []any{string(t.To), micros(t.Audit.At)}
		if t.ApprovedBy != "" {
			set, args = append(set, "approved_by = ?"), append(args, t.ApprovedBy)
		}
		if t.Remarks != "" {
			set, args = append(set, "remarks = ?"), append(args, t.Remarks)
		}
		if t.Approvals != nil {
			approvals, err := encodeApprovals(t.Approvals)
			if err != nil {
				return err
			}
			set, args = append(set, "approvals = ?"), append(args, approvals)
		}
		res, err := tx.ExecContext(ctx, `UPDATE refunds SET `+strings.Join(set, ", ")+` WHERE id = ? AND status = ?`,
			append(args, t.ID, string(t.From))...)
		if err != nil {
			return fmt.Errorf("transition refund: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("transition refund: %w", err)
		}
		if n == 0 {
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

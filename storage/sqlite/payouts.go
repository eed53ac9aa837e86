package sqlite

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"depositdesk/core"
)

// storeRefundTx stores what a refund transition carries besides its
// status: the spends given back, a new payout with its spends claimed, the
// signed transaction.
func storeRefundTx(ctx context.Context, tx *writeTx, t core.RefundTransition) error {
	if t.Release || t.Payout != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM refund_spends WHERE refund_id = ?`, t.ID); err != nil {
			return fmt.Errorf("release refund spends: %w", err)
		}
	}
	if p := t.Payout; p != nil {
		if err := claimSpends(ctx, tx, t.ID, p.Spends(t.Network)); err != nil {
			return err
		}
		js, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("encode payout: %w", err)
		}
		// The change columns let FindPayoutCoins find the change by SQL;
		// it pays the account key of the refunded asset. A new payout
		// voids any transaction signed for an earlier one.
		var change any
		var index uint32
		var address string
		if c := p.Change.Big(); c != nil && c.Sign() > 0 {
			change, index, address = c.String(), p.ChangeIndex, p.ChangeAddress
		}
		if _, err := tx.ExecContext(ctx, `UPDATE refunds SET payout = ?, change_amount = ?, change_index = ?, change_address = ?,
			change_xpub = CASE WHEN ? IS NULL THEN '' ELSE (SELECT a.account_xpub FROM deposits d JOIN assets a ON a.id = d.asset_id
				WHERE d.id = refunds.deposit_id) END,
			signed_tx = '', txid = '', change_outpoint = '' WHERE id = ?`, string(js), change, index, address, change, t.ID); err != nil {
			return fmt.Errorf("store payout: %w", err)
		}
	}
	if t.SignedTx != nil {
		// A Bitcoin refund's change is always its output 1.
		if _, err := tx.ExecContext(ctx, `UPDATE refunds SET signed_tx = ?, txid = ?,
			change_outpoint = CASE WHEN change_amount IS NULL THEN '' ELSE ? || ':1' END WHERE id = ?`,
			hex.EncodeToString(t.SignedTx), t.TxID, t.TxID, t.ID); err != nil {
			return fmt.Errorf("store signed refund: %w", err)
		}
	}
	return nil
}

// claimSpends records that refund id spends spends. The primary key of
// refund_spends refuses a spend another refund holds; the caller's
// transaction is then rolled back whole.
func claimSpends(ctx context.Context, tx *writeTx, id int64, spends []string) error {
	for _, sp := range spends {
		_, err := tx.ExecContext(ctx, `INSERT INTO refund_spends (spend, refund_id) VALUES (?, ?)`, sp, id)
		if err == nil {
			continue
		}
		if !isUnique(err) {
			return fmt.Errorf("claim refund spend: %w", err)
		}
		var holder int64
		if err := tx.QueryRowContext(ctx, `SELECT refund_id FROM refund_spends WHERE spend = ?`, sp).Scan(&holder); err != nil {
			return fmt.Errorf("find refund spend: %w", err)
		}
		if holder == id { // the payout names a spend twice
			return core.Errorf(core.ECONFLICT, "A spend of refund %d's payout is already claimed; prepare the refund again.", id)
		}
		return core.Errorf(core.ECONFLICT, "%s is already claimed by refund %d; prepare the refund again.", sp, holder)
	}
	return nil
}

// UpdateRefundChain implements core.Store.
func (s *Store) UpdateRefundChain(ctx context.Context, id int64, status core.RefundStatus, confirmations int) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE refunds SET confirmations = ? WHERE id = ? AND status = ?`,
			confirmations, id, string(status)); err != nil {
			return fmt.Errorf("update refund chain state: %w", err)
		}
		return nil
	})
}

// NotifyRefund implements core.Store.
func (s *Store) NotifyRefund(ctx context.Context, id int64, n core.RefundNotice, audit core.AuditEntry) (*core.Refund, error) {
	var out *core.Refund
	err := s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE refunds SET notified_by = ?, notified_at = ?, notice_channel = ?, notice_note = ?, updated_at = ?
			WHERE id = ? AND status = 'confirmed' AND notified_by = ''`,
			n.By, micros(n.At), string(n.Channel), n.Note, micros(audit.At), id)
		if err != nil {
			return fmt.Errorf("record refund notice: %w", err)
		}
		changed, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("record refund notice: %w", err)
		}
		if out, err = refundByID(ctx, tx, id); err != nil {
			return err
		}
		if changed == 0 {
			return noticeRefused(out)
		}
		return appendAudit(ctx, tx, audit)
	})
	return out, err
}

// noticeRefused says why a refund's notice was not recorded.
func noticeRefused(r *core.Refund) error {
	if r.Notice != nil {
		return core.Errorf(core.ECONFLICT, "The customer of refund %d was already notified (by %s).", r.ID, r.Notice.By)
	}
	return core.Errorf(core.ECONFLICT, "Refund %d is %s; only a refunded (confirmed) refund whose customer was not yet notified can record a notice.",
		r.ID, r.Status.Display())
}

// payoutCoinsQuery lists an account's Bitcoin outputs: credited deposits at
// its derived addresses (branch 0) and the change of its signed refunds
// (branch 1), without those a refund holds. Amounts are canonical decimal
// TEXT, so the longer is the larger and equal lengths compare as text.
const payoutCoinsQuery = `SELECT outpoint, amount, branch, key_index, address FROM (
	SELECT d.txid || ':' || d.tx_index AS outpoint, d.amount AS amount, 0 AS branch, da.key_index AS key_index, da.address AS address
	FROM deposits d JOIN deposit_addresses da ON da.network = d.network AND da.address = d.destination_address
	WHERE d.asset_id = ?1 AND d.status IN ('credited', 'refunding', 'refunded') AND d.txid IS NOT NULL AND d.txid <> ''
		AND da.account_xpub = ?2 AND da.chain = ?3 AND da.network = ?4
	UNION ALL
	SELECT r.change_outpoint, r.change_amount, 1, r.change_index, r.change_address
	FROM refunds r JOIN deposits d ON d.id = r.deposit_id
	WHERE d.asset_id = ?1 AND r.status IN ('signed', 'broadcast', 'confirmed') AND r.change_outpoint <> '' AND r.change_xpub = ?2
) c
WHERE NOT EXISTS (SELECT 1 FROM refund_spends s WHERE s.spend = ?5 || c.outpoint) AND (?6 IS NULL OR c.outpoint = ?6)
ORDER BY length(c.amount) DESC, c.amount DESC, c.outpoint`

// FindPayoutCoins implements core.Store.
func (s *Store) FindPayoutCoins(ctx context.Context, f core.PayoutCoinFilter) ([]core.PayoutInput, error) {
	var outpoint any
	if f.Outpoint != nil {
		outpoint = *f.Outpoint
	}
	rows, err := (preparedReader{s}).QueryContext(ctx, payoutCoinsQuery+limitClause(f.Limit),
		f.AssetID, f.XPub, f.Network.Chain, f.Network.Name, core.SpendKey(f.Network, ""), outpoint)
	if err != nil {
		return nil, fmt.Errorf("find payout coins: %w", err)
	}
	defer rows.Close()
	var out []core.PayoutInput
	for rows.Next() {
		var in core.PayoutInput
		var amount string
		if err := rows.Scan(&in.Outpoint, &amount, &in.Branch, &in.Index, &in.Address); err != nil {
			return nil, fmt.Errorf("scan payout coin: %w", err)
		}
		v, err := parseBig(amount)
		if err != nil {
			return nil, err
		}
		in.Amount = core.NewInt(v)
		out = append(out, in)
	}
	return out, rows.Err()
}

// FindHeldSpends implements core.Store: a range of refund_spends' primary
// key (bytewise BINARY order; LIKE would be case-insensitive and not
// bounded by the key).
func (s *Store) FindHeldSpends(ctx context.Context, prefix string) ([]string, error) {
	from, to, err := core.KeyPrefixRange(prefix)
	if err != nil {
		return nil, err
	}
	rows, err := (preparedReader{s}).QueryContext(ctx, `SELECT spend FROM refund_spends WHERE spend >= ? AND spend < ?`, from, to)
	if err != nil {
		return nil, fmt.Errorf("find held spends: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sp string
		if err := rows.Scan(&sp); err != nil {
			return nil, fmt.Errorf("scan held spend: %w", err)
		}
		out = append(out, sp)
	}
	return out, rows.Err()
}

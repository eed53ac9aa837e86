package postgres

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

// storeRefundTx stores what a refund transition carries besides its
// status: the spends given back, a new payout with its spends claimed, the
// signed transaction.
func storeRefundTx(ctx context.Context, tx pgx.Tx, t core.RefundTransition) error {
	if t.Release || t.Payout != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM refund_spends WHERE refund_id = $1`, t.ID); err != nil {
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
		var change *string
		var index uint32
		var address string
		if c := p.Change.Big(); c != nil && c.Sign() > 0 {
			v := c.String()
			change, index, address = &v, p.ChangeIndex, p.ChangeAddress
		}
		if _, err := tx.Exec(ctx, `UPDATE refunds SET payout = $1, change_amount = $2::numeric, change_index = $3, change_address = $4,
			change_xpub = CASE WHEN $2::numeric IS NULL THEN '' ELSE (SELECT a.account_xpub FROM deposits d JOIN assets a ON a.id = d.asset_id
				WHERE d.id = refunds.deposit_id) END,
			signed_tx = '', txid = '', change_outpoint = '' WHERE id = $5`, string(js), change, int64(index), address, t.ID); err != nil {
			return fmt.Errorf("store payout: %w", err)
		}
	}
	if t.SignedTx != nil {
		// A Bitcoin refund's change is always its output 1.
		if _, err := tx.Exec(ctx, `UPDATE refunds SET signed_tx = $1, txid = $2,
			change_outpoint = CASE WHEN change_amount IS NULL THEN '' ELSE $2 || ':1' END WHERE id = $3`,
			hex.EncodeToString(t.SignedTx), t.TxID, t.ID); err != nil {
			return fmt.Errorf("store signed refund: %w", err)
		}
	}
	return nil
}

// claimSpends records that refund id spends spends. The primary key of
// refund_spends refuses a spend another refund holds (a concurrent claim
// waits for the other transaction, then is skipped if it committed); the
// holder is named, and the caller's transaction is rolled back whole.
func claimSpends(ctx context.Context, tx pgx.Tx, id int64, spends []string) error {
	tag, err := tx.Exec(ctx, `INSERT INTO refund_spends (spend, refund_id) SELECT unnest($1::text[]), $2 ON CONFLICT (spend) DO NOTHING`, spends, id)
	if err != nil {
		return fmt.Errorf("claim refund spends: %w", err)
	}
	if tag.RowsAffected() == int64(len(spends)) {
		return nil
	}
	var spend string
	var holder int64
	err = tx.QueryRow(ctx, `SELECT spend, refund_id FROM refund_spends WHERE spend = ANY($1::text[]) AND refund_id <> $2 ORDER BY spend LIMIT 1`,
		spends, id).Scan(&spend, &holder)
	if errors.Is(err, pgx.ErrNoRows) { // the payout names a spend twice, or its holder let go meanwhile
		return core.Errorf(core.ECONFLICT, "A spend of refund %d's payout is already claimed; prepare the refund again.", id)
	} else if err != nil {
		return fmt.Errorf("find refund spend: %w", err)
	}
	return core.Errorf(core.ECONFLICT, "%s is already claimed by refund %d; prepare the refund again.", spend, holder)
}

// UpdateRefundChain implements core.Store.
func (s *Store) UpdateRefundChain(ctx context.Context, id int64, status core.RefundStatus, confirmations int) error {
	if _, err := s.pool.Exec(ctx, `UPDATE refunds SET confirmations = $1 WHERE id = $2 AND status = $3`,
		confirmations, id, string(status)); err != nil {
		return fmt.Errorf("update refund chain state: %w", err)
	}
	return nil
}

// NotifyRefund implements core.Store.
func (s *Store) NotifyRefund(ctx context.Context, id int64, n core.RefundNotice, audit core.AuditEntry) (*core.Refund, error) {
	var out *core.Refund
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE refunds SET notified_by = $1, notified_at = $2, notice_channel = $3, notice_note = $4, updated_at = $5
			WHERE id = $6 AND status = 'confirmed' AND notified_by = ''`,
			n.By, n.At.UTC(), string(n.Channel), n.Note, audit.At.UTC(), id)
		if err != nil {
			return fmt.Errorf("record refund notice: %w", err)
		}
		if out, err = refundByID(ctx, tx, id); err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
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
// (branch 1), without those a refund holds.
const payoutCoinsQuery = `SELECT outpoint, amount::text, branch, key_index, address FROM (
	SELECT d.txid || ':' || d.tx_index AS outpoint, d.amount AS amount, 0 AS branch, da.key_index AS key_index, da.address AS address
	FROM deposits d JOIN deposit_addresses da ON da.network = d.network AND da.address = d.destination_address
	WHERE d.asset_id = $1 AND d.status IN ('credited', 'refunding', 'refunded') AND d.txid IS NOT NULL AND d.txid <> ''
		AND da.account_xpub = $2 AND da.chain = $3 AND da.network = $4
	UNION ALL
	SELECT r.change_outpoint, r.change_amount, 1, r.change_index, r.change_address
	FROM refunds r JOIN deposits d ON d.id = r.deposit_id
	WHERE d.asset_id = $1 AND r.status IN ('signed', 'broadcast', 'confirmed') AND r.change_outpoint <> '' AND r.change_xpub = $2
) c
WHERE NOT EXISTS (SELECT 1 FROM refund_spends s WHERE s.spend = $5 || c.outpoint) AND ($6::text IS NULL OR c.outpoint = $6)
ORDER BY c.amount DESC, c.outpoint`

// FindPayoutCoins implements core.Store.
func (s *Store) FindPayoutCoins(ctx context.Context, f core.PayoutCoinFilter) ([]core.PayoutInput, error) {
	rows, err := s.pool.Query(ctx, payoutCoinsQuery+limitClause(f.Limit),
		f.AssetID, f.XPub, f.Network.Chain, f.Network.Name, core.SpendKey(f.Network, ""), f.Outpoint)
	if err != nil {
		return nil, fmt.Errorf("find payout coins: %w", err)
	}
	defer rows.Close()
	var out []core.PayoutInput
	for rows.Next() {
		var in core.PayoutInput
		var amount string
		var index int64
		if err := rows.Scan(&in.Outpoint, &amount, &in.Branch, &index, &in.Address); err != nil {
			return nil, fmt.Errorf("scan payout coin: %w", err)
		}
		v, err := parseBig(amount)
		if err != nil {
			return nil, err
		}
		in.Amount, in.Index = core.NewInt(v), uint32(index)
		out = append(out, in)
	}
	return out, rows.Err()
}

// FindHeldSpends implements core.Store: a range of refund_spends' primary
// key, which is ordered bytewise (COLLATE "C") under any database locale.
func (s *Store) FindHeldSpends(ctx context.Context, prefix string) ([]string, error) {
	from, to, err := core.KeyPrefixRange(prefix)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT spend FROM refund_spends WHERE spend >= $1 AND spend < $2`, from, to)
	if err != nil {
		return nil, fmt.Errorf("find held spends: %w", err)
	}
	defer rows.Close()
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

package watcher

import (
	"context"
	"fmt"

	"depositdesk/core"
)

// followRefunds brings the network's signed and broadcast refunds up to
// date: a refund's transaction is followed like a deposit's, sent again
// (the same bytes) while the node does not know it, Broadcast once the
// node has it, Confirmed with its deposit Refunded at the asset's
// confirmations on the canonical chain, and Failed only when the chain
// spent its coins or nonce otherwise, so it can never confirm. A refund
// whose fee was bumped is followed by all its transactions, the new one
// perhaps not yet signed: whichever is mined pays it. Refunds are few:
// each is looked up every pass.
func (w *Watcher) followRefunds(ctx context.Context, rep *Report, canon map[int64]string) error {
	for _, st := range []core.RefundStatus{core.RefundPrepared, core.RefundSigned, core.RefundBroadcast} {
		rs, err := w.Store.FindRefunds(ctx, core.RefundFilter{Status: &st})
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.Chain != w.Network.Chain || r.Network != w.Network.Name || st == core.RefundPrepared && len(earlier(r)) == 0 {
				continue
			}
			rep.Checked++
			if err := w.followRefund(ctx, rep, r, canon); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				rep.Failed++
				w.log().Error("refund left unchanged", "network", w.Network.String(), "refund", r.ID, "txid", r.TxID, "error", err)
			}
		}
	}
	return nil
}

// earlier are the transactions a fee bump of r replaced.
func earlier(r *core.Refund) []core.EarlierTx {
	if r.Payout == nil {
		return nil
	}
	return r.Payout.Earlier
}

func (w *Watcher) followRefund(ctx context.Context, rep *Report, r *core.Refund, canon map[int64]string) error {
	if r.TxID != "" {
		tx, err := w.Chain.Transaction(ctx, r.TxID)
		if err == nil {
			return w.refundProgress(ctx, rep, r, tx, canon)
		}
		if core.ErrorCode(err) != core.ENOTFOUND {
			return err
		}
	}
	for _, e := range earlier(r) {
		tx, err := w.Chain.Transaction(ctx, e.TxID)
		if core.ErrorCode(err) == core.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		if tx.InMempool() {
			continue
		}
		if ok, err := w.onCanon(ctx, canon, tx.BlockHeight, tx.BlockHash); err != nil || !ok {
			return err
		}
		if err := w.moveRefund(ctx, rep, r, core.RefundBroadcast, "refund.adopt", fmt.Sprintf(
			"Transaction %s, which a fee bump replaced, was mined in block %d (%s): it pays the refund.", e.TxID, tx.BlockHeight, tx.BlockHash), &e); err != nil {
			return err
		}
		return w.refundProgress(ctx, rep, r, tx, canon)
	}
	if r.TxID == "" {
		return nil // a fee bump waiting for its signature; the earlier ones are pooled or lost
	}
	return w.refundVanished(ctx, rep, r)
}

// refundProgress handles r's transaction tx as the node knows it.
func (w *Watcher) refundProgress(ctx context.Context, rep *Report, r *core.Refund, tx *core.ChainTx, canon map[int64]string) error {
	if tx.Failed {
		return w.moveRefund(ctx, rep, r, core.RefundFailed, "refund.fail", fmt.Sprintf(
			"Transaction %s reverted in block %d (%s): it paid nothing and can never pay; a supervisor may approve a replacement.", tx.TxID, tx.BlockHeight, tx.BlockHash), nil)
	}
	confs := 0
	if !tx.InMempool() {
		ok, err := w.onCanon(ctx, canon, tx.BlockHeight, tx.BlockHash)
		if err != nil {
			return err
		}
		if ok {
			confs = core.Confirmations(tx.BlockHeight, rep.Tip)
		}
	}
	if r.Status == core.RefundSigned {
		if err := w.moveRefund(ctx, rep, r, core.RefundBroadcast, "refund.broadcast", fmt.Sprintf("The %s node has transaction %s.", w.Network, r.TxID), nil); err != nil {
			return err
		}
	}
	if confs != r.Confirmations {
		if err := w.Store.UpdateRefundChain(ctx, r.ID, r.Status, confs); err != nil {
			return err
		}
		r.Confirmations = confs
	}
	if confs >= r.ConfirmationsRequired {
		return w.moveRefund(ctx, rep, r, core.RefundConfirmed, "refund.confirm", fmt.Sprintf(
			"Transaction %s has %d confirmation(s) in block %d (%s) at tip %d.", tx.TxID, confs, tx.BlockHeight, tx.BlockHash, rep.Tip), nil)
	}
	return nil
}

// refundVanished handles a refund transaction the node does not know: one
// whose coins or nonce the chain spent otherwise failed; any other is sent
// again, the same bytes, and followed on.
func (w *Watcher) refundVanished(ctx context.Context, rep *Report, r *core.Refund) error {
	if r.Payout == nil {
		return fmt.Errorf("refund %d is signed without a payout", r.ID)
	}
	conflicted, by, err := w.Chain.Conflict(ctx, r.Payout.ChainSpends())
	if err != nil {
		return err
	}
	if conflicted && !ownTransaction(r, by) {
		what := "another transaction"
		if by != "" {
			what = "transaction " + by
		}
		return w.moveRefund(ctx, rep, r, core.RefundFailed, "refund.fail", fmt.Sprintf(
			"Transaction %s can never confirm: %s spent its inputs or nonce. A supervisor may approve a replacement.", r.TxID, what), nil)
	}
	if r.Confirmations > 0 {
		if err := w.Store.UpdateRefundChain(ctx, r.ID, r.Status, 0); err != nil {
			return err
		}
	}
	b, ok := w.Chain.(core.Broadcaster)
	if !ok {
		return nil
	}
	if _, err := b.Send(ctx, r.SignedTx); err != nil {
		return fmt.Errorf("send refund %d again: %w", r.ID, err)
	}
	w.log().Info("refund transaction sent", "network", w.Network.String(), "refund", r.ID, "txid", r.TxID)
	if r.Status != core.RefundSigned {
		return nil
	}
	return w.moveRefund(ctx, rep, r, core.RefundBroadcast, "refund.broadcast", fmt.Sprintf(
		"The watcher sent transaction %s, signed but not yet broadcast, to the %s node.", r.TxID, w.Network), nil)
}

// ownTransaction reports whether txid is one of r's own transactions (a
// spender the node names may be the refund's transaction reappearing, or
// one a fee bump replaced, still pooled).
func ownTransaction(r *core.Refund, txid string) bool {
	if txid == r.TxID {
		return true
	}
	for _, e := range earlier(r) {
		if e.TxID == txid {
			return true
		}
	}
	return false
}

// moveRefund takes one refund transition with its audit row; Confirmed
// also makes the deposit Refunded in the same transaction, and adopt makes
// an earlier transaction (one a fee bump replaced) the refund's own.
func (w *Watcher) moveRefund(ctx context.Context, rep *Report, r *core.Refund, to core.RefundStatus, action, reason string, adopt *core.EarlierTx) error {
	if w.RunBy != "" {
		reason += " (watcher run by " + w.RunBy + ")"
	}
	a := core.AuditEntry{At: w.now(), Actor: Actor, Action: action, Entity: "refund", EntityID: r.RecordNo,
		Before: string(r.Status), After: string(to), Remarks: fmt.Sprintf("refund %d: %s", r.ID, reason)}
	t := core.RefundTransition{ID: r.ID, From: r.Status, To: to, Audit: a}
	if to == core.RefundConfirmed {
		d := core.AuditEntry{At: a.At, Actor: Actor, Action: "deposit.refunded", Entity: "deposit", EntityID: r.RecordNo,
			Before: string(core.StatusRefunding), After: string(core.StatusRefunded), Remarks: a.Remarks}
		t.Deposit = &core.DepositTransition{ID: r.DepositID, From: core.StatusRefunding, To: core.StatusRefunded, Remarks: reason, Audit: d}
	}
	if adopt != nil {
		t.Payout, t.Network, t.SignedTx, t.TxID = adopt.Payout, w.Network, adopt.SignedTx, adopt.TxID
	}
	got, err := w.Store.TransitionRefund(ctx, t)
	if err != nil {
		return err
	}
	rep.Transitions++
	*r = *got
	return nil
}

// onCanon tells whether the node's block at height is hash, asking the node
// only when this pass has not seen that height.
func (w *Watcher) onCanon(ctx context.Context, canon map[int64]string, height int64, hash string) (bool, error) {
	if h, ok := canon[height]; ok {
		return h == hash, nil
	}
	b, err := w.Chain.Block(ctx, height)
	if err != nil {
		return false, fmt.Errorf("block %d: %w", height, err)
	}
	canon[height] = b.Hash
	return b.Hash == hash, nil
}

package watcher

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"depositdesk/core"
)

// settle brings every open record up to date with the chain as this pass
// sees it. Records are looked up when new (see Watcher.seen), named by a
// new block, in a block a reorg orphaned, waiting in the mempool when a
// block arrives without them (they may have been replaced), or on the first pass; the others
// only have their confirmations recounted. A record whose lookup fails is
// left unchanged and looked up again next pass.
func (w *Watcher) settle(ctx context.Context, rep *Report, blocks []core.ChainBlock, canon map[int64]string, touched map[string]bool, fork int64, first bool) error {
	if err := w.refresh(ctx); err != nil {
		return err
	}
	var left []int64
	addresses := map[int64][]*core.WalletAddress{}
	due := func(rec *core.WatchedDeposit) bool {
		return first || touched[rec.TxID] || w.seen[rec.ID] != rec.TxID ||
			(fork >= 0 && rec.Status == core.StatusConfirming && rec.BlockHeight > fork) ||
			(len(blocks) > 0 && pending(rec))
	}
	ask := w.ahead(due)
	for _, id := range w.order {
		rec := w.open[id]
		c := &check{w: w, rec: rec, asset: w.assets[rec.AssetID], tip: rep.Tip, canon: canon, rep: rep, addresses: addresses, ask: ask}
		var err error
		if due(rec) {
			rep.Checked++
			err = c.lookup(ctx)
		} else {
			err = c.progress(ctx, rec.BlockHash, rec.BlockHeight, rec.Spends)
		}
		switch {
		case errors.Is(err, errStale):
			w.seen[rec.ID] = rec.TxID
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rep.Failed++
			delete(w.seen, rec.ID)
			w.log().Error("deposit left unchanged", "network", w.Network.String(), "record", rec.RecordNo, "txid", rec.TxID, "error", err)
		default:
			w.seen[rec.ID] = rec.TxID
		}
		if !rec.Watched() {
			left = append(left, rec.ID) // this pass moved it out of the set
		}
	}
	for _, id := range left {
		w.forget(id)
	}
	return nil
}

// refresh brings the watcher's copy of the open set up to what the store
// holds now, reading only the records written since the last pass; the
// first pass of a watcher (a start, a restart, a new lease) reads the set
// whole. The copy only decides what to ask the node: every move it leads
// to is the store's guarded UPDATE from the status the copy shows, so a
// copy gone stale meanwhile costs a conflict and a retry next pass, never
// a wrong move. The network's assets are read each pass (a handful of
// rows); when one changed, the set is read whole again, since its records
// carry the asset's symbol and decimals.
func (w *Watcher) refresh(ctx context.Context) error {
	assets, err := w.Store.FindAssets(ctx, core.AssetFilter{Chain: &w.Network.Chain, Network: &w.Network.Name})
	if err != nil {
		return err
	}
	byID := make(map[int64]*core.Asset, len(assets))
	for _, a := range assets {
		byID[a.ID] = a
	}
	if !maps.EqualFunc(byID, w.assets, func(a, b *core.Asset) bool { return reflect.DeepEqual(a, b) }) {
		w.mark = nil
	}
	recs, mark, err := w.Store.FindWatchedDepositChanges(ctx, w.Network, w.mark)
	if err != nil {
		return err
	}
	if w.mark == nil {
		w.open, w.order = make(map[int64]*core.WatchedDeposit, len(recs)), make([]int64, 0, len(recs))
		if w.seen == nil {
			w.seen = map[int64]string{}
		}
	}
	for _, rec := range recs {
		if !rec.Watched() {
			w.forget(rec.ID)
			continue
		}
		if _, ok := w.open[rec.ID]; !ok {
			i, _ := slices.BinarySearch(w.order, rec.ID)
			w.order = slices.Insert(w.order, i, rec.ID)
		}
		w.open[rec.ID] = rec
	}
	if w.mark == nil {
		// Records that left while the set was not followed are not in it.
		maps.DeleteFunc(w.seen, func(id int64, _ string) bool { _, ok := w.open[id]; return !ok })
	}
	w.assets, w.mark = byID, &mark
	return nil
}

// forget drops a record that left the open set.
func (w *Watcher) forget(id int64) {
	if _, ok := w.open[id]; !ok {
		return
	}
	delete(w.open, id)
	delete(w.seen, id)
	if i, ok := slices.BinarySearch(w.order, id); ok {
		w.order = slices.Delete(w.order, i, i+1)
	}
}

// check is one record's evaluation within a pass.
type check struct {
	w     *Watcher
	rec   *core.WatchedDeposit
	asset *core.Asset
	tip   int64
	canon map[int64]string
	rep   *Report
	// addresses holds, per customer, the Verified addresses on this network
	// as read once in this pass: a block paying one customer ten times reads
	// them once, not ten times between the writes.
	addresses map[int64][]*core.WalletAddress
	ask       *answers // nil: one Transaction call per lookup
}

// lookup asks the node about the record's transaction and acts on it.
func (c *check) lookup(ctx context.Context) error {
	rec := c.rec
	tx, err := c.ask.transaction(ctx, c.w.Chain, rec.TxID)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return c.vanished(ctx)
	} else if err != nil {
		return err
	}
	if tx == nil || tx.TxID != rec.TxID {
		return fmt.Errorf("node answered with another transaction")
	}
	if tx.InMempool() {
		if rec.Status == core.StatusConfirming {
			return c.move(ctx, core.StatusVerifying, "deposit.reorg", fmt.Sprintf(
				"Block %d (%s) was reorganised away; transaction %s is back in the mempool, unconfirmed.", rec.BlockHeight, rec.BlockHash, rec.TxID),
				core.ChainState{Spends: tx.Spends})
		}
		if !slices.Equal(rec.Spends, tx.Spends) {
			return c.observe(ctx, core.ChainState{Spends: tx.Spends})
		}
		return nil
	}
	if tx.BlockHeight <= 0 || tx.BlockHeight > c.rep.Head {
		return fmt.Errorf("node placed the transaction at impossible height %d (tip %d)", tx.BlockHeight, c.rep.Head)
	}
	if rec.Status == core.StatusConfirming && rec.BlockHash != tx.BlockHash {
		if err := c.move(ctx, core.StatusVerifying, "deposit.reorg", fmt.Sprintf(
			"Block %d (%s) was reorganised away; transaction %s is now in block %d (%s).", rec.BlockHeight, rec.BlockHash, rec.TxID, tx.BlockHeight, tx.BlockHash),
			core.ChainState{Spends: tx.Spends}); err != nil {
			return err
		}
	}
	if rec.Status == core.StatusVerifying {
		if tx.BlockHeight > c.tip {
			return nil // in a block this pass has not reached; a later pass will
		}
		st := core.ChainState{Confirmations: core.Confirmations(tx.BlockHeight, c.tip), BlockHash: tx.BlockHash, BlockHeight: tx.BlockHeight, Spends: tx.Spends}
		if reason, err := c.mismatch(ctx, tx); err != nil {
			return err
		} else if reason != "" {
			return c.move(ctx, core.StatusHeld, "deposit.hold", reason+" "+c.evidence(tx), st)
		}
		if err := c.move(ctx, core.StatusConfirming, "deposit.confirming", fmt.Sprintf(
			"Transaction pays %s %s to the deposit address from verified address %s. %s",
			core.FormatAmount(rec.Amount, rec.Decimals), rec.AssetSymbol, rec.SourceAddress, c.evidence(tx)), st); err != nil {
			return err
		}
	}
	return c.progress(ctx, tx.BlockHash, tx.BlockHeight, tx.Spends)
}

// progress recounts a Confirming record's confirmations against the tip and
// credits it once it has enough on a block the node still has.
func (c *check) progress(ctx context.Context, blockHash string, height int64, spends []string) error {
	rec := c.rec
	if rec.Status != core.StatusConfirming {
		return nil
	}
	confs := core.Confirmations(height, c.tip)
	st := core.ChainState{Confirmations: confs, BlockHash: blockHash, BlockHeight: height, Spends: spends}
	unchanged := confs == rec.Confirmations && blockHash == rec.BlockHash
	if confs < rec.ConfirmationsRequired {
		if unchanged {
			return nil
		}
		return c.observe(ctx, st)
	}
	canonical, err := c.canonical(ctx, height, blockHash)
	if err != nil {
		return err
	}
	if !canonical {
		// The next pass's reorg handling moves it back; never credit now.
		return fmt.Errorf("block %d (%s) is not on the node's chain", height, blockHash)
	}
	v, words, err := c.witnessed(ctx, height, blockHash)
	switch {
	case err != nil:
		return err
	case v == lagging && unchanged:
		return nil // a witness catches up; credit on a later pass
	case v == lagging:
		return c.observe(ctx, st)
	case v == disputed:
		return c.move(ctx, core.StatusHeld, "deposit.hold", words, st)
	}
	return c.move(ctx, core.StatusCredited, "deposit.credit", fmt.Sprintf(
		"%d of %d confirmations: block %d (%s) is on the canonical chain, tip %d.%s", confs, rec.ConfirmationsRequired, height, blockHash, c.tip, words), st)
}

// canonical tells whether the node's block at height is hash, asking the
// node only when this pass has not already seen that height.
func (c *check) canonical(ctx context.Context, height int64, hash string) (bool, error) {
	return c.w.onCanon(ctx, c.canon, height, hash)
}

// vanished handles a transaction the node no longer (or not yet) knows.
func (c *check) vanished(ctx context.Context) error {
	rec := c.rec
	if len(rec.Spends) == 0 {
		if rec.Status == core.StatusConfirming {
			return c.move(ctx, core.StatusVerifying, "deposit.reorg", fmt.Sprintf(
				"Transaction %s is no longer known to the node (block %d, %s, reorganised away).", rec.TxID, rec.BlockHeight, rec.BlockHash), core.ChainState{})
		}
		return nil // not broadcast yet
	}
	conflicted, by, err := c.w.Chain.Conflict(ctx, rec.Spends)
	if err != nil {
		return err
	}
	if conflicted {
		what := "another transaction"
		if by != "" {
			what = "transaction " + by
		}
		return c.move(ctx, core.StatusHeld, "deposit.hold", fmt.Sprintf(
			"Transaction %s was replaced: %s spent the same inputs (double-spend or fee replacement).", rec.TxID, what), core.ChainState{Spends: rec.Spends})
	}
	if rec.Status == core.StatusConfirming {
		return c.move(ctx, core.StatusVerifying, "deposit.reorg", fmt.Sprintf(
			"Transaction %s left block %d (%s) in a reorganisation and is not in the node's mempool.", rec.TxID, rec.BlockHeight, rec.BlockHash),
			core.ChainState{Spends: rec.Spends})
	}
	return nil // dropped from the mempool; it may be broadcast again
}

// move takes one transition of the state machine with its evidence.
func (c *check) move(ctx context.Context, to core.DepositStatus, action, reason string, st core.ChainState) error {
	rec := c.rec
	if c.w.RunBy != "" {
		reason += " (watcher run by " + c.w.RunBy + ")"
	}
	a := core.AuditEntry{At: c.w.now(), Actor: Actor, Action: action, Entity: "deposit", EntityID: rec.RecordNo,
		Before: string(rec.Status), After: string(to), Remarks: reason}
	got, err := c.w.Store.TransitionDeposit(ctx, core.DepositTransition{ID: rec.ID, From: rec.Status, To: to, Remarks: reason, Chain: &st, Audit: a})
	if core.ErrorCode(err) == core.ECONFLICT {
		return errStale
	} else if err != nil {
		return err
	}
	c.rep.Transitions++
	c.rec.DepositRecord, c.rec.Spends = got, st.Spends
	return nil
}

// observe stores progress of a record that keeps its status.
func (c *check) observe(ctx context.Context, st core.ChainState) error {
	err := c.w.Store.UpdateDepositChain(ctx, c.rec.ID, c.rec.Status, st)
	if core.ErrorCode(err) == core.ECONFLICT {
		return errStale
	} else if err != nil {
		return err
	}
	c.rec.Confirmations, c.rec.BlockHash, c.rec.BlockHeight, c.rec.Spends = st.Confirmations, st.BlockHash, st.BlockHeight, st.Spends
	return nil
}

// evidence names the transaction's place on the chain for the audit log.
func (c *check) evidence(tx *core.ChainTx) string {
	return fmt.Sprintf("Evidence: tx %s in block %d (%s), %d confirmation(s) at tip %d.",
		tx.TxID, tx.BlockHeight, tx.BlockHash, core.Confirmations(tx.BlockHeight, c.tip), c.tip)
}

// pending tells whether the record's transaction was last seen unmined in
// the mempool: each new block either names it or may have replaced it.
func pending(rec *core.WatchedDeposit) bool {
	return rec.Status == core.StatusVerifying && len(rec.Spends) > 0 && rec.BlockHash == ""
}

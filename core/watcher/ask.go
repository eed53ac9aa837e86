package watcher

import (
	"context"

	"depositdesk/core"
)

// askAhead is how many of a pass's lookups one batch asks the node about:
// enough that a block's few are one batch, few enough that a first pass
// over a large open set does not hold every answer at once.
const askAhead = 100

// answers asks the node about a pass's lookups in batches, for a Chain
// that is a core.TransactionBatcher: a block paying ten records costs the
// round trips of one lookup, not of ten. The answers are read in the
// order the pass reaches the records, a batch ahead, so a record is judged
// on an answer at most one batch older than its turn, which the next
// pass's own answer follows anyway.
type answers struct {
	chain   core.TransactionBatcher
	pending []string // the TXIDs to look up, in the order of the pass
	next    int      // pending[next:] are not asked yet
	got     map[string]answer
}

type answer struct {
	tx  *core.ChainTx
	err error
}

// ahead plans the pass's lookups: due tells which records are looked up.
// Nil when the chain has no batches; transaction then asks one by one.
func (w *Watcher) ahead(due func(*core.WatchedDeposit) bool) *answers {
	b, ok := w.Chain.(core.TransactionBatcher)
	if !ok {
		return nil
	}
	a := &answers{chain: b, got: map[string]answer{}}
	for _, id := range w.order {
		if rec := w.open[id]; due(rec) {
			a.pending = append(a.pending, rec.TxID)
		}
	}
	return a
}

// transaction is the node's answer about txid: from the batch that asked
// it, asking the next batch when it is not answered yet. A TXID two
// records share is asked again for the second.
func (a *answers) transaction(ctx context.Context, chain core.Chain, txid string) (*core.ChainTx, error) {
	if a == nil {
		return chain.Transaction(ctx, txid)
	}
	if _, ok := a.got[txid]; !ok && a.next < len(a.pending) && a.pending[a.next] == txid {
		ids := a.pending[a.next:min(a.next+askAhead, len(a.pending))]
		a.next += len(ids)
		txs, errs := a.chain.Transactions(ctx, ids)
		for i, id := range ids {
			if _, dup := a.got[id]; !dup {
				a.got[id] = answer{txs[i], errs[i]}
			}
		}
	}
	got, ok := a.got[txid]
	if !ok {
		return chain.Transaction(ctx, txid)
	}
	delete(a.got, txid)
	return got.tx, got.err
}

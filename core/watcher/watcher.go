// Package watcher follows deposits on one network's chain and moves them
// through the state machine on the chain's evidence: Confirming when their
// transaction is mined paying what the application says from a verified
// address, Credited at the asset's confirmations on the canonical chain,
// Held for Review on any mismatch or a double-spend, and back to "Wallet
// Address Under Verification" when a reorg takes the transaction out of
// its block.
//
// A pass costs one Head call, one Block call per new block and one
// Transaction lookup per record the new blocks (or a reorg) touch: never a
// call per open record, however many are open. A chain that takes batches
// (core.TransactionBatcher) gets a pass's lookups 100 at a time.
package watcher

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"time"

	"depositdesk/core"
)

// Actor is the audit actor of every change the watcher makes.
const Actor = "watcher"

// Defaults for the zero values of Watcher's tuning fields.
const (
	DefaultPoll             = 2 * time.Second
	DefaultMaxBackoff       = time.Minute
	DefaultKeepBlocks       = 200
	DefaultMaxBlocksPerPass = 500
)

// Watcher follows one network.
type Watcher struct {
	Network core.Network
	Chain   core.Chain // the node followed
	// NodeName names Chain in audit rows when witnesses are asked too.
	NodeName string
	// RunBy is the operator who started this watcher from a terminal, named
	// in every move's remarks; "" for the desk's own.
	RunBy string
	// Witnesses are the network's other nodes, asked before each credit.
	Witnesses []Witness
	Store     Store
	Log       *slog.Logger
	Now       func() time.Time

	Poll             time.Duration // between passes
	MaxBackoff       time.Duration // longest wait after repeated failures
	KeepBlocks       int           // recent blocks remembered to detect reorgs
	MaxBlocksPerPass int           // catching up after a long stop happens in slices
	// OnPass, when set, receives every pass's report (metrics, tests).
	OnPass func(Report, error)

	// open is this watcher's copy of the network's open set, order its ids
	// ascending, kept current by refresh from the store's changes since
	// mark (nil: read the set whole), with assets as of the same pass.
	open   map[int64]*core.WatchedDeposit
	order  []int64
	mark   *core.WatchMark
	assets map[int64]*core.Asset
	// seen maps each open record settled to its TXID. A record outside it
	// (new, given a TXID, released from review, failed last pass, or after
	// a restart) is looked up once; the others only when a block names
	// them.
	seen map[int64]string
}

// Report says what one pass did.
type Report struct {
	Head        int64 // the node's tip
	Tip         int64 // the highest block processed (≤ Head when catching up)
	NewBlocks   int
	ForkHeight  int64 // the last common block of a reorg, -1 when none
	Checked     int   // transactions looked up
	Transitions int
	Failed      int // records left unchanged after an error, retried next pass
}

// Run makes passes until ctx ends. A failed pass changes nothing it did not
// finish, is logged and retried with exponential backoff.
func (w *Watcher) Run(ctx context.Context) error {
	failures := 0
	for {
		rep, err := w.Step(ctx)
		if ctx.Err() != nil {
			// A pass cut short because the watcher is stopping (the desk
			// closes, the lease is gone) failed at nothing: it is not
			// reported, or the status line would call it a node's fault.
			return nil
		}
		if w.OnPass != nil {
			w.OnPass(rep, err)
		}
		delay := w.poll()
		if err != nil && ctx.Err() == nil {
			failures++
			delay = backoff(w.poll(), w.maxBackoff(), failures)
			w.log().Error("chain watcher pass failed", "network", w.Network.String(), "error", err, "retry_in", delay)
		} else {
			failures = 0
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// backoff doubles base per consecutive failure, up to limit.
func backoff(base, limit time.Duration, failures int) time.Duration {
	d := float64(base) * math.Pow(2, float64(min(failures, 30)))
	if d > float64(limit) {
		return limit
	}
	return time.Duration(d)
}

func (w *Watcher) poll() time.Duration {
	if w.Poll > 0 {
		return w.Poll
	}
	return DefaultPoll
}

func (w *Watcher) maxBackoff() time.Duration {
	if w.MaxBackoff > 0 {
		return w.MaxBackoff
	}
	return DefaultMaxBackoff
}

func (w *Watcher) keep() int {
	if w.KeepBlocks > 0 {
		return w.KeepBlocks
	}
	return DefaultKeepBlocks
}

func (w *Watcher) maxBlocks() int64 {
	if w.MaxBlocksPerPass > 0 {
		return int64(w.MaxBlocksPerPass)
	}
	return DefaultMaxBlocksPerPass
}

func (w *Watcher) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}

func (w *Watcher) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC()
	}
	return time.Now().UTC()
}

// errStale marks a record someone else changed during the pass: not a
// failure, the next pass sees its new status.
var errStale = errors.New("record changed concurrently")

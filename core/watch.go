package core

import (
	"context"
	"errors"
	"time"
)

// ChainState is what the chain says about a deposit's transaction, stored
// with the record: how far it is confirmed and in which block.
type ChainState struct {
	Confirmations int
	BlockHash     string
	BlockHeight   int64
	Spends        []string // ChainTx.Spends, to recognise a replacement later
}

// WatchedDeposit is a record the watcher follows: it has a TXID and the
// chain has not settled it (Wallet Address Under Verification or Confirming).
type WatchedDeposit struct {
	*DepositRecord
	Spends []string
}

// Watched tells whether the watcher follows d: it has a TXID and the chain
// has not settled it (Wallet Address Under Verification or Confirming).
func (d *DepositRecord) Watched() bool {
	return d.TxID != "" && (d.Status == StatusVerifying || d.Status == StatusConfirming)
}

// WatchMark is a position in a store's history of deposit writes, handed
// out by FindWatchedDepositChanges to be passed back to it. Its fields mean
// what the engine that made it says; pass back only a mark the same store
// returned.
type WatchMark struct {
	ID  int64
	Seq int64
}

// ErrWatcherLocked is returned by a store's TryLockWatcher when another
// process's watcher follows the network.
var ErrWatcherLocked = errors.New("another watcher follows this network")

// WatcherLocker hands out the right to follow a network: at most one lease
// per network among every desk and process using the same database.
type WatcherLocker interface {
	// TryLockWatcher returns a lease on n once following n is safe (no
	// earlier holder can still be writing), or ErrWatcherLocked when
	// someone else holds it. The lease also ends when ctx ends.
	TryLockWatcher(ctx context.Context, n Network) (WatcherLease, error)
}

// WatcherLease is held while its holder follows a network.
type WatcherLease interface {
	// Lost is closed when the lease no longer holds: its engine can no
	// longer vouch for it (the lock's connection failed), it was
	// released, or its context ended. A watcher under it must stop.
	Lost() <-chan struct{}
	// Release gives the lease up and returns once it is given up. It may
	// be called more than once, and after the lease was lost.
	Release()
}

// LiveGap is the least time between two reloads of a list of records for
// changes made elsewhere (another desk, the intake, the watcher): a busy
// intake announces many records a second, and each reload is a search.
// The desktop's lists and detail windows keep it; bench/desks reproduces
// the records page with it. Half a second keeps a change made on another
// desk on screen within a second under constant changes (each page then
// reloads at most twice a second; decision 58).
const LiveGap = 500 * time.Millisecond

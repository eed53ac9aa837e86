package nodes

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"depositdesk/core"
	"depositdesk/core/watcher"
)

// DefaultStandby is how often a desk whose network another desk follows
// checks whether it should take over.
const DefaultStandby = 30 * time.Second

// Store is what running watchers need of a store: what each watcher reads
// and writes, and the lease that lets one of them follow a network.
type Store interface {
	watcher.Store
	core.WatcherLocker
}

// WatchOptions tunes RunWatchers; the zero value is the production setup.
type WatchOptions struct {
	Log *slog.Logger // slog.Default() when nil
	// OnPass, when set, sees every pass of every network.
	OnPass func(n core.Network, r watcher.Report, err error)
	// RunBy is the operator who started the watchers, named in their moves.
	RunBy string
	// Standby is how often a network's lease is tried again while another
	// desk holds it, after losing it, or after failing to ask for it;
	// DefaultStandby when zero.
	Standby time.Duration
}

// RunWatchers follows every network of set until ctx ends, one watcher per
// network, each asking only that network's nodes. A network is followed by
// exactly one watcher among all desks and processes on the same database
// (store's lease: a session advisory lock on Postgres, a lock file beside
// a SQLite database); the others stand by and take over when that one
// goes away or loses its lease.
func RunWatchers(ctx context.Context, store Store, set *Set, opt WatchOptions) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Standby <= 0 {
		opt.Standby = DefaultStandby
	}
	var wg sync.WaitGroup
	for _, n := range set.Config().Networks() {
		nodes := set.Nodes(n)
		poll, _ := nodes[0].Node().PollInterval()
		w := &watcher.Watcher{Network: n, Chain: nodes[0], NodeName: nodes[0].Name(), Store: store, Log: opt.Log, Poll: poll, RunBy: opt.RunBy}
		for _, c := range nodes[1:] {
			w.Witnesses = append(w.Witnesses, watcher.Witness{Name: c.Name(), Chain: c})
		}
		if opt.OnPass != nil {
			w.OnPass = func(r watcher.Report, err error) { opt.OnPass(n, r, err) }
		}
		wg.Go(func() { follow(ctx, store, w, opt) })
	}
	wg.Wait()
}

// follow runs a watcher like w for as long as it holds the network's
// lease, and stands by whenever it does not, until ctx ends.
func follow(ctx context.Context, locker core.WatcherLocker, w *watcher.Watcher, opt WatchOptions) {
	network := w.Network.String()
	standingBy := false
	for ctx.Err() == nil {
		lease, err := locker.TryLockWatcher(ctx, w.Network)
		switch {
		case err == nil:
			opt.Log.Info("following the chain", "network", network)
			followWhileHeld(ctx, lease, w)
			if ctx.Err() != nil {
				return
			}
			opt.Log.Warn("lost the watcher lock; standing by", "network", network)
			standingBy = true
		case errors.Is(err, core.ErrWatcherLocked):
			if !standingBy {
				opt.Log.Info("standing by", "network", network, "because", "another desk or process follows this network")
				standingBy = true
			}
		case ctx.Err() == nil:
			opt.Log.Error("cannot take the watcher lock", "network", network, "error", err)
		}
		t := time.NewTimer(opt.Standby)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}

// followWhileHeld runs a fresh copy of w (a new leader knows nothing of
// what it saw in an earlier term: another desk followed meanwhile) until
// ctx ends or the lease is lost, and releases the lease once the watcher
// has returned, so no pass of it is still running when another desk may
// take over.
func followWhileHeld(ctx context.Context, lease core.WatcherLease, w *watcher.Watcher) {
	defer lease.Release()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-lease.Lost():
			cancel()
		case <-wctx.Done():
		}
	}()
	term := *w
	_ = term.Run(wctx)
}

// ReportLag tells set, every interval until ctx ends, how many blocks each
// network's watcher is behind its node: the node's head less the last block
// the watcher stored, whichever desk or process runs it. A node that does
// not answer is skipped until it does.
func ReportLag(ctx context.Context, store watcher.Store, nodes *Set, interval time.Duration, set func(n core.Network, blocks float64)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for _, n := range nodes.Config().Networks() {
			head, err := nodes.Nodes(n)[0].Head(ctx)
			if err != nil {
				continue
			}
			recent, err := store.RecentBlocks(ctx, n)
			if err != nil || len(recent) == 0 {
				continue
			}
			set(n, float64(max(head.Height-recent[0].Height, 0)))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

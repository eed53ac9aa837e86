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

// lockRetry is how often a desk whose network is followed by another
// desk's watcher checks whether it should take over.
const lockRetry = 30 * time.Second

// RunWatchers follows every network of set until ctx ends, one watcher per
// network, each asking only that network's nodes. On a shared Postgres
// database a network is followed by exactly one watcher among all running
// desks (a session advisory lock); the others stand by and take over if
// that desk goes away. onPass, when set, sees every pass.
func RunWatchers(ctx context.Context, store watcher.Store, set *Set, log *slog.Logger, onPass func(n core.Network, r watcher.Report, err error)) {
	if log == nil {
		log = slog.Default()
	}
	var wg sync.WaitGroup
	for _, n := range set.Config().Networks() {
		nodes := set.Nodes(n)
		poll, _ := nodes[0].Node().PollInterval()
		w := &watcher.Watcher{Network: n, Chain: nodes[0], Store: store, Log: log, Poll: poll}
		for _, c := range nodes[1:] {
			w.Witnesses = append(w.Witnesses, watcher.Witness{Name: c.Name(), Chain: c})
		}
		if onPass != nil {
			w.OnPass = func(r watcher.Report, err error) { onPass(n, r, err) }
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			follow(ctx, store, w, log)
		}()
	}
	wg.Wait()
}

// watcherLocker is a store shared by several desks (Postgres): it lets
// exactly one of them follow each network.
type watcherLocker interface {
	TryLockWatcher(ctx context.Context, n core.Network) (release func(), err error)
}

// follow runs w, first taking the network's lock when the store has one.
func follow(ctx context.Context, store watcher.Store, w *watcher.Watcher, log *slog.Logger) {
	locker, shared := store.(watcherLocker)
	if !shared {
		_ = w.Run(ctx)
		return
	}
	announced := false
	for ctx.Err() == nil {
		release, err := locker.TryLockWatcher(ctx, w.Network)
		switch {
		case err == nil:
			log.Info("following the chain", "network", w.Network.String())
			_ = w.Run(ctx)
			release()
			return
		case errors.Is(err, core.ErrWatcherLocked):
			if !announced {
				log.Info("another desk follows this network; standing by", "network", w.Network.String())
				announced = true
			}
		default:
			log.Error("cannot take the watcher lock", "network", w.Network.String(), "error", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(lockRetry):
		}
	}
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

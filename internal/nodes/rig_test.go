package nodes_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/nodes"
)

// deskStore is one desk's store that notes when its watcher used it, so a
// test can tell which desk followed when.
type deskStore struct {
	nodes.Store
	desk  int
	calls *callLog
}

// call is one use of a store by a desk's watcher.
type call struct {
	desk       int
	start, end time.Time
}

type callLog struct {
	mu    sync.Mutex
	calls []call
}

func (l *callLog) note(desk int, start time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, call{desk, start, time.Now()})
}

// of returns desk's calls in the order they began.
func (l *callLog) of(desk int) []call {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []call
	for _, c := range l.calls {
		if c.desk == desk {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b call) int { return a.start.Compare(b.start) })
	return out
}

// terms fails the test if calls of two desks ever overlapped in time, and
// returns the desks in the order they followed: [0 1] is desk 0, then
// desk 1, never both at once.
func (l *callLog) terms(t *testing.T) []int {
	t.Helper()
	l.mu.Lock()
	calls := slices.Clone(l.calls)
	l.mu.Unlock()
	slices.SortFunc(calls, func(a, b call) int { return a.start.Compare(b.start) })
	var order []int
	lastEnd := map[int]time.Time{}
	for _, c := range calls {
		for other, end := range lastEnd {
			require.False(t, other != c.desk && end.After(c.start),
				"desk %d's watcher used the store at %s while desk %d's was still at it (until %s)",
				c.desk, c.start.Format(time.StampMicro), other, end.Format(time.StampMicro))
		}
		if len(order) == 0 || order[len(order)-1] != c.desk {
			order = append(order, c.desk)
		}
		if c.end.After(lastEnd[c.desk]) {
			lastEnd[c.desk] = c.end
		}
	}
	return order
}

func (d deskStore) FindWatchedDepositChanges(ctx context.Context, n core.Network, since *core.WatchMark) ([]*core.WatchedDeposit, core.WatchMark, error) {
	defer d.calls.note(d.desk, time.Now())
	return d.Store.FindWatchedDepositChanges(ctx, n, since)
}

func (d deskStore) RecentBlocks(ctx context.Context, n core.Network) ([]core.ChainBlock, error) {
	defer d.calls.note(d.desk, time.Now())
	return d.Store.RecentBlocks(ctx, n)
}

func (d deskStore) SaveBlocks(ctx context.Context, n core.Network, blocks []core.ChainBlock, keep int) error {
	defer d.calls.note(d.desk, time.Now())
	return d.Store.SaveBlocks(ctx, n, blocks, keep)
}

func (d deskStore) FindAssets(ctx context.Context, f core.AssetFilter) ([]*core.Asset, error) {
	defer d.calls.note(d.desk, time.Now())
	return d.Store.FindAssets(ctx, f)
}

func (d deskStore) FindWalletAddresses(ctx context.Context, f core.WalletAddressFilter) ([]*core.WalletAddress, error) {
	defer d.calls.note(d.desk, time.Now())
	return d.Store.FindWalletAddresses(ctx, f)
}

func (d deskStore) TransitionDeposit(ctx context.Context, t core.DepositTransition) (*core.DepositRecord, error) {
	defer d.calls.note(d.desk, time.Now())
	return d.Store.TransitionDeposit(ctx, t)
}

func (d deskStore) UpdateDepositChain(ctx context.Context, id int64, status core.DepositStatus, st core.ChainState) error {
	defer d.calls.note(d.desk, time.Now())
	return d.Store.UpdateDepositChain(ctx, id, status, st)
}

// logBook is a slog.Handler keeping a desk's log messages and their times.
type logBook struct {
	mu      sync.Mutex
	entries []logEntry
}

type logEntry struct {
	at  time.Time
	msg string
}

func (b *logBook) Enabled(context.Context, slog.Level) bool { return true }

func (b *logBook) Handle(_ context.Context, r slog.Record) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.entries = append(b.entries, logEntry{r.Time, r.Message})
	return nil
}

func (b *logBook) WithAttrs([]slog.Attr) slog.Handler { return b }
func (b *logBook) WithGroup(string) slog.Handler      { return b }

// when returns the time msg was first logged, if it was.
func (b *logBook) when(msg string) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.entries {
		if e.msg == msg {
			return e.at, true
		}
	}
	return time.Time{}, false
}

// await waits up to limit for msg and returns when it was logged.
func (b *logBook) await(t *testing.T, msg string, limit time.Duration) time.Time {
	t.Helper()
	var at time.Time
	require.Eventually(t, func() bool {
		var ok bool
		at, ok = b.when(msg)
		return ok
	}, limit, 10*time.Millisecond, "never logged %q", msg)
	return at
}

package nodes_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"depositdesk/core"
	"depositdesk/core/watcher"
	"depositdesk/internal/btcdtest"
	"depositdesk/internal/ethtest"
	"depositdesk/internal/nodes"
	"depositdesk/internal/pgtest"
	"depositdesk/storage/postgres"
	"depositdesk/storage/sqlite"
)

var regtest = core.Network{Chain: core.ChainBitcoin, Name: "regtest"}

// regtestSet is nodes.toml with node as the one bitcoin/regtest node,
// polled every 200 ms. Its password is in a variable of the test's own,
// since t.Setenv cannot serve tests that run in parallel.
func regtestSet(t *testing.T, node *btcdtest.Node) *nodes.Set {
	env := "TEST_BTCD_RPC_PASSWORD_" + strings.ToUpper(strings.NewReplacer("/", "_", "-", "_").Replace(t.Name()))
	require.NoError(t, os.Setenv(env, node.Pass))
	t.Cleanup(func() { os.Unsetenv(env) })
	return nodes.NewSet(&nodes.Config{Nodes: []nodes.Node{{Network: "regtest", Chain: core.ChainBitcoin, URL: "http://" + node.RPCHost,
		User: node.User, PasswordEnv: env, Poll: "200ms"}}}, nodes.OpenAdapter)
}

// desk runs one desk's watchers until the test ends or its stop is called.
type desk struct {
	log  *logBook
	stop context.CancelFunc
	done sync.WaitGroup
}

func runDesk(t *testing.T, store nodes.Store, set *nodes.Set, standby time.Duration) *desk {
	ctx, cancel := context.WithCancel(context.Background())
	d := &desk{log: &logBook{}}
	d.stop = func() { cancel(); d.done.Wait() }
	t.Cleanup(d.stop)
	d.done.Go(func() {
		nodes.RunWatchers(ctx, store, set, nodes.WatchOptions{Log: slog.New(d.log), Standby: standby})
	})
	return d
}

// Killing the leader's lock session (as an operator with
// pg_terminate_backend would, or a network that drops it) makes the leader
// stop within its ping bound and the standby take over; the deposit that
// arrives then is credited by the standby, and at no time did both desks'
// watchers use the database.
func TestStandbyTakesOverWhenTheLeadersLockSessionIsKilled(t *testing.T) {
	t.Parallel()
	node := btcdtest.Start(t)
	node.Mature(t)
	url := pgtest.NewDatabase(t)
	var stores [2]*postgres.Store
	for i := range stores {
		s, err := postgres.Open(context.Background(), url)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	svc, admin, deposit := setupDesk(t, stores[0], node)
	set := regtestSet(t, node)
	calls := &callLog{}

	// The leader tries again only after an hour, so the standby is the one
	// that takes over.
	leader := runDesk(t, deskStore{stores[0], 0, calls}, set, time.Hour)
	leader.log.await(t, "following the chain", 30*time.Second)
	require.Eventually(t, func() bool { return len(calls.of(0)) > 0 }, 30*time.Second, 10*time.Millisecond)
	standby := runDesk(t, deskStore{stores[1], 1, calls}, set, 100*time.Millisecond)
	standby.log.await(t, "standing by", 30*time.Second)
	time.Sleep(time.Second) // the leader makes passes while the standby keeps asking

	killed := time.Now()
	require.Equal(t, 1, pgtest.TerminateBackends(t, url, postgres.WatcherLockApplication(regtest)))
	lost := leader.log.await(t, "lost the watcher lock; standing by", 10*time.Second)
	took := standby.log.await(t, "following the chain", 10*time.Second)
	t.Logf("leader stopped %v after its lock session was killed; standby followed %v after the kill",
		lost.Sub(killed).Round(time.Millisecond), took.Sub(killed).Round(time.Millisecond))
	require.Less(t, lost.Sub(killed), 3*time.Second, "a ping a second, a second to answer")
	require.True(t, took.After(lost), "the standby followed before the leader stopped")

	rec := depositAndCredit(t, svc, admin, node, deposit)
	leader.stop()
	standby.stop()

	require.Equal(t, []int{0, 1}, calls.terms(t), "the leader, then the standby; never both")
	leaderCalls, standbyCalls := calls.of(0), calls.of(1)
	t.Logf("the leader's last call ended %v before the standby's first began",
		standbyCalls[0].start.Sub(leaderCalls[len(leaderCalls)-1].end).Round(time.Millisecond))
	// The audit rows say who moved the record: the watcher, once per
	// change, while the standby held the lease.
	rows, err := stores[0].FindAudit(context.Background(), core.AuditFilter{EntityID: &rec.RecordNo})
	require.NoError(t, err)
	var moves []string
	for _, r := range rows {
		if r.Actor != watcher.Actor {
			continue
		}
		moves = append(moves, r.Before+"→"+r.After)
		require.False(t, r.At.Before(standbyCalls[0].start.Truncate(time.Microsecond)), "%s at %s, before the standby followed", r.Action, r.At)
		require.False(t, r.At.After(standbyCalls[len(standbyCalls)-1].end), "%s at %s, after the standby stopped", r.Action, r.At)
	}
	require.Equal(t, []string{"verifying_address→confirming", "confirming→credited"}, moves)
}

// Two desks (or `depositctl watch` processes) on one SQLite file: exactly
// one follows the network, the other stands by and follows once the first
// stops.
func TestOneWatcherPerNetworkOnASQLiteFile(t *testing.T) {
	t.Parallel()
	node := btcdtest.Start(t)
	path := filepath.Join(t.TempDir(), "desk.db")
	set := regtestSet(t, node)
	calls := &callLog{}
	desks := make([]*desk, 2)
	for i := range desks {
		s, err := sqlite.Open(context.Background(), path)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		desks[i] = runDesk(t, deskStore{s, i, calls}, set, 100*time.Millisecond)
	}
	var first, second int
	require.Eventually(t, func() bool {
		for i, d := range desks {
			if _, ok := d.log.when("following the chain"); ok {
				first, second = i, 1-i
				return true
			}
		}
		return false
	}, 30*time.Second, 10*time.Millisecond)
	desks[second].log.await(t, "standing by", 10*time.Second)
	node.Generate(t, 2)
	require.Eventually(t, func() bool { return len(calls.of(first)) > 3 }, 30*time.Second, 10*time.Millisecond)
	_, ok := desks[second].log.when("following the chain")
	require.False(t, ok, "both desks follow")
	require.Empty(t, calls.of(second), "the desk standing by used the store")

	stopped := time.Now()
	desks[first].stop()
	took := desks[second].log.await(t, "following the chain", 10*time.Second)
	t.Logf("the standby followed %v after the leader stopped", took.Sub(stopped).Round(time.Millisecond))
	node.Generate(t, 2)
	require.Eventually(t, func() bool { return len(calls.of(second)) > 3 }, 30*time.Second, 10*time.Millisecond)
	desks[second].stop()
	require.Equal(t, []int{first, second}, calls.terms(t))
}

// Leases are per network: one SQLite file's Bitcoin and Ethereum watchers
// both follow, from two processes.
func TestEveryNetworkOfASQLiteFileIsFollowed(t *testing.T) {
	t.Parallel()
	btcd, geth := btcdtest.Start(t), ethtest.Geth(t)
	keyring.MockInit()
	ethCfg, err := nodes.Parse("[[node]]\nnetwork = 'dev'\nchain = 'ethereum'\nurl = '" + geth.URL + "'\npoll = '200ms'\n")
	require.NoError(t, err)
	sets := []*nodes.Set{regtestSet(t, btcd), nodes.NewSet(ethCfg, nodes.OpenAdapter)}
	path := filepath.Join(t.TempDir(), "desk.db")
	calls := &callLog{}
	desks := make([]*desk, 2)
	for i := range desks {
		s, err := sqlite.Open(context.Background(), path)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		desks[i] = runDesk(t, deskStore{s, i, calls}, sets[i], 100*time.Millisecond)
	}
	for i, d := range desks {
		d.log.await(t, "following the chain", 30*time.Second)
		require.Eventually(t, func() bool { return len(calls.of(i)) > 3 }, 30*time.Second, 10*time.Millisecond, "desk %d makes passes", i)
		_, ok := d.log.when("standing by")
		require.False(t, ok, "desk %d stood by", i)
	}
}

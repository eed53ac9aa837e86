package restart_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/pgtest"
	"depositdesk/storage/postgres"
	"depositdesk/storage/storetest"
)

func TestMain(m *testing.M) { pgtest.MainOwnServer(m, pgtest.Migrate) }

// resumeBound is how soon after the server is back a listener must hear
// again: the backoff's waits add up to about 3 s while a fast restart
// takes a second or two, plus slack for a loaded machine.
const resumeBound = 10 * time.Second

func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// No t.Parallel here or below: each test restarts the one server.
func TestListenerHearsChangesAgainAfterARestart(t *testing.T) {
	url := pgtest.NewDatabase(t)
	writer, reader := open(t, url), open(t, url)
	ctx, cancel := context.WithCancel(context.Background())
	heard := make(chan string, 100)
	done := make(chan error, 1)
	go func() { done <- reader.ListenDeposits(ctx, func(recordNo string) { heard <- recordNo }) }()

	f := &storetest.Fixture{Store: writer}
	f.BTC = storetest.MustCreateAsset(t, writer, "BTC", core.ChainBitcoin, "regtest", 8)
	f.Customer = storetest.MustCreateCustomer(t, writer, "C1", "SA1")
	// LISTEN may not be registered yet when the first change commits.
	require.Eventually(t, func() bool {
		f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		select {
		case <-heard:
			return true
		case <-time.After(100 * time.Millisecond):
			return false
		}
	}, resumeBound, time.Millisecond, "nothing heard before the restart")

	restarted := time.Now()
	pgtest.Restart(t)
	back := time.Now()
	t.Logf("pg_ctl restart -m fast took %v", back.Sub(restarted).Round(time.Millisecond))
	waitFor(t, heard, "*", "the listener never said it reconnected")
	t.Logf("listening again %v after the server was back", time.Since(back).Round(time.Millisecond))

	// The writer's pool replaces its dead connections by itself.
	var rec *core.DepositRecord
	require.Eventually(t, func() bool {
		var err error
		rec, _, err = writer.CreateDeposit(context.Background(), f.Deposit(f.BTC, f.Customer, 1),
			core.AuditEntry{At: storetest.T0, Actor: "tester", Action: "deposit.create", Entity: "deposit"})
		return err == nil
	}, resumeBound, 50*time.Millisecond, "the writer cannot write after the restart")
	waitFor(t, heard, rec.RecordNo, "a change after the restart was not heard")
	t.Logf("a change after the restart heard %v after the server was back", time.Since(back).Round(time.Millisecond))

	cancel()
	require.NoError(t, <-done, "a cancelled listener returns nil")
}

// A restart ends the lock's session like any other: the holder's lease is
// lost, and once the server is back the network can be claimed again.
func TestWatcherLeaseIsLostWhenTheServerRestarts(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s := open(t, url)
	ctx := context.Background()
	regtest := core.Network{Chain: core.ChainBitcoin, Name: "regtest"}
	lease, err := s.TryLockWatcher(ctx, regtest)
	require.NoError(t, err)
	defer lease.Release()

	start := time.Now()
	pgtest.Restart(t)
	select {
	case <-lease.Lost():
	case <-time.After(resumeBound):
		t.Fatal("the lease outlived the server's restart")
	}
	t.Logf("lease lost %v after the restart began", time.Since(start).Round(time.Millisecond))

	require.Eventually(t, func() bool {
		next, err := s.TryLockWatcher(ctx, regtest)
		if err == nil {
			next.Release()
		}
		return err == nil
	}, resumeBound, 100*time.Millisecond, "the network cannot be claimed after the restart")
	t.Logf("claimed again %v after the restart began (a claim waits out the old holder first)", time.Since(start).Round(time.Millisecond))
}

// waitFor reads heard until want arrives; before a restart only record
// numbers are sent, never "*".
func waitFor(t *testing.T, heard <-chan string, want, msg string) {
	t.Helper()
	timeout := time.After(resumeBound)
	for {
		select {
		case got := <-heard:
			if got == want {
				return
			}
		case <-timeout:
			t.Fatal(msg)
		}
	}
}

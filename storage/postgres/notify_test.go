package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/postgres"
	"depositdesk/storage/storetest"
)

// guard bounds a wait that only ends early if something is broken.
const guard = 30 * time.Second

func TestEveryDesktopHearsCommittedDepositChanges(t *testing.T) {
	t.Parallel()
	writer, url := open(t)
	reader, err := postgres.Open(context.Background(), url) // another desktop
	require.NoError(t, err)
	t.Cleanup(func() { reader.Close() })

	ctx, cancel := context.WithCancel(context.Background())
	heard := make(chan string, 10)
	done := make(chan error, 1)
	listening := make(chan struct{})
	go func() {
		close(listening)
		done <- reader.ListenDeposits(ctx, func(recordNo string) { heard <- recordNo })
	}()
	<-listening

	f := &storetest.Fixture{Store: writer}
	f.BTC = storetest.MustCreateAsset(t, writer, "BTC", core.ChainBitcoin, "regtest", 8)
	f.Customer = storetest.MustCreateCustomer(t, writer, "C1", "SA1")
	// LISTEN may not be registered yet when the first change commits, so
	// keep creating until one is heard; from then on nothing may be missed.
	created := map[string]bool{}
	var last *core.DepositRecord
	for heardOne := false; !heardOne; {
		require.Less(t, len(created), 300, "no notification heard")
		last = f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		created[last.RecordNo] = true
		select {
		case got := <-heard:
			require.True(t, created[got], "heard %s, which was never created", got)
			heardOne = true
		case <-time.After(100 * time.Millisecond):
		}
	}
	cancelled := f.MustTransition(t, last, core.StatusCancelled)
	timeout := time.After(guard)
	for got := ""; got != cancelled.RecordNo; {
		select {
		case got = <-heard:
			require.True(t, created[got], "heard %s, which never changed", got)
		case <-timeout:
			t.Fatal("transition not heard")
		}
	}

	cancel()
	require.NoError(t, <-done, "a cancelled listener returns nil")
}

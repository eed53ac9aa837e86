package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runConcurrency(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("FiftyCancelsOfOneRecordExactlyOneWins", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		const n = 50
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = f.Store.TransitionDeposit(ctx, core.DepositTransition{ID: rec.ID, From: core.StatusVerifying, To: core.StatusCancelled,
					Remarks: fmt.Sprintf("operator %d", i), Audit: core.AuditEntry{At: T0.Add(time.Minute), Actor: fmt.Sprintf("op%d", i), Action: "deposit.cancel", Entity: "deposit"}})
			})
		}
		close(start)
		wg.Wait()
		wins, conflicts := 0, 0
		for _, err := range errs {
			switch core.ErrorCode(err) {
			case "":
				wins++
			case core.ECONFLICT:
				conflicts++
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		require.Equal(t, 1, wins)
		require.Equal(t, n-1, conflicts)
		require.Equal(t, 1, CountAudit(t, f.Store, "deposit.cancel", rec.RecordNo))
		MustVerifyChain(t, f.Store)
	})
	t.Run("ConcurrentIdenticalRequestsMakeOneRecord", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		d := f.Deposit(f.BTC, f.Customer, 0)
		var wg sync.WaitGroup
		recordNos := make([]string, 20)
		createdCount := make([]bool, 20)
		for i := range 20 {
			wg.Go(func() {
				cp := *d
				rec, created, err := f.Store.CreateDeposit(ctx, &cp, core.AuditEntry{At: T0, Actor: "client", Action: "deposit.create", Entity: "deposit"})
				require.NoError(t, err)
				recordNos[i], createdCount[i] = rec.RecordNo, created
			})
		}
		wg.Wait()
		n := 0
		for i := range 20 {
			require.Equal(t, recordNos[0], recordNos[i])
			if createdCount[i] {
				n++
			}
		}
		require.Equal(t, 1, n)
		page, err := f.Store.FindDeposits(ctx, core.DepositFilter{Limit: 100})
		require.NoError(t, err)
		require.Len(t, page.Records, 1)
	})
	t.Run("ConcurrentDistinctRequestsGetDistinctNumbers", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		recs := make([]*core.DepositRecord, 20)
		for i := range recs {
			recs[i] = f.Deposit(f.ETH, f.Customer, 0)
		}
		var wg sync.WaitGroup
		seen := sync.Map{}
		for _, d := range recs {
			wg.Go(func() {
				rec, created, err := f.Store.CreateDeposit(ctx, d, core.AuditEntry{At: T0, Actor: "client", Action: "deposit.create", Entity: "deposit"})
				require.NoError(t, err)
				require.True(t, created)
				_, dup := seen.LoadOrStore(rec.RecordNo, true)
				require.False(t, dup, rec.RecordNo)
			})
		}
		wg.Wait()
		require.Equal(t, 3+20, MustVerifyChain(t, f.Store))
	})
}

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

// runConcurrency checks the rules that only hold if the engine serialises
// writers correctly: a guarded transition has one winner, idempotent intake
// survives a race, record numbers and audit sequence numbers never repeat
// or skip. Workers start together behind a gate and report errors back to
// the test goroutine (require may not be called from another goroutine).
func runConcurrency(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("FiftyCancelsOfOneRecordExactlyOneWins", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		errs := together(50, func(i int) error {
			_, err := f.Store.TransitionDeposit(ctx, core.DepositTransition{ID: rec.ID, From: core.StatusVerifying, To: core.StatusCancelled,
				Remarks: fmt.Sprintf("operator %d", i),
				Audit:   core.AuditEntry{At: T0.Add(time.Minute), Actor: fmt.Sprintf("op%d", i), Action: "deposit.cancel", Entity: "deposit"}})
			return err
		})
		wins, conflicts := 0, 0
		for _, err := range errs {
			switch core.ErrorCode(err) {
			case "":
				wins++
			case core.ECONFLICT:
				conflicts++
			default:
				require.NoError(t, err, "a lost race is ECONFLICT, nothing else")
			}
		}
		require.Equal(t, 1, wins)
		require.Equal(t, 49, conflicts)
		require.Equal(t, 1, CountAudit(t, f.Store, "deposit.cancel", rec.RecordNo))
		page, err := f.Store.FindDeposits(ctx, core.DepositFilter{ID: &rec.ID})
		require.NoError(t, err)
		require.Equal(t, core.StatusCancelled, page.Records[0].Status)
		MustVerifyChain(t, f.Store)
	})
	t.Run("ConcurrentIdenticalRequestsMakeOneRecord", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		d := f.Deposit(f.BTC, f.Customer, 0)
		recordNos := make([]string, 20)
		created := make([]bool, 20)
		errs := together(20, func(i int) error {
			cp := *d
			rec, c, err := f.Store.CreateDeposit(ctx, &cp, core.AuditEntry{At: T0, Actor: "client", Action: "deposit.create", Entity: "deposit"})
			if err == nil {
				recordNos[i], created[i] = rec.RecordNo, c
			}
			return err
		})
		n := 0
		for i := range errs {
			require.NoError(t, errs[i])
			require.Equal(t, recordNos[0], recordNos[i], "every caller gets the one record")
			if created[i] {
				n++
			}
		}
		require.Equal(t, 1, n, "exactly one caller created it")
		page, err := f.Store.FindDeposits(ctx, core.DepositFilter{Limit: 100})
		require.NoError(t, err)
		require.Len(t, page.Records, 1)
		require.Equal(t, 1, CountAudit(t, f.Store, "deposit.create", recordNos[0]), "duplicates write nothing")
		next := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 1))
		require.Equal(t, core.FormatRecordNo(T0, 2), next.RecordNo, "a lost race gives its number back")
		MustVerifyChain(t, f.Store)
	})
	t.Run("ConcurrentDistinctRequestsGetDistinctNumbers", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		recs := make([]*core.DepositRecord, 20)
		for i := range recs {
			recs[i] = f.Deposit(f.ETH, f.Customer, 0)
		}
		recordNos := make([]string, len(recs))
		errs := together(len(recs), func(i int) error {
			rec, created, err := f.Store.CreateDeposit(ctx, recs[i], core.AuditEntry{At: T0, Actor: "client", Action: "deposit.create", Entity: "deposit"})
			if err == nil && !created {
				err = fmt.Errorf("request %d was taken for a duplicate of %s", i, rec.RecordNo)
			}
			if err == nil {
				recordNos[i] = rec.RecordNo
			}
			return err
		})
		seen := map[string]bool{}
		for i, err := range errs {
			require.NoError(t, err)
			require.False(t, seen[recordNos[i]], "record number %s handed out twice", recordNos[i])
			seen[recordNos[i]] = true
		}
		for n := 1; n <= len(recs); n++ {
			require.True(t, seen[core.FormatRecordNo(T0, int64(n))], "numbers are 1..%d without gaps", len(recs))
		}
		require.Equal(t, 3+20, MustVerifyChain(t, f.Store))
	})
	t.Run("ConcurrentAuditAppendsKeepTheChainGapFree", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		const writers, each = 10, 10
		errs := together(writers, func(i int) error {
			for j := range each {
				if err := s.AppendAudit(ctx, core.AuditEntry{At: T0.Add(time.Duration(j) * time.Second), Actor: fmt.Sprintf("op%d", i),
					Action: "operator.login", Entity: "operator", EntityID: fmt.Sprintf("op%d", i), Remarks: fmt.Sprint(j)}); err != nil {
					return err
				}
			}
			return nil
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		rows, err := s.FindAudit(ctx, core.AuditFilter{})
		require.NoError(t, err)
		require.Len(t, rows, writers*each)
		for i, r := range rows {
			require.Equal(t, int64(i+1), r.Seq, "sequence numbers are 1..n in order")
		}
		MustVerifyChain(t, s)
	})
	// The intake's mix: every kind of write that appends an audit row, on
	// twenty connections at once, each taking the head at its own point of
	// a longer transaction.
	t.Run("TwentyWritersOfEveryKindKeepOneChain", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		const writers = 20
		recs := make([]*core.DepositRecord, writers)
		for i := range recs {
			recs[i] = f.Deposit(f.ETH, f.Customer, 0)
		}
		errs := together(writers, func(i int) error {
			rec, _, err := f.Store.CreateDeposit(ctx, recs[i], core.AuditEntry{At: T0, Actor: "client", Action: "deposit.create", Entity: "deposit"})
			if err != nil {
				return err
			}
			if err := f.Store.AppendAudit(ctx, core.AuditEntry{At: T0, Actor: "client", Action: "deposit.view", Entity: "deposit", EntityID: rec.RecordNo}); err != nil {
				return err
			}
			_, err = f.Store.TransitionDeposit(ctx, core.DepositTransition{ID: rec.ID, From: core.StatusVerifying, To: core.StatusCancelled,
				Audit: core.AuditEntry{At: T0.Add(time.Minute), Actor: "op", Action: "deposit.cancel", Entity: "deposit"}})
			return err
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		rows, err := f.Store.FindAudit(ctx, core.AuditFilter{})
		require.NoError(t, err)
		for i, r := range rows {
			require.Equal(t, int64(i+1), r.Seq, "sequence numbers are 1..n in order")
		}
		require.Equal(t, 3+3*writers, MustVerifyChain(t, f.Store))
		for _, action := range []string{"deposit.create", "deposit.view", "deposit.cancel"} {
			n := 0
			for _, r := range rows {
				if r.Action == action {
					n++
				}
			}
			require.Equal(t, writers, n, action)
		}
	})
}

// together runs fn(0..n-1) on n goroutines released at the same moment and
// returns their errors by index.
func together(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

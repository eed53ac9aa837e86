package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runTransitions(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("EveryPairFollowsTheTable", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		for i, from := range core.AllDepositStatuses() {
			for j, to := range core.AllDepositStatuses() {
				rec := f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, i*10+j)), PathTo(from)...)
				require.Equal(t, from, rec.Status)
				before := MustVerifyChain(t, f.Store)
				got, err := f.Store.TransitionDeposit(ctx, core.DepositTransition{ID: rec.ID, From: from, To: to, Remarks: "r",
					Audit: audit("deposit.test", "deposit", "", T0.Add(time.Hour))})
				after := MustVerifyChain(t, f.Store)
				page, _ := f.Store.FindDeposits(ctx, core.DepositFilter{ID: &rec.ID})
				if core.CanTransition(from, to) {
					require.NoError(t, err, "%s → %s", from, to)
					require.Equal(t, to, got.Status)
					require.Equal(t, to, page.Records[0].Status)
					require.Equal(t, before+1, after, "exactly one audit row for %s → %s", from, to)
				} else {
					requireCode(t, core.EINVALID, err)
					require.Equal(t, from, page.Records[0].Status, "%s → %s must change nothing", from, to)
					require.Equal(t, before, after)
				}
			}
		}
	})
	t.Run("WrongCurrentStatusIsConflict", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		rec := f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0)), PathTo(core.StatusCredited)...)
		before := MustVerifyChain(t, f.Store)
		_, err := f.Store.TransitionDeposit(ctx, core.DepositTransition{ID: rec.ID, From: core.StatusVerifying, To: core.StatusCancelled,
			Remarks: "late", Audit: audit("deposit.cancel", "deposit", "", T0)})
		requireCode(t, core.ECONFLICT, err)
		require.Equal(t, before, MustVerifyChain(t, f.Store), "no audit row for a refused change")
		require.Zero(t, CountAudit(t, f.Store, "deposit.cancel", rec.RecordNo))
	})
	t.Run("MissingRecordIsNotFound", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		_, err := f.Store.TransitionDeposit(ctx, core.DepositTransition{ID: 12345, From: core.StatusVerifying, To: core.StatusCancelled,
			Remarks: "x", Audit: audit("deposit.cancel", "deposit", "", T0)})
		requireCode(t, core.ENOTFOUND, err)
	})
	t.Run("CancelRecordsOperatorTimeAndRemarks", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		at := T0.Add(2 * time.Hour)
		a := core.AuditEntry{At: at, Actor: "olivia", Action: "deposit.cancel", Entity: "deposit", Remarks: "Duplicate user request"}
		got, err := f.Store.TransitionDeposit(ctx, core.DepositTransition{ID: rec.ID, From: core.StatusVerifying, To: core.StatusCancelled,
			Remarks: "Duplicate user request", Audit: a})
		require.NoError(t, err)
		require.Equal(t, core.StatusCancelled, got.Status)
		require.Equal(t, "Duplicate user request", got.Remarks)
		require.Equal(t, at, got.UpdatedAt)
		rows, err := f.Store.FindAudit(ctx, core.AuditFilter{Entity: ptr("deposit"), EntityID: &rec.RecordNo})
		require.NoError(t, err)
		last := rows[len(rows)-1]
		require.Equal(t, "olivia", last.Actor)
		require.Equal(t, at, last.At)
		require.Equal(t, "Duplicate user request", last.Remarks)
		require.Equal(t, string(core.StatusVerifying), last.Before)
		require.Equal(t, string(core.StatusCancelled), last.After)
	})
}

package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runAudit(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("ChainIsGapFreeAndVerifies", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		for i := range 20 {
			rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, i))
			f.MustTransition(t, rec, PathTo(core.StatusRefunded)...)
		}
		require.NoError(t, f.Store.AppendAudit(ctx, core.AuditEntry{At: T0, Actor: "auditor", Action: "audit.export", Entity: "audit", EntityID: "csv"}))
		n := MustVerifyChain(t, f.Store)
		require.Equal(t, 3+20*5+1, n)
		rows, err := f.Store.FindAudit(ctx, core.AuditFilter{AfterSeq: 10, Limit: 5})
		require.NoError(t, err)
		require.Len(t, rows, 5)
		require.Equal(t, int64(11), rows[0].Seq)
	})
	t.Run("RowsKeepEveryFieldExactly", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		e := core.AuditEntry{At: T0.Add(123 * time.Microsecond), Actor: "ünïcode", Action: "x.y", Entity: "deposit", EntityID: "D20261125-000001",
			Before: "a\"b", After: "c,d\ne", Remarks: "Incorrect address"}
		require.NoError(t, s.AppendAudit(ctx, e))
		rows, err := s.FindAudit(ctx, core.AuditFilter{})
		require.NoError(t, err)
		require.Len(t, rows, 1)
		got := rows[0]
		require.Equal(t, e.At, got.At)
		require.Equal(t, e.Actor, got.Actor)
		require.Equal(t, e.Before, got.Before)
		require.Equal(t, e.After, got.After)
		require.Equal(t, int64(1), got.Seq)
		require.Equal(t, core.GenesisHash, got.PrevHash)
		require.Equal(t, core.ChainHash(core.GenesisHash, got), got.Hash)
	})
	t.Run("ChainVerifiesAfterEveryKindOfChange", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		op := MustCreateOperator(t, f.Store, "olivia", core.PermCancel)
		_, err := f.Store.ClaimLoginAttempt(ctx, op.ID, 5, T0, T0.Add(time.Hour))
		require.NoError(t, err)
		require.NoError(t, f.Store.AppendAudit(ctx, audit("operator.login_failed", "operator", op.Name, T0)))
		_, err = f.Store.UpdateOperator(ctx, op.ID, core.OperatorUpdate{FailedLogins: ptr(0)}, audit("operator.login", "operator", op.Name, T0))
		require.NoError(t, err)
		_, err = f.Store.UpdateAsset(ctx, f.BTC.ID, core.AssetUpdate{ConfirmationsRequired: ptr(6)}, audit("asset.update", "asset", f.BTC.Key(), T0))
		require.NoError(t, err)
		w := MustCreateWalletAddress(t, f.Store, f.Customer, f.BTC, BTCAddress(5))
		_, err = f.Store.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: w.ID, From: core.AddressPending, To: core.AddressVerified,
			Method: "manual", Operator: "olivia"}, audit("address.verify", "address", w.Address, T0))
		require.NoError(t, err)
		var seed []*core.DepositRecord
		for i := range 30 {
			d := f.Deposit(f.ETH, f.Customer, -24*60+i)
			d.RecordNo = core.FormatRecordNo(d.CreatedAt, int64(i+1))
			seed = append(seed, d)
		}
		_, err = f.Store.BulkInsertDeposits(ctx, slices.Values(seed), SeedAudit(T0))
		require.NoError(t, err)
		for i := range 10 {
			f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, i)), core.StatusConfirming, core.StatusHeld)
		}
		_, _, err = f.Store.CreateDeposit(ctx, seed[0], audit("deposit.create", "deposit", "", T0)) // idempotent: no row
		require.NoError(t, err)
		want := 3 + 1 + 1 + 1 + 1 + 1 + 1 + 30 + 10*3
		require.Equal(t, want, MustVerifyChain(t, f.Store))

		// Verification can walk the chain in pages, continuing from the
		// state the previous page ended in.
		var prevSeq int64
		prevHash := core.GenesisHash
		for {
			rows, err := f.Store.FindAudit(ctx, core.AuditFilter{AfterSeq: prevSeq, Limit: 7})
			require.NoError(t, err)
			if len(rows) == 0 {
				break
			}
			var broken int64
			var reason string
			broken, reason, prevSeq, prevHash = core.VerifyAuditChain(rows, prevSeq, prevHash)
			require.Zero(t, broken, reason)
		}
		require.Equal(t, int64(want), prevSeq)
	})
	t.Run("FindsRowsOfOneEntityInSeqOrder", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		a := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		b := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 1))
		f.MustTransition(t, a, PathTo(core.StatusCredited)...)
		f.MustTransition(t, b, core.StatusCancelled)
		rows, err := f.Store.FindAudit(ctx, core.AuditFilter{Entity: ptr("deposit"), EntityID: &a.RecordNo})
		require.NoError(t, err)
		var trail []string
		for i, r := range rows {
			trail = append(trail, r.Action)
			require.Equal(t, a.RecordNo, r.EntityID)
			if i > 0 {
				require.Greater(t, r.Seq, rows[i-1].Seq)
			}
		}
		require.Equal(t, []string{"deposit.create", "deposit.confirming", "deposit.credited"}, trail)
		assets, err := f.Store.FindAudit(ctx, core.AuditFilter{Entity: ptr("asset")})
		require.NoError(t, err)
		require.Len(t, assets, 2)
	})
}

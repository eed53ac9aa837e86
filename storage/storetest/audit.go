package storetest

import (
	"context"
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
}

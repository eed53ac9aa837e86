package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// RunSubmitterMigration checks migration 00016 on an engine: records made
// before it take who sent them from their creation's audit row, an API
// client's as the client through the API, an operator's with no channel
// (none was recorded), a seeded one's as not recorded. s is a fresh store;
// downgrade closes it, takes its database back to migration 00015, and
// returns the store opened again (which migrates it up).
func RunSubmitterMigration(t *testing.T, s core.Store, downgrade func(t *testing.T) core.Store) {
	t.Helper()
	ctx := context.Background()
	f := NewFixture(t, func(*testing.T) core.Store { return s })
	create := func(actor string, i int) string {
		d := f.Deposit(f.BTC, f.Customer, i)
		rec, created, err := s.CreateDeposit(ctx, d, core.AuditEntry{At: d.CreatedAt, Actor: actor, Action: "deposit.create", Entity: "deposit"})
		require.NoError(t, err)
		require.True(t, created)
		return rec.RecordNo
	}
	byClient, byOperator := create("client:crm", 0), create("alice", 1)
	seeded := f.Deposit(f.BTC, f.Customer, 2)
	seeded.RecordNo = "D20261125-000900"
	n, err := s.BulkInsertDeposits(ctx, func(yield func(*core.DepositRecord) bool) { yield(seeded) }, SeedAudit(T0))
	require.NoError(t, err)
	require.Equal(t, 1, n)

	s = downgrade(t)
	got := map[string]*core.DepositRecord{}
	page, err := s.FindDeposits(ctx, core.DepositFilter{Limit: 10})
	require.NoError(t, err)
	for _, d := range page.Records {
		got[d.RecordNo] = d
	}
	require.Len(t, got, 3)
	require.Equal(t, "client:crm", got[byClient].SubmittedBy)
	require.Equal(t, core.ChannelAPI, got[byClient].Channel)
	require.Equal(t, "API client crm", got[byClient].Submitter())
	require.Equal(t, "alice", got[byOperator].SubmittedBy)
	require.Equal(t, core.ApplicationChannel(""), got[byOperator].Channel, "no channel was recorded then")
	require.Equal(t, "operator alice", got[byOperator].Submitter())
	require.Equal(t, "not recorded", got[seeded.RecordNo].Submitter())
}

package seed_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/seed"
	"depositdesk/storage/sqlite"
)

var until = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func newService(tb testing.TB) (*core.Service, context.Context) {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "seed.db"))
	require.NoError(tb, err)
	tb.Cleanup(func() { st.Close() })
	svc := core.NewService(st)
	svc.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	op, err := svc.Bootstrap(context.Background(), "admin", "admin-password-1")
	require.NoError(tb, err)
	return svc, core.NewContextWithOperator(context.Background(), op)
}

func TestSeedIsReproducibleAndCoversEveryStatus(t *testing.T) {
	t.Parallel()
	var firstPages [2][]string
	for i := range 2 {
		svc, ctx := newService(t)
		res, err := seed.Run(ctx, svc, seed.Options{Records: 3000, Seed: 7, Until: until})
		require.NoError(t, err)
		require.Equal(t, 3000, res.Records)
		page, err := svc.SearchDeposits(ctx, core.DepositFilter{Limit: 20})
		require.NoError(t, err)
		for _, d := range page.Records {
			firstPages[i] = append(firstPages[i], d.RecordNo+d.TxID+d.AmountText()+string(d.Status))
			require.True(t, d.CreatedAt.Before(until))
		}
		for _, st := range core.AllDepositStatuses() {
			p, err := svc.SearchDeposits(ctx, core.DepositFilter{Status: &st, Limit: 1})
			require.NoError(t, err)
			if st == core.StatusRefunding || st == core.StatusRefunded {
				require.Empty(t, p.Records, "a %s record needs a refund behind it, which seeding does not make", st)
				continue
			}
			require.NotEmpty(t, p.Records, "no %s record", st)
		}
		v, err := svc.VerifyAudit(ctx, core.AuditAnchors{State: true})
		require.NoError(t, err)
		require.True(t, v.Intact(), "%s", v.Summary())
		require.Equal(t, 3000, v.RecordsReplayed, "every seeded record replays from its own row")
	}
	require.Equal(t, firstPages[0], firstPages[1], "same seed, same data")
}

func TestSeedRefusesADatabaseWithRecords(t *testing.T) {
	t.Parallel()
	svc, ctx := newService(t)
	_, err := seed.Run(ctx, svc, seed.Options{Records: 10, Seed: 1, Until: until})
	require.NoError(t, err)
	_, err = seed.Run(ctx, svc, seed.Options{Records: 10, Seed: 2, Until: until})
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
}

func BenchmarkSeed(b *testing.B) {
	for b.Loop() {
		svc, ctx := newService(b)
		_, err := seed.Run(ctx, svc, seed.Options{Records: 100_000, Seed: 1, Until: until})
		require.NoError(b, err)
	}
}

// A seed killed after it stored some customers and addresses (before its
// records, which go in one transaction) leaves them behind; seeding again
// takes them up, and the log explains every record.
func TestSeedAfterAKilledSeed(t *testing.T) {
	t.Parallel()
	svc, ctx := newService(t)
	// What a seed killed while storing customers leaves: a customer and a
	// Pending address, no records.
	require.NoError(t, svc.CreateCustomer(ctx, &core.Customer{CustomerNo: "C0000001", SecuritiesAccount: "SA19999999", Name: "Left Behind"}))
	_, err := svc.AddWalletAddress(ctx, "C0000001", core.ChainBitcoin, "mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "seeded")
	require.NoError(t, err)
	res, err := seed.Run(ctx, svc, seed.Options{Records: 50, Seed: 4, Until: until})
	require.NoError(t, err)
	require.Equal(t, 50, res.Records)
	v, err := svc.VerifyAudit(ctx, core.AuditAnchors{State: true})
	require.NoError(t, err)
	require.True(t, v.Intact(), "%s", v.Summary())
}

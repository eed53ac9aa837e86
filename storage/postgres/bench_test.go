package postgres_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/pgtest"
	"depositdesk/internal/seed"
	"depositdesk/storage/postgres"
)

// benchRecords is the table size of BenchmarkSearch: DEPOSITDESK_BENCH_RECORDS
// (e.g. 1000000), default 100,000 so a plain `go test -bench .` stays quick.
func benchRecords(b *testing.B) int {
	n := 100_000
	if v := os.Getenv("DEPOSITDESK_BENCH_RECORDS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("DEPOSITDESK_BENCH_RECORDS=%q is not a positive number", v)
		}
	}
	return n
}

// BenchmarkSearch seeds one database with realistic records and measures a
// page of 50 for each filter the Deposit Records page offers, alone and
// combined, plus the page after a cursor.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, pgtest.NewDatabase(b))
	require.NoError(b, err)
	b.Cleanup(func() { s.Close() })
	svc := core.NewService(s)
	svc.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	op, err := svc.Bootstrap(ctx, "admin", "admin-password-1")
	require.NoError(b, err)
	octx := core.NewContextWithOperator(ctx, op)
	n := benchRecords(b)
	until := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	_, err = seed.Run(octx, svc, seed.Options{Records: n, Seed: 1, Until: until})
	require.NoError(b, err)
	b.Logf("seeded %d records in %v", n, time.Since(start).Round(time.Millisecond))

	assets, err := s.FindAssets(ctx, core.AssetFilter{})
	require.NoError(b, err)
	customers, err := s.FindCustomers(ctx, core.CustomerFilter{Limit: 10})
	require.NoError(b, err)
	credited, held := core.StatusCredited, core.StatusHeld
	from, to := until.AddDate(0, -3, 0), until.AddDate(0, -2, 0)
	cases := []struct {
		name string
		f    core.DepositFilter
	}{
		{"All", core.DepositFilter{}},
		{"Range", core.DepositFilter{CreatedFrom: &from, CreatedTo: &to}},
		{"Status", core.DepositFilter{Status: &held}},
		{"Asset", core.DepositFilter{AssetID: &assets[2].ID}},
		{"Customer", core.DepositFilter{CustomerNo: &customers[7].CustomerNo}},
		{"Account", core.DepositFilter{SecuritiesAccount: &customers[7].SecuritiesAccount}},
		{"StatusAssetRange", core.DepositFilter{Status: &credited, AssetID: &assets[1].ID, CreatedFrom: &from, CreatedTo: &to}},
		{"StatusAssetCustomerRange", core.DepositFilter{Status: &credited, AssetID: &assets[0].ID, CustomerNo: &customers[3].CustomerNo,
			CreatedFrom: &from, CreatedTo: &to}},
		{"RareStatusAssetRange", core.DepositFilter{Status: &held, AssetID: &assets[3].ID, CreatedFrom: &from, CreatedTo: &to}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			f := c.f
			f.Limit = core.DefaultPageSize
			first, err := s.FindDeposits(ctx, f)
			require.NoError(b, err)
			b.Run("FirstPage", func(b *testing.B) { benchPage(b, s, f) })
			if first.Next != nil {
				f.After = first.Next
				b.Run("NextPage", func(b *testing.B) { benchPage(b, s, f) })
			}
		})
	}
}

func benchPage(b *testing.B, s *postgres.Store, f core.DepositFilter) {
	var rows int
	for b.Loop() {
		page, err := s.FindDeposits(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		rows = len(page.Records)
	}
	b.ReportMetric(float64(rows), "rows/op")
}

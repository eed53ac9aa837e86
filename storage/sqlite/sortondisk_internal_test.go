package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/storetest"
)

// writerSettings is the writer connection's temp_store, threads and
// cache_size.
func writerSettings(t *testing.T, s *Store) [3]int {
	t.Helper()
	var got [3]int
	for i, pragma := range []string{"temp_store", "threads", "cache_size"} {
		require.NoError(t, s.write.QueryRowContext(context.Background(), "PRAGMA "+pragma).Scan(&got[i]))
	}
	return got
}

// A seed sorts its index builds on disk with helper threads and a small
// cache (decision 63); afterwards the writer has its everyday settings
// again — statement journals in memory (decision 54), no helper threads,
// its 64 MiB cache — whether the seed succeeded or failed.
func TestBulkInsertPutsTheWriterBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var s *Store
	f := storetest.NewFixture(t, func(t *testing.T) core.Store {
		var err error
		s, err = Open(ctx, filepath.Join(t.TempDir(), "desk.db"))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	})
	const memory = 2
	everyday := [3]int{memory, 0, -WriterCacheKiB}
	require.Equal(t, everyday, writerSettings(t, s))

	var recs []*core.DepositRecord
	for i := range 1200 {
		d := f.Deposit(f.BTC, f.Customer, i%5)
		d.RecordNo = core.FormatRecordNo(d.CreatedAt, int64(i+1))
		recs = append(recs, d)
	}
	n, err := s.BulkInsertDeposits(ctx, slices.Values(recs[:1000]), storetest.SeedAudit(storetest.T0))
	require.NoError(t, err)
	require.Equal(t, 1000, n)
	require.Equal(t, everyday, writerSettings(t, s))

	// A record number seeded twice fails the rebuilt unique index.
	dup := *recs[1000]
	dup.RecordNo = recs[1001].RecordNo
	_, err = s.BulkInsertDeposits(ctx, slices.Values([]*core.DepositRecord{&dup, recs[1001]}), storetest.SeedAudit(storetest.T0))
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "%v", err)
	require.Equal(t, everyday, writerSettings(t, s))
}

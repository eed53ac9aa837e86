package sqlite_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/sqlite"
	"depositdesk/storage/storetest"
)

// seedFixture is a store at path with the fixture's assets and customer,
// and n records ready to seed.
func seedFixture(t *testing.T, n int) (*storetest.Fixture, string, []*core.DepositRecord) {
	t.Helper()
	var path string
	f := storetest.NewFixture(t, func(t *testing.T) core.Store {
		var s *sqlite.Store
		s, path = open(t)
		return s
	})
	var recs []*core.DepositRecord
	for i := range n {
		d := f.Deposit(f.BTC, f.Customer, i%5)
		d.RecordNo = core.FormatRecordNo(d.CreatedAt, int64(i+1))
		recs = append(recs, d)
	}
	return f, path, recs
}

// walBytes is the size of the database's WAL, 0 when there is none.
func walBytes(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path + "-wal")
	if os.IsNotExist(err) {
		return 0
	}
	require.NoError(t, err)
	return fi.Size()
}

func journalMode(t *testing.T, path string) string {
	t.Helper()
	var mode string
	require.NoError(t, rawDB(t, path).QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	return mode
}

// The seed writes its pages once, into the file, not into the WAL and again
// by checkpoints; afterwards the database is in WAL again and works as
// before.
func TestBulkInsertWritesPastTheWALAndReturnsToIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, path, recs := seedFixture(t, 3000)
	n, err := f.Store.BulkInsertDeposits(ctx, slices.Values(recs), storetest.SeedAudit(storetest.T0))
	require.NoError(t, err)
	require.Equal(t, 3000, n)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Greater(t, fi.Size(), int64(1<<20), "the seeded pages are in the file")
	require.Zero(t, walBytes(t, path), "nothing of the seed went through the WAL")
	require.Equal(t, "wal", journalMode(t, path))

	next := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
	require.Equal(t, "D20261125-003001", next.RecordNo)
	require.Positive(t, walBytes(t, path), "everyday writes go through the WAL again")
	var stored int
	require.NoError(t, rawDB(t, path).QueryRow(`SELECT count(*) FROM deposits`).Scan(&stored))
	require.Equal(t, 3001, stored)
	require.Equal(t, 3+3000+1, storetest.MustVerifyChain(t, f.Store), "assets, customer, one row per seeded record, one create")
}

// With the file open elsewhere (here a read transaction of another
// connection) the journal cannot change; the seed runs in WAL instead, and
// the reader keeps its snapshot.
func TestBulkInsertStaysInWALWhileAnotherConnectionReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, path, recs := seedFixture(t, 1203)
	other, err := rawDB(t, path).BeginTx(ctx, nil)
	require.NoError(t, err)
	defer other.Rollback()
	var before int
	require.NoError(t, other.QueryRow(`SELECT count(*) FROM deposits`).Scan(&before))

	n, err := f.Store.BulkInsertDeposits(ctx, slices.Values(recs), storetest.SeedAudit(storetest.T0))
	require.NoError(t, err)
	require.Equal(t, 1203, n)
	require.Positive(t, walBytes(t, path), "the seed went through the WAL")
	var during int
	require.NoError(t, other.QueryRow(`SELECT count(*) FROM deposits`).Scan(&during))
	require.Equal(t, before, during, "the other reader's snapshot is untouched")
	require.NoError(t, other.Rollback())
	require.Equal(t, "wal", journalMode(t, path))
	require.Equal(t, 3+1203, storetest.MustVerifyChain(t, f.Store))
}

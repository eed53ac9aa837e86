package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/sqlite"
	"depositdesk/storage/storetest"
)

func open(t *testing.T) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "desk.db")
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) core.Store {
		s, _ := open(t)
		return s
	})
}

func TestTamperedAuditRowIsNamed(t *testing.T) {
	t.Parallel()
	s, path := open(t)
	f := &storetest.Fixture{Store: s}
	f.BTC = storetest.MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
	f.Customer = storetest.MustCreateCustomer(t, s, "C1", "SA1")
	rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
	f.MustTransition(t, rec, core.StatusCancelled)
	storetest.MustVerifyChain(t, s)

	raw, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	defer raw.Close()
	_, err = raw.Exec(`UPDATE audit_log SET remarks = 'nothing to see' WHERE seq = 3`)
	require.NoError(t, err)

	rows, err := s.FindAudit(context.Background(), core.AuditFilter{})
	require.NoError(t, err)
	broken, reason, _, _ := core.VerifyAuditChain(rows, 0, core.GenesisHash)
	require.Equal(t, int64(3), broken, reason)
}

func TestReopenKeepsDataAndSkipsAppliedMigrations(t *testing.T) {
	t.Parallel()
	s, path := open(t)
	storetest.MustCreateCustomer(t, s, "C1", "SA1")
	require.NoError(t, s.Close())
	s2, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	defer s2.Close()
	cs, err := s2.FindCustomers(context.Background(), core.CustomerFilter{})
	require.NoError(t, err)
	require.Len(t, cs, 1)
}

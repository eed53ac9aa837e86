package postgres_test

import (
	"context"
	"io/fs"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/pgtest"
	"depositdesk/internal/tamper"
	"depositdesk/storage/migrations"
	"depositdesk/storage/postgres"
	"depositdesk/storage/storetest"
)

// TestMain runs one throwaway cluster for the package; every store's
// database is a copy of one migrated template, so a test pays for
// CREATE DATABASE, not for the migrations.
func TestMain(m *testing.M) { pgtest.Main(m, pgtest.Migrate) }

func open(t *testing.T) (*postgres.Store, string) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, url
}

// openWithBTC is open with a fixture over the store that has a regtest
// BTC asset.
func openWithBTC(t *testing.T) (*postgres.Store, string, *storetest.Fixture) {
	t.Helper()
	s, url := open(t)
	f := &storetest.Fixture{Store: s}
	f.BTC = storetest.MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
	return s, url, f
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
	s, url, f := openWithBTC(t)
	f.Customer = storetest.MustCreateCustomer(t, s, "C1", "SA1")
	rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
	f.MustTransition(t, rec, core.StatusCancelled)
	storetest.MustVerifyChain(t, s)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE audit_log SET actor = 'someone else' WHERE seq = 4`)
	require.ErrorContains(t, err, "append-only", "a trigger refuses it even to the owner")
	_, err = conn.Exec(ctx, tamper.PostgresDisableGuards)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `UPDATE audit_log SET actor = 'someone else' WHERE seq = 4`)
	require.NoError(t, err)

	rows, err := s.FindAudit(ctx, core.AuditFilter{})
	require.NoError(t, err)
	broken, reason, _, _ := core.VerifyAuditChain(rows, 0, core.GenesisHash)
	require.Equal(t, int64(4), broken, reason)
}

func TestSecondOpenDoesNotReapplyMigrations(t *testing.T) {
	t.Parallel()
	s, url := open(t)
	storetest.MustCreateCustomer(t, s, "C1", "SA1")
	s2, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	defer s2.Close()
	cs, err := s2.FindCustomers(context.Background(), core.CustomerFilter{})
	require.NoError(t, err)
	require.Len(t, cs, 1)
}

func TestDesktopsStartingTogetherMigrateOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewEmptyDatabase(t)
	const desktops = 5
	errs := make([]error, desktops)
	var wg sync.WaitGroup
	for i := range desktops {
		wg.Go(func() {
			s, err := postgres.Open(ctx, url)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var applied int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied))
	files, err := fs.Glob(migrations.Postgres, "postgres/*.sql")
	require.NoError(t, err)
	require.Equal(t, len(files), applied, "each migration recorded once")
}

func TestBulkInsertRefusesMalformedRecordNumberAndStoresNothing(t *testing.T) {
	t.Parallel()
	s, _ := open(t)
	f := &storetest.Fixture{Store: s}
	f.BTC = storetest.MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
	f.Customer = storetest.MustCreateCustomer(t, s, "C1", "SA1")
	good, bad := f.Deposit(f.BTC, f.Customer, 0), f.Deposit(f.BTC, f.Customer, 1)
	good.RecordNo, bad.RecordNo = core.FormatRecordNo(good.CreatedAt, 1), "X-1"
	_, err := s.BulkInsertDeposits(context.Background(), slices.Values([]*core.DepositRecord{good, bad}),
		storetest.SeedAudit(storetest.T0))
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "error: %v", err)
	page, err := s.FindDeposits(context.Background(), core.DepositFilter{})
	require.NoError(t, err)
	require.Empty(t, page.Records)
	require.Equal(t, 2, storetest.MustVerifyChain(t, s), "no seed audit row")
}

func TestDepositOfUnknownCustomerIsInvalidNotInternal(t *testing.T) {
	t.Parallel()
	s, _ := open(t)
	f := &storetest.Fixture{Store: s}
	f.BTC = storetest.MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
	d := f.Deposit(f.BTC, &core.Customer{ID: 999, CustomerNo: "C999", SecuritiesAccount: "SA999"}, 0)
	_, _, err := s.CreateDeposit(context.Background(), d, core.AuditEntry{At: storetest.T0, Actor: "tester", Action: "deposit.create", Entity: "deposit"})
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "error: %v", err)
	require.Equal(t, 1, storetest.MustVerifyChain(t, s))
}

func TestOperatorRevokedElsewhereIsRefusedAtTheNextSearch(t *testing.T) {
	t.Parallel()
	storetest.RunOperatorRevocation(t, func(t *testing.T) (core.Store, core.Store) {
		desk, url := open(t)
		other, err := postgres.Open(context.Background(), url)
		require.NoError(t, err)
		t.Cleanup(func() { other.Close() })
		return desk, other
	})
}

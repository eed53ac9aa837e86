package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/tamper"
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

// openWithCustomer opens a store with a BTC asset and customer C10001 in
// it, ready for deposits.
func openWithCustomer(t *testing.T) (*sqlite.Store, *storetest.Fixture, string) {
	t.Helper()
	s, path := open(t)
	f := &storetest.Fixture{Store: s}
	f.BTC = storetest.MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
	f.Customer = storetest.MustCreateCustomer(t, s, "C10001", "SA-20001")
	return s, f, path
}

// rawDB opens the store's file behind its back, as someone with write
// access to the disk could.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000&_foreign_keys=on")
	require.NoError(t, err)
	t.Cleanup(func() { raw.Close() })
	return raw
}

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) core.Store {
		s, _ := open(t)
		return s
	})
}

func TestOpenCreatesTheDirectoryAndReopensWithoutReapplyingMigrations(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nested", "dir", "desk.db")
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	storetest.MustCreateCustomer(t, s, "C10001", "SA-20001")
	require.NoError(t, s.Close())
	_, err = os.Stat(path)
	require.NoError(t, err)

	s2, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	defer s2.Close()
	cs, err := s2.FindCustomers(context.Background(), core.CustomerFilter{})
	require.NoError(t, err)
	require.Len(t, cs, 1)
	require.Equal(t, 1, storetest.MustVerifyChain(t, s2))
}

func TestFileIsInWALMode(t *testing.T) {
	t.Parallel()
	_, path := open(t)
	var mode string
	require.NoError(t, rawDB(t, path).QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	require.Equal(t, "wal", mode, "WAL persists in the file: readers never block the writer")
}

// Searches read the file through a memory map only when the store is
// opened Mapped (the CLI); by default (the desktop, the intake server)
// they read it with pread and map nothing.
func TestSearchesMapTheFileOnlyWhenMapped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "desk.db")
	mapped := func() bool {
		maps, err := os.ReadFile("/proc/self/maps")
		require.NoError(t, err)
		// The -shm file is mapped by every WAL connection; the database itself only when reads map it.
		for line := range strings.Lines(string(maps)) {
			if strings.HasSuffix(strings.TrimSpace(line), path) {
				return true
			}
		}
		return false
	}
	s, err := sqlite.OpenWith(ctx, path, sqlite.Options{Mapped: true})
	require.NoError(t, err)
	require.False(t, mapped(), "opening and migrating (the writer) maps nothing")
	// Pages still in the WAL are read from it; the background checkpoint
	// soon copies them into the file, which searches then map.
	require.Eventually(t, func() bool {
		_, err := s.FindDeposits(ctx, core.DepositFilter{})
		return err == nil && mapped()
	}, 5*time.Second, 20*time.Millisecond, "a search maps the file it reads")
	require.NoError(t, s.Close())
	require.False(t, mapped(), "closing unmaps")

	// The same file, its pages now in it, opened as the desktop opens it.
	s, err = sqlite.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	for range 5 {
		_, err := s.FindDeposits(ctx, core.DepositFilter{})
		require.NoError(t, err)
	}
	require.False(t, mapped(), "an unmapped store's searches map nothing")
}

func TestTamperedAuditRowIsNamed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, c := range map[string]struct {
		sql  string
		want int64
	}{
		"EditedRemarks":   {`UPDATE audit_log SET remarks = 'nothing to see' WHERE seq = 5`, 5},
		"EditedActor":     {`UPDATE audit_log SET actor = 'someone else' WHERE seq = 3`, 3},
		"DeletedRow":      {`DELETE FROM audit_log WHERE seq = 4`, 5},
		"RehashedRow":     {`UPDATE audit_log SET after = 'credited', hash = 'feed' WHERE seq = 5`, 5},
		"BackdatedChange": {`UPDATE audit_log SET at = at - 86400000000 WHERE seq = 4`, 4},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, f, path := openWithCustomer(t)
			rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
			f.MustTransition(t, rec, core.StatusConfirming, core.StatusHeld, core.StatusRejected)
			require.Equal(t, 6, storetest.MustVerifyChain(t, s))

			raw := rawDB(t, path)
			_, err := raw.Exec(c.sql)
			require.ErrorContains(t, err, "append-only", "the desk's own file refuses it")
			_, err = raw.Exec(tamper.SQLiteDropGuards)
			require.NoError(t, err)
			_, err = raw.Exec(c.sql)
			require.NoError(t, err)

			rows, err := s.FindAudit(ctx, core.AuditFilter{})
			require.NoError(t, err)
			broken, reason, _, _ := core.VerifyAuditChain(rows, 0, core.GenesisHash)
			require.Equal(t, c.want, broken, reason)
			require.NotEmpty(t, reason)
		})
	}
}

// A record whose column holds what it should not (written behind the
// desk's back; the table's affinity keeps a text that is not a number) is
// refused with the column named, not shown with a zero.
func TestARecordTamperedOutOfItsTypesIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, f, path := openWithCustomer(t)
	rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
	_, err := rawDB(t, path).Exec(`UPDATE deposits SET confirmations = 'many' WHERE id = ?`, rec.ID)
	require.NoError(t, err)
	_, err = s.FindDeposits(ctx, core.DepositFilter{})
	require.EqualError(t, err, "scan deposit: d.confirmations is string, not an integer")
}

// The rule "at most one live refund per deposit" is the refunds_live
// unique index, so it holds for a writer that skips the deposit's
// compare-and-set (which answers first in the store), and for one that
// skips the store altogether.
func TestAtMostOneLiveRefundPerDeposit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, f, path := openWithCustomer(t)
	rec := f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0)), storetest.PathTo(core.StatusCredited)...)
	other := f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 1)), storetest.PathTo(core.StatusCredited)...)
	request := func() error {
		r := &core.Refund{DepositID: rec.ID, RecordNo: rec.RecordNo, Status: core.RefundRequested, Address: storetest.BTCAddress(7),
			Network: rec.Network, Amount: rec.Amount, RequestedBy: "rita", CreatedAt: storetest.T0, UpdatedAt: storetest.T0}
		return s.CreateRefund(ctx, r, core.DepositTransition{ID: rec.ID, From: core.StatusCredited, To: core.StatusRefunding,
			Audit: core.AuditEntry{At: storetest.T0, Actor: "rita", Action: "refund.request", Entity: "deposit", EntityID: rec.RecordNo}})
	}
	require.NoError(t, request())

	// The deposit put back to Credited behind the store's back: its
	// compare-and-set passes, and only the index is left to refuse.
	raw := rawDB(t, path)
	_, err := raw.Exec(`UPDATE deposits SET status = 'credited' WHERE id = ?`, rec.ID)
	require.NoError(t, err)
	rows := storetest.MustVerifyChain(t, s)
	err = request()
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "%v", err)
	require.Contains(t, core.ErrorMessage(err), "already has a refund in progress")
	require.Equal(t, rows, storetest.MustVerifyChain(t, s), "the deposit's move and its audit row were rolled back with the refund")
	page, err := s.FindDeposits(ctx, core.DepositFilter{ID: &rec.ID})
	require.NoError(t, err)
	require.Equal(t, core.StatusCredited, page.Records[0].Status)

	insert := func(depositID int64, status core.RefundStatus) error {
		_, err := raw.Exec(`INSERT INTO refunds (deposit_id, status, address, network, amount, requested_by, created_at, updated_at)
			VALUES (?, ?, ?, 'regtest', ?, 'rita', 1, 1)`, depositID, string(status), storetest.BTCAddress(7), rec.Amount.String())
		return err
	}
	requireUnique := func(err error) {
		t.Helper()
		var se sqlite3.Error
		require.True(t, errors.As(err, &se), "%v", err)
		require.Equal(t, sqlite3.ErrConstraintUnique, se.ExtendedCode)
	}

	for _, live := range []core.RefundStatus{core.RefundRequested, core.RefundApproved, core.RefundPrepared, core.RefundSigned, core.RefundBroadcast, core.RefundConfirmed} {
		requireUnique(insert(rec.ID, live))
	}
	require.NoError(t, insert(other.ID, core.RefundPrepared), "another deposit has its own refund; prepared is a status")

	_, err = raw.Exec(`UPDATE refunds SET status = 'failed' WHERE deposit_id = ?`, rec.ID)
	require.NoError(t, err)
	require.NoError(t, insert(rec.ID, core.RefundRejected), "failed and rejected refunds are not live")
	require.NoError(t, insert(rec.ID, core.RefundRequested), "after a failed refund a new one may be requested")
	requireUnique(insert(rec.ID, core.RefundApproved))

	_, err = raw.Exec(`UPDATE refunds SET status = 'lost' WHERE deposit_id = ?`, other.ID)
	require.Error(t, err, "refund statuses are checked")
}

// A record-number allocator moved back by hand must not make CreateDeposit
// overwrite or duplicate a record: the unique index refuses, the store
// finds no record it duplicates, and the caller gets ECONFLICT.
func TestRecordNumberCollisionIsConflictNotDuplicate(t *testing.T) {
	t.Parallel()
	s, f, path := openWithCustomer(t)
	first := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
	_, err := rawDB(t, path).Exec(`UPDATE record_no_seq SET last = 0`)
	require.NoError(t, err)

	_, created, err := s.CreateDeposit(context.Background(), f.Deposit(f.BTC, f.Customer, 1),
		core.AuditEntry{At: storetest.T0, Actor: "client", Action: "deposit.create", Entity: "deposit"})
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "%v", err)
	require.False(t, created)
	page, err := s.FindDeposits(context.Background(), core.DepositFilter{})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	require.Equal(t, first.ID, page.Records[0].ID)
	require.Equal(t, 3, storetest.MustVerifyChain(t, s), "nothing audited for the refused insert")
}

// A database made in a folder that already exists is the owner's alone,
// and so are the WAL and shared-memory files SQLite makes beside it.
func TestDatabaseFilesAreReadableByTheirOwnerOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() // exists already, mode 0700: the file's own mode is what counts
	path := filepath.Join(dir, "desk.db")
	st, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.AppendAudit(context.Background(), core.AuditEntry{At: time.Now(), Actor: "t", Action: "test", Entity: "test"}))
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(f)
		require.NoError(t, err, f)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
	}
}

func TestOperatorRevokedElsewhereIsRefusedAtTheNextSearch(t *testing.T) {
	t.Parallel()
	storetest.RunOperatorRevocation(t, func(t *testing.T) (core.Store, core.Store) {
		desk, path := open(t)
		other, err := sqlite.Open(context.Background(), path)
		require.NoError(t, err)
		t.Cleanup(func() { other.Close() })
		return desk, other
	})
}

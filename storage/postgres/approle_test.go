package postgres_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/postgres"
	"depositdesk/storage/storetest"
)

// A desk logged in with the application role does everything a desk does,
// and cannot change or remove an audit row or move the head back, whatever
// SQL it sends.
func TestTheApplicationRoleCannotRewriteTheAuditLog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, appURL := openAsApp(t, "desk_station_1")
	f := &storetest.Fixture{Store: s}
	f.BTC = storetest.MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
	f.Customer = storetest.MustCreateCustomer(t, s, "C1", "SA1")
	rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
	f.MustTransition(t, rec, core.StatusCancelled)
	rows := storetest.MustVerifyChain(t, s)

	app, err := pgx.Connect(ctx, appURL)
	require.NoError(t, err)
	defer app.Close(ctx)
	for _, stmt := range []string{
		`UPDATE audit_log SET remarks = 'edited' WHERE seq = 2`,
		`DELETE FROM audit_log WHERE seq = 2`,
		`TRUNCATE audit_log`,
		`UPDATE audit_head SET last_seq = 1`,
		`DELETE FROM audit_head`,
		`ALTER TABLE audit_log DISABLE TRIGGER USER`,
		`DROP TRIGGER audit_log_no_change ON audit_log`,
	} {
		_, err := app.Exec(ctx, stmt)
		require.Error(t, err, stmt)
	}
	require.Equal(t, rows, storetest.MustVerifyChain(t, s), "nothing changed")
}

// openAsApp migrates a database as its owner (the cluster's superuser
// here) and opens it as login, a member of the application role; roles
// are the cluster's, so each test names its own.
func openAsApp(t *testing.T, login string) (*postgres.Store, string) {
	t.Helper()
	ctx := context.Background()
	_, owner := open(t)
	admin, err := pgx.Connect(ctx, owner)
	require.NoError(t, err)
	t.Cleanup(func() { admin.Close(context.Background()) })
	_, err = admin.Exec(ctx, fmt.Sprintf(`CREATE ROLE %s LOGIN PASSWORD 'desk-password' IN ROLE depositdesk_app`, login))
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP ROLE `+login) })

	u, err := url.Parse(owner)
	require.NoError(t, err)
	u.User = url.UserPassword(login, "desk-password")
	s, err := postgres.Open(ctx, u.String())
	require.NoError(t, err, "a migrated database opens with the application role")
	t.Cleanup(func() { s.Close() })
	return s, u.String()
}

// Tables added after the role was made (refund_spends) are granted to it
// too: a desk claims and gives back a refund's coins.
func TestTheApplicationRolePreparesAndRejectsRefunds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openAsApp(t, "desk_station_2")
	f := &storetest.Fixture{Store: s}
	f.BTC = storetest.MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
	f.Customer = storetest.MustCreateCustomer(t, s, "C1", "SA1")
	rec := f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0)), storetest.PathTo(core.StatusCredited)...)
	at := func(action string) core.AuditEntry {
		return core.AuditEntry{At: storetest.T0, Actor: "rita", Action: action, Entity: "deposit", EntityID: rec.RecordNo}
	}
	r := &core.Refund{DepositID: rec.ID, RecordNo: rec.RecordNo, Status: core.RefundRequested, Address: storetest.BTCAddress(7),
		Network: rec.Network, Amount: rec.Amount, RequestedBy: "rita", CreatedAt: storetest.T0, UpdatedAt: storetest.T0}
	require.NoError(t, s.CreateRefund(ctx, r, core.DepositTransition{ID: rec.ID, From: core.StatusCredited, To: core.StatusRefunding, Audit: at("refund.request")}))
	_, err := s.TransitionRefund(ctx, core.RefundTransition{ID: r.ID, From: core.RefundRequested, To: core.RefundApproved, ApprovedBy: "sam", Audit: at("refund.approve")})
	require.NoError(t, err)
	p := &core.Payout{To: r.Address, Amount: core.NewInt(r.Amount), Inputs: []core.PayoutInput{{Outpoint: rec.TxID + ":0", Amount: core.NewInt(rec.Amount)}}}
	_, err = s.TransitionRefund(ctx, core.RefundTransition{ID: r.ID, From: core.RefundApproved, To: core.RefundPrepared, Payout: p, Network: f.BTC.Net(), Audit: at("refund.prepare")})
	require.NoError(t, err)
	held, err := s.FindHeldSpends(ctx, core.SpendKey(f.BTC.Net(), ""))
	require.NoError(t, err)
	require.Len(t, held, 1)
	_, err = s.TransitionRefund(ctx, core.RefundTransition{ID: r.ID, From: core.RefundPrepared, To: core.RefundRejected, Release: true, Audit: at("refund.reject"),
		Deposit: &core.DepositTransition{ID: rec.ID, From: core.StatusRefunding, To: core.StatusCredited, Audit: at("deposit.refund_rejected")}})
	require.NoError(t, err)
	held, err = s.FindHeldSpends(ctx, core.SpendKey(f.BTC.Net(), ""))
	require.NoError(t, err)
	require.Empty(t, held)
}

// A desk logging in with the application role to a database whose schema
// is behind its build cannot apply the update (the owner's objects change)
// and says who can, instead of starting on the old schema or failing with
// the server's words alone.
func TestADeskWithTheApplicationRoleAsksTheOwnerToMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, appURL := openAsApp(t, "desk_station_3")
	u, err := url.Parse(appURL)
	require.NoError(t, err)
	u.User = url.User("postgres") // the cluster's superuser owns the test database
	owner, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	defer owner.Close(ctx)
	// The schema as a build before migration 00020 left it.
	_, err = owner.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id = 20`)
	require.NoError(t, err)

	_, err = postgres.Open(ctx, appURL)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "%v", err)
	require.Contains(t, core.ErrorMessage(err), "depositctl")
	require.Contains(t, core.ErrorMessage(err), "owner")
}

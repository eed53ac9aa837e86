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
	_, owner := open(t) // migrated as the owner (the cluster's superuser here)
	admin, err := pgx.Connect(ctx, owner)
	require.NoError(t, err)
	defer admin.Close(ctx)
	const login = "desk_station_1" // roles are the cluster's; this test binary's cluster is its own
	_, err = admin.Exec(ctx, fmt.Sprintf(`CREATE ROLE %s LOGIN PASSWORD 'desk-password' IN ROLE depositdesk_app`, login))
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP ROLE `+login) })

	u, err := url.Parse(owner)
	require.NoError(t, err)
	u.User = url.UserPassword(login, "desk-password")
	s, err := postgres.Open(ctx, u.String())
	require.NoError(t, err, "a migrated database opens with the application role")
	defer s.Close()
	f := &storetest.Fixture{Store: s}
	f.BTC = storetest.MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
	f.Customer = storetest.MustCreateCustomer(t, s, "C1", "SA1")
	rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
	f.MustTransition(t, rec, core.StatusCancelled)
	rows := storetest.MustVerifyChain(t, s)

	app, err := pgx.Connect(ctx, u.String())
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

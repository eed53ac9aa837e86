package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/pgtest"
	"depositdesk/storage/postgres"
	"depositdesk/storage/storetest"
)

// TestCustomerKeyPrefixIsBytewiseUnderAnyCollation gives the request key
// column ICU's root collation, as a database created with a real locale
// would (the test cluster's is C): there ';' sorts before ':' and
// punctuation before digits, so a plain range from "client-1:" to
// "client-1;" would hold nothing. The store compares under "C" and finds
// exactly the keys that start with the prefix, through the index.
func TestCustomerKeyPrefixIsBytewiseUnderAnyCollation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `ALTER TABLE deposits ALTER COLUMN client_request_key TYPE text COLLATE "und-x-icu"`)
	require.NoError(t, err)
	s, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })

	f := &storetest.Fixture{Store: s}
	f.BTC = storetest.MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
	served := storetest.MustCreateCustomer(t, s, "C10001", "SA-10001")
	other := storetest.MustCreateCustomer(t, s, "C20002", "SA-20002")
	for _, k := range []struct {
		c   *core.Customer
		key string
	}{{served, "client-1:order-1"}, {other, "client-10:order-1"}, {other, "client-1;order-1"}, {other, "client-1order-1"}} {
		d := f.Deposit(f.BTC, k.c, 0)
		d.ClientRequestKey = k.key
		f.MustCreateDeposit(t, d)
	}
	for no, want := range map[string]bool{"C10001": true, "C20002": false} {
		got, err := s.CustomerHasKeyedDeposit(ctx, no, "client-1:")
		require.NoError(t, err)
		require.Equal(t, want, got, no)
	}

	// The range bounds the index scan (an Index Cond), not a filter on
	// every record of the customer.
	_, err = conn.Exec(ctx, `SET enable_seqscan = off`)
	require.NoError(t, err)
	var plan string
	rows, err := conn.Query(ctx, `EXPLAIN `+postgres.CustomerKeyQuery, "C20002", "client-1:", "client-1;")
	require.NoError(t, err)
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		plan += line + "\n"
	}
	require.NoError(t, rows.Err())
	require.Regexp(t, `Index (Only )?Scan using deposits_customer_request_key on deposits .*\n\s+Index Cond: \(\(customer_no = [^)]+\) AND \(client_request_key >= [^)]+\) AND \(client_request_key < [^)]+\)\)\n`, plan)
}

package intake_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/intake"
	"depositdesk/internal/wire"
)

// TestEveryAcceptedCallWritesItsAuditRows makes each accepted call in every
// variant that takes its own path through the Service (a new request, a
// replay by key and by transaction, a first and a repeated TXID, an address
// assigned, cached, and read from the store by another desk process) and
// counts the audit rows it wrote: at least one, each naming the client.
// /metrics, /healthz and /openapi.json touch no record and write none
// (decision 37). A route the table does not cover fails the test.
func TestEveryAcceptedCallWritesItsAuditRows(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, newEnv newEnvFunc) {
		e := newEnv(t, intake.Config{})
		// A second process over the same database: its Service has cached
		// no deposit address, so it finds the one stored by the first.
		other := *e
		srv := httptest.NewServer(intake.New(intake.Config{Service: wire.NewService(e.store), RatePerSecond: 10_000, Burst: 10_000}).Handler())
		t.Cleanup(srv.Close)
		other.srv = srv

		var recordNo string
		record := func() string { return "/v1/deposit-requests/" + recordNo }
		txid := map[string]any{"txid": strings.Repeat("4a", 32)}
		withTx := body(map[string]any{"txid": strings.Repeat("5b", 32)})
		address := func(e *env, query string) func() response {
			return func() response { return e.do(http.MethodGet, "/v1/deposit-addresses?"+query, e.crm, nil, nil) }
		}
		type step struct {
			name, route string
			call        func() response
			status      int
			rows        []string // actor and action of each row written
		}
		steps := []step{
			{"NewRequest", "POST /v1/deposit-requests", func() response {
				r := e.post(e.crm, "k-1", body(nil))
				recordNo = r.view.RecordNo
				return r
			}, http.StatusCreated, []string{"client:crm deposit_address.assign", "client:crm deposit.create", "client:crm address.add"}},
			{"SameKeyAgain", "POST /v1/deposit-requests", func() response { return e.post(e.crm, "k-1", body(nil)) },
				http.StatusOK, []string{"client:crm deposit.resubmit"}},
			{"RequestWithTxID", "POST /v1/deposit-requests", func() response { return e.post(e.crm, "k-2", withTx) },
				http.StatusCreated, []string{"client:crm deposit.create"}},
			{"SameTransactionNewKey", "POST /v1/deposit-requests", func() response { return e.post(e.crm, "k-3", withTx) },
				http.StatusOK, []string{"client:crm deposit.resubmit"}},
			{"Read", "GET /v1/deposit-requests/{recordNo}", func() response { return e.do(http.MethodGet, record(), e.crm, nil, nil) },
				http.StatusOK, []string{"client:crm deposit.view"}},
			{"AttachTxID", "PATCH /v1/deposit-requests/{recordNo}", func() response { return e.do(http.MethodPatch, record(), e.crm, nil, txid) },
				http.StatusOK, []string{"client:crm deposit.attach_tx"}},
			{"SameTxIDAgain", "PATCH /v1/deposit-requests/{recordNo}", func() response { return e.do(http.MethodPatch, record(), e.crm, nil, txid) },
				http.StatusOK, []string{"client:crm deposit.attach_tx_repeat"}},
			{"AddressKnownToThisProcess", "GET /v1/deposit-addresses", address(e, "customer=C10001&asset=BTC"),
				http.StatusOK, []string{"client:crm deposit_address.view"}},
			{"AddressStoredByAnotherProcess", "GET /v1/deposit-addresses", address(&other, "customer=C10001&asset=BTC"),
				http.StatusOK, []string{"client:crm deposit_address.view"}},
			{"AddressAssigned", "GET /v1/deposit-addresses", address(e, "customer=C10001&asset=ETH&network=dev"),
				http.StatusOK, []string{"client:crm deposit_address.assign"}},
			{"AddressAgain", "GET /v1/deposit-addresses", address(e, "customer=C10001&asset=ETH&network=dev"),
				http.StatusOK, []string{"client:crm deposit_address.view"}},
			{"Metrics", "GET /metrics", func() response { return e.do(http.MethodGet, "/metrics", e.metrics, nil, nil) }, http.StatusOK, nil},
			{"Health", "GET /healthz", func() response { return e.do(http.MethodGet, "/healthz", "", nil, nil) }, http.StatusOK, nil},
			{"OpenAPI", "GET /openapi.json", func() response { return e.do(http.MethodGet, "/openapi.json", "", nil, nil) }, http.StatusOK, nil},
		}
		last := lastAuditSeq(t, e.store)
		for _, s := range steps {
			r := s.call()
			require.Equal(t, s.status, r.status, "%s: %s", s.name, r.raw)
			rows, err := e.store.FindAudit(context.Background(), core.AuditFilter{AfterSeq: last})
			require.NoError(t, err)
			var got []string
			for _, row := range rows {
				got = append(got, row.Actor+" "+row.Action)
				last = row.Seq
			}
			require.Equal(t, s.rows, got, s.name)
		}
		for _, route := range e.api.Routes() {
			require.True(t, slices.ContainsFunc(steps, func(s step) bool { return s.route == route }), "route %s has no step", route)
		}
	})
}

func lastAuditSeq(t *testing.T, s core.Store) int64 {
	t.Helper()
	rows, err := s.FindAudit(context.Background(), core.AuditFilter{})
	require.NoError(t, err)
	require.NotEmpty(t, rows)
	return rows[len(rows)-1].Seq
}

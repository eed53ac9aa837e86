package intake_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/intake"
)

func TestDepositRequests(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, newEnv newEnvFunc) {
		t.Run("SubmitAttachTxIDAndRead", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, intake.Config{})
			r := e.post(e.crm, "order-1", body(map[string]any{"client_request_id": "order-1"}))
			require.Equal(t, http.StatusCreated, r.status, r.raw)
			v := r.view
			require.NoError(t, core.ValidateRecordNo(v.RecordNo))
			require.Equal(t, "order-1", v.ClientRequestID)
			require.Equal(t, "0.015", v.Amount)
			require.Equal(t, "BTC", v.Asset)
			da, err := e.svc.DepositAddress(e.admin, "C10001", "BTC", "regtest")
			require.NoError(t, err)
			require.Equal(t, da.Address, v.DestinationAddress, "the customer's derived deposit address")
			require.Equal(t, "verifying_address", v.Status)
			require.Equal(t, "Wallet Address Under Verification", v.StatusText)
			require.Equal(t, 0, v.Confirmations)
			require.Equal(t, 3, v.ConfirmationsRequired)
			require.Empty(t, v.TxID)

			got := e.do(http.MethodGet, "/v1/deposit-requests/"+v.RecordNo, e.crm, nil, nil)
			require.Equal(t, http.StatusOK, got.status, got.raw)
			require.Equal(t, v, got.view)

			txid := strings.Repeat("4a", 32)
			p := e.do(http.MethodPatch, "/v1/deposit-requests/"+v.RecordNo, e.crm, nil, map[string]any{"txid": strings.ToUpper(txid), "tx_index": 1})
			require.Equal(t, http.StatusOK, p.status, p.raw)
			require.Equal(t, txid, p.view.TxID)
			require.Equal(t, 1, p.view.TxIndex)
			again := e.do(http.MethodPatch, "/v1/deposit-requests/"+v.RecordNo, e.crm, nil, map[string]any{"txid": txid, "tx_index": 1})
			require.Equal(t, http.StatusOK, again.status, "the same attachment again is a retry: %s", again.raw)
			other := e.do(http.MethodPatch, "/v1/deposit-requests/"+v.RecordNo, e.crm, nil, map[string]any{"txid": strings.Repeat("5b", 32)})
			require.Equal(t, http.StatusConflict, other.status)
			require.Equal(t, core.ECONFLICT, other.prob.Code)

			require.Equal(t, []string{"client:crm deposit.create", "client:crm deposit.view", "client:crm deposit.attach_tx",
				"client:crm deposit.attach_tx_repeat"}, e.auditActions(v.RecordNo), "every call is audited under the client")
		})
		t.Run("SameKeyAndBodyReturnsTheSameRecord", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, intake.Config{})
			first := e.post(e.crm, "k-1", body(nil))
			require.Equal(t, http.StatusCreated, first.status, first.raw)
			second := e.post(e.crm, "k-1", body(nil))
			require.Equal(t, http.StatusOK, second.status, second.raw)
			require.Equal(t, first.view, second.view)
			require.Len(t, e.records(), 1)
		})
		t.Run("SameKeyOtherBodyIsConflict", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, intake.Config{})
			require.Equal(t, http.StatusCreated, e.post(e.crm, "k-1", body(nil)).status)
			before := e.snapshot()
			r := e.post(e.crm, "k-1", body(map[string]any{"amount": "0.02"}))
			require.Equal(t, http.StatusConflict, r.status, r.raw)
			require.Equal(t, core.ECONFLICT, r.prob.Code)
			require.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
			require.Contains(t, r.prob.Detail, `"k-1"`, "the client's own key, not the desk's internal form")
			require.NotContains(t, r.prob.Detail, "client-")
			require.Equal(t, before, e.snapshot())
		})
		t.Run("TwentyConcurrentIdenticalRequestsMakeOneRecord", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, intake.Config{})
			var wg sync.WaitGroup
			statuses := make([]int, 20)
			recordNos := make([]string, 20)
			for i := range statuses {
				wg.Go(func() {
					r := e.post(e.crm, "same-key", body(map[string]any{"txid": strings.Repeat("ab", 32)}))
					statuses[i], recordNos[i] = r.status, r.view.RecordNo
				})
			}
			wg.Wait()
			created := 0
			for i, s := range statuses {
				require.Contains(t, []int{http.StatusCreated, http.StatusOK}, s)
				require.Equal(t, recordNos[0], recordNos[i])
				if s == http.StatusCreated {
					created++
				}
			}
			require.Equal(t, 1, created)
			require.Len(t, e.records(), 1)
		})
		t.Run("RepeatedTransactionNeverMakesASecondRecord", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, intake.Config{})
			tx := strings.Repeat("cd", 32)
			first := e.post(e.crm, "k-1", body(map[string]any{"txid": tx}))
			require.Equal(t, http.StatusCreated, first.status)
			before := e.snapshot()
			for _, c := range []struct {
				token, key string
				own        bool
			}{{e.crm, "k-2", true}, {e.web, "k-1", false}} {
				r := e.post(c.token, c.key, body(map[string]any{"txid": tx, "amount": "0.5"}))
				require.Equal(t, http.StatusConflict, r.status, r.raw)
				if c.own {
					require.Contains(t, r.prob.Detail, first.view.RecordNo, "a client is told its own record")
				} else {
					require.NotContains(t, r.raw, first.view.RecordNo, "another client's record is never named")
				}
			}
			r := e.post(e.web, "k-1", body(map[string]any{"txid": tx}))
			require.Equal(t, http.StatusConflict, r.status, "another client may not learn of the record: %s", r.raw)
			require.Equal(t, before, e.snapshot())
			r = e.post(e.crm, "k-2", body(map[string]any{"txid": tx}))
			require.Equal(t, http.StatusOK, r.status, "the same client's same request under a new key is that record: %s", r.raw)
			require.Equal(t, "k-1", r.view.ClientRequestID)

			later := e.post(e.crm, "k-3", body(nil))
			require.Equal(t, http.StatusCreated, later.status)
			before = e.snapshot()
			r = e.do(http.MethodPatch, "/v1/deposit-requests/"+later.view.RecordNo, e.crm, nil, map[string]any{"txid": tx})
			require.Equal(t, http.StatusConflict, r.status, r.raw)
			require.Equal(t, before, e.snapshot())
			require.Len(t, e.records(), 2)
		})
		t.Run("ClientReadsOnlyItsOwnRecords", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, intake.Config{})
			mine := e.post(e.crm, "k-1", body(nil))
			require.Equal(t, http.StatusCreated, mine.status)
			before := e.snapshot()
			for _, m := range []string{http.MethodGet, http.MethodPatch} {
				var payload any
				if m == http.MethodPatch {
					payload = map[string]any{"txid": strings.Repeat("ef", 32)}
				}
				r := e.do(m, "/v1/deposit-requests/"+mine.view.RecordNo, e.web, nil, payload)
				require.Equal(t, http.StatusNotFound, r.status, r.raw)
				require.Equal(t, core.ENOTFOUND, r.prob.Code)
			}
			require.Equal(t, before, e.snapshot())
		})
		t.Run("PerClientRateLimit", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, intake.Config{RatePerSecond: 0.001, Burst: 2})
			path := "/v1/deposit-requests/D20261125-000001"
			for range 2 {
				require.Equal(t, http.StatusNotFound, e.do(http.MethodGet, path, e.crm, nil, nil).status)
			}
			r := e.do(http.MethodGet, path, e.crm, nil, nil)
			require.Equal(t, http.StatusTooManyRequests, r.status)
			require.Equal(t, "rate_limited", r.prob.Code)
			require.Equal(t, "1", r.header.Get("Retry-After"))
			require.Equal(t, http.StatusNotFound, e.do(http.MethodGet, path, e.web, nil, nil).status, "each client has its own bucket")
		})
		t.Run("RevokedTokenStopsWorkingWithinTheAuthCacheTTL", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, intake.Config{AuthCacheTTL: 50 * time.Millisecond})
			path := "/v1/deposit-requests/D20261125-000001"
			require.Equal(t, http.StatusNotFound, e.do(http.MethodGet, path, e.web, nil, nil).status)
			_, err := e.svc.RevokeAPIClient(e.admin, "web", "Token leaked")
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				return e.do(http.MethodGet, path, e.web, nil, nil).status == http.StatusUnauthorized
			}, 2*time.Second, 10*time.Millisecond)
			require.Equal(t, http.StatusNotFound, e.do(http.MethodGet, path, e.crm, nil, nil).status, "other clients go on")
		})
		t.Run("HealthAndMetrics", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, intake.Config{NodeStatus: func() map[string]string {
				return map[string]string{"bitcoin/regtest": "ok", "geth": "refused: Node geth: The node serves ethereum/dev, not ethereum/mainnet: refused."}
			}})
			require.Equal(t, http.StatusCreated, e.post(e.crm, "k-1", body(nil)).status)
			h := e.do(http.MethodGet, "/healthz", "", nil, nil)
			require.Equal(t, http.StatusOK, h.status)
			require.JSONEq(t, `{"status":"ok","nodes":{"bitcoin/regtest":"ok","geth":"refused: Node geth: The node serves ethereum/dev, not ethereum/mainnet: refused."}}`, h.raw)
			e.api.Metrics().SetWatcherLag(core.Network{Chain: core.ChainBitcoin, Name: "regtest"}, 2)
			require.Equal(t, http.StatusUnauthorized, e.do(http.MethodGet, "/metrics", "", nil, nil).status, "metrics need a token")
			require.Equal(t, http.StatusForbidden, e.do(http.MethodGet, "/metrics", e.crm, nil, nil).status, "an intake token is not a metrics token")
			m := e.do(http.MethodGet, "/metrics", e.metrics, nil, nil)
			require.Equal(t, http.StatusOK, m.status)
			for _, want := range []string{
				`depositdesk_http_requests_total{code="201",method="POST",route="POST /v1/deposit-requests"} 1`,
				`depositdesk_http_request_duration_seconds_count{method="POST",route="POST /v1/deposit-requests"} 1`,
				`depositdesk_deposit_records{status="verifying_address"} 1`,
				`depositdesk_deposit_records{status="credited"} 0`,
				`depositdesk_watcher_lag_blocks{network="bitcoin/regtest"} 2`,
			} {
				require.Contains(t, m.raw, want)
			}
		})
	})
}

func TestRefusedCallsWriteNothing(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, newEnv newEnvFunc) {
		e := newEnv(t, intake.Config{})
		existing := e.post(e.crm, "k-existing", body(nil))
		require.Equal(t, http.StatusCreated, existing.status, existing.raw)
		rec := "/v1/deposit-requests/" + existing.view.RecordNo
		valid := body(nil)
		cases := []struct {
			name    string
			method  string
			path    string
			token   string
			hdr     map[string]string
			payload any
			status  int
			code    string
		}{
			{"MissingToken", "POST", "/v1/deposit-requests", "", map[string]string{"Idempotency-Key": "a"}, valid, 401, core.EUNAUTHORIZED},
			{"NotBearer", "POST", "/v1/deposit-requests", "", map[string]string{"Idempotency-Key": "a", "Authorization": "Basic " + e.crm}, valid, 401, core.EUNAUTHORIZED},
			{"UnknownToken", "POST", "/v1/deposit-requests", core.TokenPrefix + strings.Repeat("x", 43), map[string]string{"Idempotency-Key": "a"}, valid, 401, core.EUNAUTHORIZED},
			{"RevokedToken", "POST", "/v1/deposit-requests", e.revoked, map[string]string{"Idempotency-Key": "a"}, valid, 401, core.EUNAUTHORIZED},
			{"WrongScope", "POST", "/v1/deposit-requests", e.noScope, map[string]string{"Idempotency-Key": "a"}, valid, 403, core.EFORBIDDEN},
			{"RevokedTokenReads", "GET", rec, e.revoked, nil, nil, 401, core.EUNAUTHORIZED},
			{"MissingTokenAttaches", "PATCH", rec, "", nil, map[string]any{"txid": strings.Repeat("ab", 32)}, 401, core.EUNAUTHORIZED},
			{"BadJSON", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, `{"customer_no": "C10001",`, 400, core.EINVALID},
			{"TrailingGarbage", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, `{"customer_no":"C10001"} {}`, 400, core.EINVALID},
			{"EmptyBody", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, "", 400, core.EINVALID},
			{"NotAnObject", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, `[1,2]`, 422, core.EINVALID},
			{"DuplicateKey", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"},
				`{"customer_no":"C10001","securities_account":"SA-20001","asset":"BTC","network":"regtest","amount":"0.015","amount":"1","source_address":"` + srcBTC + `"}`, 422, core.EINVALID},
			{"CaseVariantKey", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"},
				`{"customer_no":"C10001","securities_account":"SA-20001","asset":"BTC","network":"regtest","amount":"0.015","AMOUNT":" 1","source_address":"` + srcBTC + `"}`, 422, core.EINVALID},
			{"CaseVariantKeyAttaching", "PATCH", rec, e.crm, nil, `{"txid":"` + strings.Repeat("ab", 32) + `","TxID":"` + strings.Repeat("cd", 32) + `"}`, 422, core.EINVALID},
			{"UnknownField", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"destination_address": otherBTC}), 422, core.EINVALID},
			{"HugeBody", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"source_address": strings.Repeat("a", 1<<20)}), 413, core.EINVALID},
			{"AmountAsNumber", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"amount": 0.015}), 422, core.EINVALID},
			{"IndexAsString", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"tx_index": "1"}), 422, core.EINVALID},
			{"CustomerAsNull", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, `{"customer_no":null}`, 422, core.EINVALID},
			{"MissingField", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"amount": nil}), 422, core.EINVALID},
			{"NegativeAmount", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"amount": "-1"}), 422, core.EINVALID},
			{"ExponentAmount", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"amount": "1e3"}), 422, core.EINVALID},
			{"ZeroAmount", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"amount": "0"}), 422, core.EINVALID},
			{"OverPreciseAmount", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"amount": "0.000000001"}), 422, core.EINVALID},
			{"BelowMinimum", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"amount": "0.00001"}), 422, core.EINVALID},
			{"WrongNetworkAddress", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"source_address": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}), 422, core.EINVALID},
			{"EthereumAddressOnBitcoin", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"source_address": srcETH}), 422, core.EINVALID},
			{"BadChecksumOnEthereum", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"asset": "ETH", "network": "dev", "amount": "1", "source_address": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"}), 422, core.EINVALID},
			{"BadTxID", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"txid": "xyz"}), 422, core.EINVALID},
			{"MissingIdempotencyKey", "POST", "/v1/deposit-requests", e.crm, nil, valid, 422, core.EINVALID},
			{"KeyWithSpace", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a b"}, valid, 422, core.EINVALID},
			{"ClientRequestIDNotTheKey", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"client_request_id": "b"}), 422, core.EINVALID},
			{"UnknownCustomer", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"customer_no": "C99999"}), 404, core.ENOTFOUND},
			{"UnknownAsset", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"asset": "DOGE"}), 404, core.ENOTFOUND},
			{"OtherCustomersAccount", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "a"}, body(map[string]any{"securities_account": "SA-99999"}), 404, core.ENOTFOUND},
			{"SameKeyOtherBody", "POST", "/v1/deposit-requests", e.crm, map[string]string{"Idempotency-Key": "k-existing"}, body(map[string]any{"amount": "1"}), 409, core.ECONFLICT},
			{"UnknownRecord", "GET", "/v1/deposit-requests/D20261125-999999", e.crm, nil, nil, 404, core.ENOTFOUND},
			{"BadRecordNo", "GET", "/v1/deposit-requests/12345", e.crm, nil, nil, 422, core.EINVALID},
			{"AttachBadTxID", "PATCH", rec, e.crm, nil, map[string]any{"txid": "0x12"}, 422, core.EINVALID},
			{"AttachUnknownField", "PATCH", rec, e.crm, nil, map[string]any{"txid": strings.Repeat("ab", 32), "status": "credited"}, 422, core.EINVALID},
			{"AttachNegativeIndex", "PATCH", rec, e.crm, nil, map[string]any{"txid": strings.Repeat("ab", 32), "tx_index": -1}, 422, core.EINVALID},
			{"MetricsTokenSubmits", "POST", "/v1/deposit-requests", e.metrics, map[string]string{"Idempotency-Key": "a"}, valid, 403, core.EFORBIDDEN},
			{"AddressOfUnservedCustomer", "GET", "/v1/deposit-addresses?customer=C10001&asset=BTC", e.web, nil, nil, 404, core.ENOTFOUND},
			{"AddressOfUnknownCustomer", "GET", "/v1/deposit-addresses?customer=C99999&asset=BTC", e.crm, nil, nil, 404, core.ENOTFOUND},
			{"AddressOfUnknownAsset", "GET", "/v1/deposit-addresses?customer=C10001&asset=DOGE", e.crm, nil, nil, 404, core.ENOTFOUND},
			{"AddressWithoutToken", "GET", "/v1/deposit-addresses?customer=C10001&asset=BTC", "", nil, nil, 401, core.EUNAUTHORIZED},
			{"MetricsWithoutToken", "GET", "/metrics", "", nil, nil, 401, core.EUNAUTHORIZED},
			{"MetricsWithRevokedToken", "GET", "/metrics", e.revoked, nil, nil, 401, core.EUNAUTHORIZED},
			{"MetricsWithIntakeToken", "GET", "/metrics", e.crm, nil, nil, 403, core.EFORBIDDEN},
		}
		before := e.snapshot()
		for _, c := range cases {
			r := e.do(c.method, c.path, c.token, c.hdr, c.payload)
			require.Equal(t, c.status, r.status, "%s: %s", c.name, r.raw)
			require.Equal(t, "application/problem+json", r.header.Get("Content-Type"), c.name)
			require.Equal(t, c.code, r.prob.Code, "%s: %s", c.name, r.raw)
			require.Equal(t, c.status, r.prob.Status, c.name)
			require.NotEmpty(t, r.prob.Detail, c.name)
			require.Less(t, len(r.raw), 4096, "%s: a problem never echoes the request", c.name)
			if c.status == http.StatusUnauthorized {
				require.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer", c.name)
			}
		}
		require.Equal(t, before, e.snapshot(), "a refused call writes nothing, not even an audit row")
	})
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, newEnv newEnvFunc) {
		e := newEnv(t, intake.Config{})
		for _, c := range []struct {
			method, path string
			status       int
		}{{"GET", "/v1/nothing", 404}, {"DELETE", "/v1/deposit-requests/D20261125-000001", 405}, {"GET", "/v1/deposit-requests", 405}} {
			req, err := http.NewRequest(c.method, e.srv.URL+c.path, nil)
			require.NoError(t, err)
			res, err := e.srv.Client().Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			require.Equal(t, c.status, res.StatusCode, fmt.Sprint(c))
		}
	})
}

func TestDepositAddresses(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, newEnv newEnvFunc) {
		e := newEnv(t, intake.Config{})
		require.NoError(t, e.svc.CreateCustomer(e.admin, &core.Customer{CustomerNo: "C10002", SecuritiesAccount: "SA-20002", Name: "Li Na"}))
		get := func(token, query string) response {
			return e.do(http.MethodGet, "/v1/deposit-addresses?"+query, token, nil, nil)
		}
		address := func(r response) string {
			t.Helper()
			require.Equal(t, http.StatusOK, r.status, r.raw)
			var v intake.DepositAddressView
			require.NoError(t, json.Unmarshal([]byte(r.raw), &v))
			return v.Address
		}

		t.Run("UnservedCustomerReadsAsUnknown", func(t *testing.T) {
			before := e.snapshot()
			unknown := get(e.crm, "customer=C99999&asset=BTC")
			require.Equal(t, http.StatusNotFound, unknown.status, unknown.raw)
			require.Equal(t, core.ENOTFOUND, unknown.prob.Code)
			for _, token := range []string{e.crm, e.web} {
				for _, q := range []string{"customer=C10001&asset=BTC", "customer=c10001&asset=ETH&network=dev", "customer=C99999&asset=DOGE"} {
					r := get(token, q)
					require.Equal(t, unknown.raw, r.raw, "%s: a known customer, or an unknown asset, reads like an unknown customer", q)
					require.Equal(t, unknown.header.Get("Content-Type"), r.header.Get("Content-Type"))
				}
			}
			require.Equal(t, before, e.snapshot(), "a refused read writes nothing")
		})

		// The documented first deposit: a request without a TXID carries
		// the address; from then on the client may read it.
		first := e.post(e.crm, "order-1", body(nil))
		require.Equal(t, http.StatusCreated, first.status, first.raw)
		btc := address(get(e.crm, "customer=C10001&asset=btc&network=regtest"))
		require.Equal(t, first.view.DestinationAddress, btc)
		require.True(t, strings.HasPrefix(btc, "bcrt1q"), btc)
		require.Equal(t, btc, address(get(e.crm, "customer=%20c10001&asset=BTC")), "network may be left out; the number is normalised")
		eth := address(get(e.crm, "customer=C10001&asset=ETH&network=dev"))
		require.True(t, strings.HasPrefix(eth, "0x"), eth)

		t.Run("AnotherClientsCustomerReadsAsUnknown", func(t *testing.T) {
			unknown := get(e.web, "customer=C99999&asset=BTC")
			require.Equal(t, http.StatusNotFound, unknown.status)
			require.Equal(t, unknown.raw, get(e.web, "customer=C10001&asset=BTC").raw, "crm's customer is not web's")
			require.Equal(t, unknown.raw, get(e.crm, "customer=C10002&asset=BTC").raw, "a customer only an operator")
		})
		t.Run("OperatorsReadAnyCustomer", func(t *testing.T) {
			da, err := e.svc.DepositAddress(e.admin, "C10001", "BTC", "regtest")
			require.NoError(t, err)
			require.Equal(t, btc, da.Address)
			other, err := e.svc.DepositAddress(e.admin, "C10002", "BTC", "regtest")
			require.NoError(t, err)
			require.NotEqual(t, btc, other.Address, "one address per customer and key")
		})
		t.Run("RefusedCalls", func(t *testing.T) {
			require.Equal(t, http.StatusUnauthorized, get(e.revoked, "customer=C10001&asset=BTC").status)
			require.Equal(t, http.StatusForbidden, get(e.noScope, "customer=C10001&asset=BTC").status)
			require.Equal(t, http.StatusForbidden, get(e.metrics, "customer=C10001&asset=BTC").status, "a metrics token is not an intake token")
			require.Equal(t, http.StatusUnprocessableEntity, get(e.crm, "asset=BTC").status)
			require.Equal(t, http.StatusUnprocessableEntity, get(e.crm, "customer=C%201&asset=BTC").status, "not a customer number at all")
			r := get(e.crm, "customer=C10001&asset=DOGE")
			require.Equal(t, http.StatusNotFound, r.status, "a served customer's unknown asset")
			require.Contains(t, r.prob.Detail, "DOGE")
		})
	})
}

func TestCustomerNumberAndAccountAreCheckedTogetherForClients(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, newEnv newEnvFunc) {
		e := newEnv(t, intake.Config{})
		before := e.snapshot()
		unknown := e.post(e.crm, "k-1", body(map[string]any{"customer_no": "C99999"}))
		require.Equal(t, http.StatusNotFound, unknown.status, unknown.raw)
		wrongAccount := e.post(e.crm, "k-1", body(map[string]any{"securities_account": "SA-99999"}))
		require.Equal(t, unknown.raw, wrongAccount.raw, "a known number with a guessed account says no more than an unknown number")
		malformed := e.post(e.crm, "k-1", body(map[string]any{"customer_no": "C99999", "securities_account": "sa 1"}))
		require.Equal(t, http.StatusUnprocessableEntity, malformed.status, "the account's form is checked before the customer, for any number")
		require.Equal(t, malformed.raw, e.post(e.crm, "k-1", body(map[string]any{"securities_account": "sa 1"})).raw)
		require.Equal(t, before, e.snapshot())

		_, _, err := e.svc.SubmitApplication(e.admin, core.DepositApplication{Channel: core.ChannelBranch, CustomerNo: "C10001", SecuritiesAccount: "SA-99999",
			AssetSymbol: "BTC", Network: "regtest", Amount: "0.015", SourceAddress: srcBTC})
		require.Equal(t, core.EINVALID, core.ErrorCode(err), "an operator is told the account is the wrong one: %v", err)
	})
}

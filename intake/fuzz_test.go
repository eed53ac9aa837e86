package intake_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/intake"
	"depositdesk/storage/sqlite"
)

// FuzzCreateDepositRequest throws arbitrary bodies and keys at the whole
// request path (auth, body limit, JSON decoding, schema, core rules, store)
// and requires a well-formed answer that is never a 5xx. The seed corpus
// runs in every go test.
func FuzzCreateDepositRequest(f *testing.F) {
	valid, _ := json.Marshal(body(nil))
	for _, seed := range []struct{ key, body string }{
		{"k-1", string(valid)},
		{"k-1", string(valid)}, // a replay
		{"k-2", `{"customer_no":"C10001","securities_account":"SA-20001","asset":"BTC","network":"regtest","amount":"1e3","source_address":"x"}`},
		{"k-3", `{"customer_no":1}`},
		{"k-4", `{"customer_no":"C10001",`},
		{"k-5", `[]`},
		{"k-6", `null`},
		{"k-7", `{"amount":"0.` + strings.Repeat("9", 90) + `"}`},
		{"k-8", strings.Replace(string(valid), `"0.015"`, `"99999999999999999999999999999999999999999999999999999999999999999999999999999999"`, 1)},
		{"k-9", strings.Replace(string(valid), `}`, `,"txid":"0x`+strings.Repeat("f", 64)+`","tx_index":1000000}`, 1)},
		{"", string(valid)},
		{"k\x00", string(valid)},
		{"k-10", "{\"customer_no\":\"C10001\",\"customer_no\":\"\\u0000\"}"},
		{"k-11", `{"customer_no":"C10001","securities_account":"SA-20001","asset":"ETH","network":"dev","amount":"1.000000000000000000","source_address":"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}`},
	} {
		f.Add(seed.key, []byte(seed.body))
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "desk.db"))
	require.NoError(f, err)
	e := newEnv(f, st, intake.Config{RatePerSecond: 1e9, Burst: 1e9}) // fuzzing outruns any real limit
	h := e.api.Handler()
	f.Fuzz(func(t *testing.T, key string, payload []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v1/deposit-requests", strings.NewReader(string(payload)))
		req.Header.Set("Authorization", "Bearer "+e.crm)
		req.Header.Set("Content-Type", "application/json")
		if key != "" && !strings.ContainsAny(key, "\r\n\x00") {
			req.Header.Set("Idempotency-Key", key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.True(t, slices.Contains([]int{200, 201, 400, 404, 409, 413, 422}, rec.Code), "status %d: %s", rec.Code, rec.Body)
		require.True(t, json.Valid(rec.Body.Bytes()), rec.Body.String())
		if rec.Code >= 400 {
			require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
		}
	})
}

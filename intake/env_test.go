package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/intake"
	"depositdesk/internal/pgtest"
	"depositdesk/internal/testkeys"
	"depositdesk/internal/wire"
	"depositdesk/storage/postgres"
	"depositdesk/storage/sqlite"
)

func TestMain(m *testing.M) { pgtest.Main(m, pgtest.Migrate) }

// Addresses valid on the test networks.
const (
	srcBTC = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
	srcETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	// An address that is not the customer's deposit address.
	otherBTC = "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry"
)

// env is an API over a real store with an administrator, BTC on regtest,
// ETH on dev, one customer and three clients: crm and web with the intake
// scope, and nointake with a scope that is not intake.
type env struct {
	t       testing.TB
	svc     *core.Service
	store   core.Store
	api     *intake.Server
	srv     *httptest.Server
	admin   context.Context
	crm     string // bearer tokens
	web     string
	revoked string
	noScope string
	metrics string // a monitoring system's token
}

// newEnvFunc makes an env on a fresh database; wrap, when given, sits
// between the service and the store (to stall or observe it).
type newEnvFunc func(t *testing.T, cfg intake.Config, wrap ...func(core.Store) core.Store) *env

// engines runs fn once per storage engine, each with its own database.
func engines(t *testing.T, fn func(t *testing.T, newEnv newEnvFunc)) {
	open := map[string]func(t *testing.T) (core.Store, error){
		"SQLite": func(t *testing.T) (core.Store, error) {
			return sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "desk.db"))
		},
		"Postgres": func(t *testing.T) (core.Store, error) {
			return postgres.Open(context.Background(), pgtest.NewDatabase(t))
		},
	}
	for _, name := range []string{"SQLite", "Postgres"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, func(t *testing.T, cfg intake.Config, wrap ...func(core.Store) core.Store) *env {
				st, err := open[name](t)
				require.NoError(t, err)
				t.Cleanup(func() { st.Close() })
				for _, w := range wrap {
					st = w(st)
				}
				return newEnv(t, st, cfg)
			})
		})
	}
}

// accountKey is the public account key m/purpose'/coin'/0' of a fixed test
// seed: the assets derive customers' deposit addresses from it.
func accountKey(t testing.TB, purpose, coin uint32, params *chaincfg.Params) string {
	t.Helper()
	k, err := testkeys.AccountXPub("deposit desk intake api test seed", purpose, coin, params)
	require.NoError(t, err)
	return k
}

func newEnv(t testing.TB, st core.Store, cfg intake.Config) *env {
	t.Helper()
	ctx := context.Background()
	svc := wire.NewService(st)
	svc.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	op, err := svc.Bootstrap(ctx, "admin", "admin-password-1")
	require.NoError(t, err)
	e := &env{t: t, svc: svc, store: st, admin: core.NewContextWithOperator(ctx, op)}
	for _, a := range []*core.Asset{
		{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, MinDeposit: big.NewInt(10_000), ConfirmationsRequired: 3, Enabled: true,
			AccountXPub: accountKey(t, 84, 1, &chaincfg.RegressionNetParams)},
		{Chain: core.ChainEthereum, Network: "dev", Symbol: "ETH", Decimals: 18, MinDeposit: big.NewInt(1), ConfirmationsRequired: 12, Enabled: true,
			AccountXPub: accountKey(t, 44, 60, &chaincfg.MainNetParams)},
	} {
		require.NoError(t, svc.CreateAsset(e.admin, a))
	}
	require.NoError(t, svc.CreateCustomer(e.admin, &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-20001", Name: "Wei Chan"}))
	_, e.crm, err = svc.CreateAPIClient(e.admin, "crm", []core.Scope{core.ScopeIntake})
	require.NoError(t, err)
	_, e.web, err = svc.CreateAPIClient(e.admin, "web", []core.Scope{core.ScopeIntake})
	require.NoError(t, err)
	_, e.metrics, err = svc.CreateAPIClient(e.admin, "prometheus", []core.Scope{core.ScopeMetrics})
	require.NoError(t, err)
	_, e.revoked, err = svc.CreateAPIClient(e.admin, "old", []core.Scope{core.ScopeIntake})
	require.NoError(t, err)
	_, err = svc.RevokeAPIClient(e.admin, "old", "Replaced")
	require.NoError(t, err)
	// A scope this build does not grant: only the store can hold it.
	var hash string
	e.noScope, hash, err = core.NewAPIToken()
	require.NoError(t, err)
	require.NoError(t, st.CreateAPIClient(ctx, &core.APIClient{Name: "reports", TokenHash: hash, Scopes: []core.Scope{"reports"},
		CreatedBy: "admin", CreatedAt: time.Now()}, core.AuditEntry{At: time.Now(), Actor: "admin", Action: "client.create", Entity: "client", EntityID: "reports"}))

	cfg.Service = svc
	if cfg.RatePerSecond == 0 {
		cfg.RatePerSecond, cfg.Burst = 10_000, 10_000 // tests that do not test the limit never meet it
	}
	e.api = intake.New(cfg)
	e.srv = httptest.NewServer(e.api.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// body is a valid deposit request with fields overridden.
func body(over map[string]any) map[string]any {
	b := map[string]any{"customer_no": "C10001", "securities_account": "SA-20001", "asset": "BTC", "network": "regtest",
		"amount": "0.015", "source_address": srcBTC}
	for k, v := range over {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

type response struct {
	status int
	header http.Header
	raw    string
	view   intake.DepositRequestView
	prob   intake.Problem
}

// do sends a request with a JSON body (or raw bytes) and decodes the answer.
func (e *env) do(method, path, token string, hdr map[string]string, payload any) response {
	e.t.Helper()
	var rd io.Reader
	switch p := payload.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(p)
	case string:
		rd = strings.NewReader(p)
	default:
		b, err := json.Marshal(p)
		require.NoError(e.t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	require.NoError(e.t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
		require.NoError(e.t, json.Unmarshal(raw, &r.prob), string(raw))
	} else if res.StatusCode < 300 && strings.HasPrefix(path, "/v1/") {
		require.NoError(e.t, json.Unmarshal(raw, &r.view), string(raw))
	}
	return r
}

func (e *env) post(token, key string, b any) response {
	e.t.Helper()
	h := map[string]string{}
	if key != "" {
		h["Idempotency-Key"] = key
	}
	return e.do(http.MethodPost, "/v1/deposit-requests", token, h, b)
}

// snapshot is everything a refused call must leave unchanged.
func (e *env) snapshot() string {
	e.t.Helper()
	ctx := context.Background()
	audit, err := e.store.FindAudit(ctx, core.AuditFilter{})
	require.NoError(e.t, err)
	page, err := e.store.FindDeposits(ctx, core.DepositFilter{Limit: core.MaxPageSize})
	require.NoError(e.t, err)
	addrs, err := e.store.FindWalletAddresses(ctx, core.WalletAddressFilter{})
	require.NoError(e.t, err)
	clients, err := e.store.FindAPIClients(ctx, core.APIClientFilter{})
	require.NoError(e.t, err)
	out, err := json.Marshal([]any{audit, page.Records, addrs, clients})
	require.NoError(e.t, err)
	return string(out)
}

func (e *env) records() []*core.DepositRecord {
	e.t.Helper()
	page, err := e.store.FindDeposits(context.Background(), core.DepositFilter{Limit: core.MaxPageSize})
	require.NoError(e.t, err)
	return page.Records
}

func (e *env) auditActions(recordNo string) []string {
	e.t.Helper()
	rows, err := e.store.FindAudit(context.Background(), core.AuditFilter{EntityID: &recordNo})
	require.NoError(e.t, err)
	var out []string
	for _, r := range rows {
		out = append(out, r.Actor+" "+r.Action)
	}
	return out
}

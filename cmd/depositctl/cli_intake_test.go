package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/require"

	"depositdesk/internal/pgtest"
)

func TestStationCommandsOnSQLite(t *testing.T) {
	t.Parallel()
	headlessStation(t, filepath.Join(t.TempDir(), "desk.db"))
}

func TestStationCommandsOnPostgres(t *testing.T) {
	t.Parallel()
	headlessStation(t, pgtest.NewDatabase(t))
}

// jsonOut runs a command as admin with --json and decodes its output.
func (c cli) jsonOut(v any, args ...string) {
	c.t.Helper()
	r := c.admin(append([]string{"--json"}, args...)...)
	require.Equal(c.t, 0, r.code, "%v: %s", args, r.stderr)
	require.NoError(c.t, json.Unmarshal([]byte(r.stdout), v), r.stdout)
}

// headlessStation drives the commands a headless station needs, in order, on one
// database: configuration, customers and addresses, API clients, serve.
func headlessStation(t *testing.T, db string) {
	c := cli{t: t, db: db}
	r := c.run(adminPW+"\n", "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all")
	require.Equal(t, 0, r.code, r.stderr)
	r = c.run(adminPW+"\nclerk-password-1\n", "--operator", "admin", "--password-stdin", "operator", "create", "--name", "clerk",
		"--password-stdin", "--perm", "deposit-records")
	require.Equal(t, 0, r.code, r.stderr)
	clerk := func(args ...string) result { return c.as("clerk", "clerk-password-1", args...) }
	c.checker("vera", "vera-password-1", "address-verification")
	vera := func(args ...string) result { return c.as("vera", "vera-password-1", args...) }

	t.Run("Migrate", func(t *testing.T) {
		var out map[string]string
		c.jsonOut(&out, "migrate")
		require.Equal(t, "up to date", out["database"])
	})
	t.Run("AssetAddListUpdate", func(t *testing.T) {
		var a struct {
			Symbol        string `json:"symbol"`
			MinDeposit    string `json:"min_deposit"`
			Confirmations int    `json:"confirmations_required"`
			Enabled       bool   `json:"enabled"`
		}
		c.jsonOut(&a, "asset", "add", "--chain", "ethereum", "--network", "dev", "--symbol", "eth", "--decimals", "18",
			"--min-deposit", "0.001", "--confirmations", "12")
		require.Equal(t, "ETH", a.Symbol)
		require.Equal(t, "0.001", a.MinDeposit)
		require.True(t, a.Enabled)
		r := c.admin("asset", "add", "--chain", "bitcoin", "--network", "regtest", "--symbol", "BTC", "--decimals", "8",
			"--min-deposit", "0.0001", "--confirmations", "3", "--name", "Bitcoin")
		require.Equal(t, 0, r.code, r.stderr)
		require.Equal(t, "added asset BTC@regtest\n", r.stdout)

		c.jsonOut(&a, "asset", "update", "ETH@dev", "--confirmations", "20", "--enabled=false")
		require.Equal(t, 20, a.Confirmations)
		require.False(t, a.Enabled)
		var list []struct{ Symbol, Network string }
		c.jsonOut(&list, "asset", "list")
		require.Len(t, list, 2)
		r = c.admin("asset", "list")
		require.Contains(t, r.stdout, "ETH@dev")

		require.Equal(t, 3, c.admin("asset", "add", "--chain", "dogecoin", "--network", "mainnet", "--symbol", "DOGE", "--decimals", "8", "--confirmations", "1").code)
		require.Equal(t, 3, c.admin("asset", "add", "--chain", "bitcoin", "--network", "regtest", "--symbol", "XBT", "--decimals", "8",
			"--min-deposit", "0.000000001", "--confirmations", "1").code, "min deposit finer than the decimals")
		require.Equal(t, 5, c.admin("asset", "add", "--chain", "bitcoin", "--network", "regtest", "--symbol", "BTC", "--decimals", "8", "--confirmations", "1").code)
		require.Equal(t, 4, c.admin("asset", "update", "DOGE", "--confirmations", "2").code)
		require.Equal(t, 2, c.admin("asset", "update", "BTC").code, "nothing to change is a usage error")
		require.Equal(t, 2, c.admin("asset", "add", "--symbol", "X").code, "missing required flags")
		require.Equal(t, 7, clerk("asset", "update", "BTC", "--confirmations", "1").code)
		require.Equal(t, 0, c.admin("asset", "update", "ETH@dev", "--enabled").code)
	})
	key, err := crypto.GenerateKey()
	require.NoError(t, err)
	ethAddr := crypto.PubkeyToAddress(key.PublicKey).Hex()
	t.Run("CustomerAddList", func(t *testing.T) {
		var cu struct {
			CustomerNo string `json:"customer_no"`
		}
		c.jsonOut(&cu, "customer", "add", "--customer-no", "c10001", "--account", "sa-20001", "--name", "Wei Chan", "--identity-ref", "KYC-1")
		require.Equal(t, "C10001", cu.CustomerNo)
		require.Equal(t, 5, c.admin("customer", "add", "--customer-no", "C10001", "--account", "SA-1", "--name", "Again").code)
		require.Equal(t, 3, c.admin("customer", "add", "--customer-no", "c 1", "--account", "SA-1", "--name", "Bad").code)
		var list []struct {
			CustomerNo string `json:"customer_no"`
		}
		c.jsonOut(&list, "customer", "list", "--customer-no", "c10001")
		require.Len(t, list, 1)
		require.Equal(t, 0, clerk("customer", "list").code, "Deposit Records may view customers")
		require.Equal(t, 7, clerk("customer", "add", "--customer-no", "C2", "--account", "SA-2", "--name", "X").code)
	})
	t.Run("AddressAddListVerify", func(t *testing.T) {
		type addr struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
			Method string `json:"verification_method"`
		}
		var eth, btc addr
		c.jsonOut(&eth, "address", "add", "--customer-no", "C10001", "--chain", "ethereum", "--network", "dev", "--address", strings.ToLower(ethAddr))
		require.Equal(t, "Pending", eth.Status)
		c.jsonOut(&btc, "address", "add", "--customer-no", "C10001", "--chain", "bitcoin", "--network", "regtest",
			"--address", "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", "--label", "cold wallet")
		require.Equal(t, 3, c.admin("address", "add", "--customer-no", "C10001", "--chain", "bitcoin", "--network", "regtest",
			"--address", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4").code, "a mainnet address on regtest")

		var ch struct {
			Challenge int64  `json:"challenge"`
			Message   string `json:"message"`
		}
		r := c.admin("address", "verify", itoa(eth.ID), "--issue-challenge")
		require.Equal(t, 3, r.code, "no challenge before the firm's name is set")
		require.Contains(t, r.stderr, "firm set")
		var firm struct {
			Name string `json:"firm_name"`
		}
		c.jsonOut(&firm, "firm", "show")
		require.Empty(t, firm.Name)
		require.Equal(t, 3, c.admin("firm", "set", "line one\nline two").code, "one line only")
		c.jsonOut(&firm, "firm", "set", "  Example Securities Co., Ltd. ")
		require.Equal(t, "Example Securities Co., Ltd.", firm.Name)
		c.jsonOut(&ch, "address", "verify", itoa(eth.ID), "--issue-challenge")
		require.Contains(t, ch.Message, ethAddr)
		require.True(t, strings.HasPrefix(ch.Message, "Example Securities Co., Ltd. wallet ownership proof\n"), ch.Message)
		sig, err := crypto.Sign(accounts.TextHash([]byte(ch.Message)), key)
		require.NoError(t, err)
		sig[64] += 27
		wrong := append([]byte(nil), sig...)
		wrong[10] ^= 1
		r = c.admin("address", "verify", itoa(eth.ID), "--challenge", itoa(ch.Challenge), "--method", "eip191", "--signature", "0x"+hex.EncodeToString(wrong))
		require.Equal(t, 3, r.code, r.stderr)
		c.jsonOut(&eth, "address", "verify", itoa(eth.ID), "--challenge", itoa(ch.Challenge), "--method", "eip191", "--signature", "0x"+hex.EncodeToString(sig))
		require.Equal(t, "Verified", eth.Status)
		require.Equal(t, "eip191", eth.Method)
		require.Equal(t, 3, c.admin("address", "verify", itoa(eth.ID), "--challenge", itoa(ch.Challenge), "--method", "eip191",
			"--signature", "0x"+hex.EncodeToString(sig)).code, "a challenge works once")

		r = c.admin("address", "verify", itoa(btc.ID), "--manual", "--evidence", "Signed letter ref 2026-118")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "--approve")
		r = c.admin("address", "verify", itoa(btc.ID), "--approve")
		require.Equal(t, 7, r.code, "the submitter cannot approve: %s", r.stderr)
		r = vera("--json", "address", "verify", itoa(btc.ID), "--approve")
		require.Equal(t, 0, r.code, r.stderr)
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &btc))
		require.Equal(t, "Verified", btc.Status)
		require.Equal(t, "manual", btc.Method)
		require.Equal(t, 3, c.admin("address", "verify", itoa(btc.ID), "--micro-deposit").code, "a verified address needs no proof")

		for _, args := range [][]string{
			{"address", "verify", itoa(btc.ID)},
			{"address", "verify", itoa(btc.ID), "--manual", "--issue-challenge"},
			{"address", "verify", "abc", "--manual"},
		} {
			require.Equal(t, 2, c.admin(args...).code, "%v", args)
		}
		require.Equal(t, 4, c.admin("address", "verify", "999", "--issue-challenge").code)
		var list []addr
		c.jsonOut(&list, "address", "list", "--customer-no", "C10001", "--status", "verified")
		require.Len(t, list, 2)
		require.Equal(t, 3, c.admin("address", "list", "--status", "maybe").code)
	})
	var token string
	t.Run("ClientCreateListRevoke", func(t *testing.T) {
		var cl struct {
			Name   string   `json:"name"`
			Scopes []string `json:"scopes"`
			Token  string   `json:"token"`
		}
		c.jsonOut(&cl, "client", "create", "--name", "crm")
		require.Equal(t, []string{"intake"}, cl.Scopes)
		require.True(t, strings.HasPrefix(cl.Token, "ddk_"))
		token = cl.Token
		r := c.admin("client", "create", "--name", "web")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "token: ddk_")
		require.Equal(t, 5, c.admin("client", "create", "--name", "CRM").code)
		require.Equal(t, 3, c.admin("client", "create", "--name", "x", "--scope", "refunds").code)
		require.Equal(t, 7, clerk("client", "list").code)

		r = c.admin("client", "revoke", "web", "--remarks", "Token leaked")
		require.Equal(t, 0, r.code, r.stderr)
		require.Equal(t, 5, c.admin("client", "revoke", "web", "--remarks", "again").code)
		require.Equal(t, 4, c.admin("client", "revoke", "nobody", "--remarks", "x").code)
		require.Equal(t, 3, c.admin("client", "revoke", "crm", "--remarks", " ").code)
		var list []struct {
			Name      string `json:"name"`
			RevokedAt string `json:"revoked_at"`
			Token     string `json:"token"`
		}
		c.jsonOut(&list, "client", "list")
		require.Len(t, list, 2)
		require.Empty(t, list[0].RevokedAt)
		require.NotEmpty(t, list[1].RevokedAt)
		require.Empty(t, list[0].Token+list[1].Token, "a token is never shown again")
	})
	t.Run("ServeAnswersUntilCancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan int, 1)
		go func() {
			var errb strings.Builder
			done <- run(ctx, []string{"--db", c.db, "serve", "--listen", "127.0.0.1:0"}, strings.NewReader(""), pw, &errb)
			pw.Close()
		}()
		line, err := bufio.NewReader(pr).ReadString('\n')
		require.NoError(t, err)
		base := "http://" + strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
		go io.Copy(io.Discard, pr) //nolint:errcheck // drains the rest of the output

		res, err := http.Get(base + "/healthz")
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		for tok, want := range map[string]int{token: http.StatusNotFound, "ddk_unknown": http.StatusUnauthorized, "": http.StatusUnauthorized} {
			req, _ := http.NewRequest(http.MethodGet, base+"/v1/deposit-requests/D20261125-000001", nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			require.Equal(t, want, res.StatusCode)
		}
		cancel()
		select {
		case code := <-done:
			require.Equal(t, 0, code)
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not stop")
		}
	})
	t.Run("OpenAPIDocument", func(t *testing.T) {
		r := c.run("", "openapi")
		require.Equal(t, 0, r.code, r.stderr)
		require.True(t, json.Valid([]byte(r.stdout)))
		require.Contains(t, r.stdout, `"openapi": "3.1.0"`)
	})
	t.Run("CommandLineMistakesAreUsageErrors", func(t *testing.T) {
		for _, args := range [][]string{{"show"}, {"no-such-command"}, {"client", "revoke"}, {"client", "create"}, {"serve", "--listen"}} {
			r := c.admin(args...)
			require.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
			require.True(t, strings.HasPrefix(r.stderr, "error: "), r.stderr)
		}
		require.Equal(t, 3, c.run("", "serve", "--listen", "256.0.0.1:1").code, "an address it cannot listen on")
	})
	t.Run("JSONEverywhere", func(t *testing.T) {
		var ops []struct {
			Name        string   `json:"name"`
			Permissions []string `json:"permissions"`
		}
		c.jsonOut(&ops, "operator", "list")
		require.Len(t, ops, 4, "admin, clerk, hr and vera")
		var v map[string]any
		c.jsonOut(&v, "audit", "verify")
		require.Equal(t, true, v["intact"])
		r := c.admin("audit", "verify")
		require.Contains(t, r.stdout, "audit log intact")
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

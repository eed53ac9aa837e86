package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
	"depositdesk/core/watcher"
	"depositdesk/internal/btcdtest"
	"depositdesk/internal/keyringtest"
	"depositdesk/internal/testkeys"
	"depositdesk/internal/wire"
	"depositdesk/storage/sqlite"
)

// Not parallel: the OS keyring's session bus is named in the environment.
func TestRefundPaidThroughTheCLIOnBtcdRegtest(t *testing.T) {
	keyringtest.Start(t)
	b := newBTCRefundDesk(t, "deposit desk cli refund test seed")
	c, node, db, nodesFile, xprv := b.cli, b.node, b.db, b.nodesFile, b.xprv
	r := c.run(adminPW+"\n"+xprv+"\n", "--operator", "admin", "--password-stdin", "key", "import", "BTC@regtest")
	require.Equal(t, 0, r.code, r.stderr)
	rec, w := creditedDeposit(t, db, node)
	r = c.admin("--nodes", nodesFile, "refund", "payer", "BTC@regtest")
	require.Equal(t, 3, r.code, "a Bitcoin account pays from its own deposits")
	require.Contains(t, r.stderr, "not a payer address")
	c.checker("sam", "sam-password-01", "refund-approval")

	var got struct {
		ID                    int64        `json:"id"`
		RecordNo              string       `json:"record_no"`
		Status                string       `json:"status"`
		Amount                string       `json:"amount"`
		Address               string       `json:"address"`
		Network               string       `json:"network"`
		TxID                  string       `json:"txid"`
		Confirmations         int          `json:"confirmations"`
		ConfirmationsRequired int          `json:"confirmations_required"`
		Fee                   string       `json:"fee"`
		NotifiedBy            string       `json:"notified_by"`
		NotifiedAt            string       `json:"notified_at"`
		Channel               string       `json:"channel"`
		Payout                *core.Payout `json:"payout"`
	}
	c.jsonOut(&got, "refund", "request", rec, "--address", w, "--identity", "video call, ticket 12")
	id := strconv.FormatInt(got.ID, 10)
	nodes := func(args ...string) result { return c.admin(append([]string{"--nodes", nodesFile}, args...)...) }
	require.Equal(t, 3, nodes("refund", "prepare", id).code, "not approved yet")
	require.Equal(t, 0, c.as("sam", "sam-password-01", "refund", "approve", id).code)
	require.Equal(t, 7, c.as("sam", "sam-password-01", "--nodes", nodesFile, "refund", "execute", id).code, "Sign Refund only")

	r = nodes("refund", "prepare", id)
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "Fee: 0.0000")
	require.Contains(t, r.stdout, "Input: ")
	require.Equal(t, 3, nodes("refund", "notify", id, "--channel", "phone", "--note", "called").code, "not Refunded yet")
	r = nodes("refund", "execute", id)
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, 5, nodes("refund", "execute", id).code, "signed once")
	r = nodes("--json", "refund", "broadcast", id)
	require.Equal(t, 0, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Equal(t, "Broadcast", got.Status)
	require.True(t, node.InMempool(t, got.TxID))
	require.Equal(t, 0, nodes("refund", "broadcast", id).code, "the same bytes again")
	r = c.as("sam", "sam-password-01", "--nodes", nodesFile, "--json", "refund", "bump", id, "--fee-rate", "9", "--remarks", "stuck")
	require.Equal(t, 0, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Equal(t, "Prepared", got.Status)
	require.Len(t, got.Payout.Earlier, 1)
	require.Equal(t, 0, nodes("refund", "execute", id).code)
	c.jsonOut(&got, "--nodes", nodesFile, "refund", "broadcast", id)
	require.True(t, node.InMempool(t, got.TxID), "the fee bump replaced the transaction")

	follow(t, db, node, 2)
	c.jsonOut(&got, "refund", "show", id)
	require.Equal(t, "Confirmed", got.Status)
	require.Equal(t, 2, got.Confirmations)
	require.Equal(t, 2, got.ConfirmationsRequired)
	require.Equal(t, "bitcoin/regtest", "bitcoin/"+got.Network)
	require.Equal(t, "0.015", got.Amount)
	require.Equal(t, w, got.Address)
	require.Equal(t, core.FormatAmount(got.Payout.Fee.Big(), 8), got.Fee)
	require.Empty(t, got.NotifiedBy)
	require.Equal(t, "Refunded", c.search("--record-no", rec)[0].Status)

	require.Equal(t, 3, c.admin("refund", "notify", id, "--channel", "fax", "--note", "faxed").code)
	c.jsonOut(&got, "refund", "notify", id, "--channel", "in-person", "--note", "told at the branch")
	require.Equal(t, "admin", got.NotifiedBy)
	require.Equal(t, "in-person", got.Channel)
	require.NotEmpty(t, got.NotifiedAt)
	require.Equal(t, 5, c.admin("refund", "notify", id, "--channel", "phone", "--note", "again").code)
}

// btcRefundDesk is a desk on a SQLite file with BTC@regtest on a btcd
// regtest node (nodes.toml beside the database): its account key, a refund
// fee rate of 4 sat/vB and a cap of 0.0005 BTC; admin administers it.
type btcRefundDesk struct {
	cli
	node               *btcdtest.Node
	dir, db, nodesFile string
	xprv, xpub         string
}

func newBTCRefundDesk(t *testing.T, seed string) *btcRefundDesk {
	t.Helper()
	node := btcdtest.Start(t)
	node.Mature(t)
	dir := t.TempDir()
	b := &btcRefundDesk{node: node, dir: dir, db: filepath.Join(dir, "desk.db"), nodesFile: filepath.Join(dir, "nodes.toml")}
	require.NoError(t, os.WriteFile(b.nodesFile, fmt.Appendf(nil, "[[node]]\nchain = 'bitcoin'\nnetwork = 'regtest'\nurl = 'http://%s'\n"+
		"user = '%s'\npassword_env = 'TEST_BTCD_RPC_PASSWORD'\n", node.RPCHost, node.User), 0o600))
	t.Setenv("TEST_BTCD_RPC_PASSWORD", node.Pass)
	var err error
	b.xprv, b.xpub, err = testkeys.Account(seed, 84, 1, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	b.cli = cli{t: t, db: b.db}
	r := b.run(adminPW+"\n", "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all")
	require.Equal(t, 0, r.code, r.stderr)
	r = b.admin("asset", "add", "--chain", "bitcoin", "--network", "regtest", "--symbol", "BTC", "--decimals", "8",
		"--confirmations", "2", "--xpub", b.xpub, "--min-deposit", "0.0001", "--refund-fee-rate", "4", "--refund-fee-cap", "0.0005")
	require.Equal(t, 0, r.code, r.stderr)
	return b
}

// creditedDeposit makes a Credited 0.015 BTC deposit (and another of 0.001)
// of customer C10001 at the account's first deposit address, sent from the node's harness wallet,
// which C10001 proved with a signature; it returns the record and that address.
func creditedDeposit(t *testing.T, db string, node *btcdtest.Node) (recordNo, wallet string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	require.NoError(t, err)
	defer st.Close()
	svc := wire.NewService(st)
	op, err := svc.Login(ctx, "admin", adminPW)
	require.NoError(t, err)
	admin := core.NewContextWithOperator(ctx, op)
	require.NoError(t, svc.SetFirmName(admin, "Example Securities"))
	require.NoError(t, svc.CreateCustomer(admin, &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-1", Name: "Wei Chan"}))
	wallet = node.Address().EncodeAddress()
	w, err := svc.AddWalletAddress(admin, "C10001", core.ChainBitcoin, "regtest", wallet, "")
	require.NoError(t, err)
	ch, err := svc.IssueAddressChallenge(admin, w.ID)
	require.NoError(t, err)
	_, err = svc.ProveAddress(admin, ch.ID, core.ProofBIP137, node.SignMessage(ch.Message))
	require.NoError(t, err)
	da, err := svc.DepositAddress(admin, "C10001", "BTC", "regtest")
	require.NoError(t, err)
	to, err := btcutil.DecodeAddress(da.Address, node.Params)
	require.NoError(t, err)
	_, w2 := watcherFor(t, st, node)
	_, err = w2.Step(ctx)
	require.NoError(t, err)
	txid := node.Send(t, to, 1_500_000)
	rec, _, err := svc.SubmitApplication(admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: "r1", CustomerNo: "C10001", SecuritiesAccount: "SA-1",
		AssetSymbol: "BTC", Network: "regtest", Amount: "0.015", SourceAddress: wallet, TxID: txid})
	require.NoError(t, err)
	// A second deposit to the account: the refund's fee comes from it.
	_, _, err = svc.SubmitApplication(admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: "r2", CustomerNo: "C10001", SecuritiesAccount: "SA-1",
		AssetSymbol: "BTC", Network: "regtest", Amount: "0.001", SourceAddress: wallet, TxID: node.Send(t, to, 100_000)})
	require.NoError(t, err)
	node.Generate(t, 2)
	_, err = w2.Step(ctx)
	require.NoError(t, err)
	det, err := svc.DepositDetail(admin, rec.RecordNo)
	require.NoError(t, err)
	require.Equal(t, core.StatusCredited, det.Record.Status)
	return rec.RecordNo, wallet
}

func watcherFor(t *testing.T, st core.Store, node *btcdtest.Node) (core.Chain, *watcher.Watcher) {
	chain, err := bitcoin.New(bitcoin.Config{Host: node.RPCHost, User: node.User, Pass: node.Pass, Params: node.Params})
	require.NoError(t, err)
	return chain, &watcher.Watcher{Network: core.Network{Chain: core.ChainBitcoin, Name: "regtest"}, Chain: chain, Store: st}
}

// follow mines blocks and runs watcher passes until the refund's
// transaction has them: what `depositctl watch` does.
func follow(t *testing.T, db string, node *btcdtest.Node, blocks int) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	defer st.Close()
	_, w := watcherFor(t, st, node)
	for range blocks {
		node.Generate(t, 1)
		_, err := w.Step(context.Background())
		require.NoError(t, err)
	}
}

package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/ethereum"
	"depositdesk/core/payout"
	"depositdesk/core/watcher"
	"depositdesk/internal/ethtest"
	"depositdesk/internal/keyringtest"
	"depositdesk/internal/testkeys"
	"depositdesk/internal/wire"
	"depositdesk/storage/sqlite"
)

// Not parallel: the OS keyring's session bus is named in the environment.
// An Ether refund on geth --dev through the commands an operator and a
// station administrator type: prepare --out, depositctl sign in a process
// with no network, import, broadcast, Refunded.
func TestEtherRefundSignedOnAnAirGappedStationOnGethDev(t *testing.T) {
	keyringtest.Start(t)
	node := ethtest.Geth(t)
	customer := node.NewAccount(ethtest.Gwei(5_000_000_000)) // 5 ETH
	dir := t.TempDir()
	db, nodesFile := filepath.Join(dir, "desk.db"), filepath.Join(dir, "nodes.toml")
	require.NoError(t, os.WriteFile(nodesFile, fmt.Appendf(nil, "[[node]]\nchain = 'ethereum'\nnetwork = 'dev'\nurl = '%s'\n", node.URL), 0o600))
	xprv, xpub, err := testkeys.Account("deposit desk eth station test seed", 44, 60, &chaincfg.MainNetParams)
	require.NoError(t, err)
	c := cli{t: t, db: db}
	r := c.run(adminPW+"\n", "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all")
	require.Equal(t, 0, r.code, r.stderr)
	r = c.admin("asset", "add", "--chain", "ethereum", "--network", "dev", "--symbol", "ETH", "--decimals", "18",
		"--confirmations", "2", "--xpub", xpub, "--min-deposit", "0.001", "--refund-fee-cap", "0.01")
	require.Equal(t, 0, r.code, r.stderr)
	c.checker("sam", "sam-password-01", "refund-approval")

	// The customer's proved address and a credited 0.25 ETH deposit, as the
	// desk and its watcher make them; the payer funded by the firm.
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	require.NoError(t, err)
	svc := wire.NewService(st)
	op, err := svc.Login(ctx, "admin", adminPW)
	require.NoError(t, err)
	admin := core.NewContextWithOperator(ctx, op)
	require.NoError(t, svc.SetFirmName(admin, "Example Securities"))
	require.NoError(t, svc.CreateCustomer(admin, &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-1", Name: "Wei Chan"}))
	w, err := svc.AddWalletAddress(admin, "C10001", core.ChainEthereum, "dev", customer.Address.Hex(), "")
	require.NoError(t, err)
	ch, err := svc.IssueAddressChallenge(admin, w.ID)
	require.NoError(t, err)
	sig, err := crypto.Sign(accounts.TextHash([]byte(ch.Message)), customer.Key)
	require.NoError(t, err)
	sig[64] += 27
	_, err = svc.ProveAddress(admin, ch.ID, core.ProofEIP191, "0x"+hex.EncodeToString(sig))
	require.NoError(t, err)
	da, err := svc.DepositAddress(admin, "C10001", "ETH", "dev")
	require.NoError(t, err)
	assets, err := svc.ListAssets(admin, core.AssetFilter{})
	require.NoError(t, err)
	payer, err := payout.Payer(assets[0])
	require.NoError(t, err)
	node.Fund(common.HexToAddress(payer), ethtest.Gwei(1_000_000_000))
	ww := &watcher.Watcher{Network: core.Network{Chain: core.ChainEthereum, Name: "dev"}, Chain: ethereum.New(node.Client, ethereum.Config{}), Store: st}
	_, err = ww.Step(ctx)
	require.NoError(t, err)
	sent := node.MustSucceed(node.Transfer(customer, common.HexToAddress(da.Address), ethtest.Gwei(250_000_000)))
	rec, _, err := svc.SubmitApplication(admin, core.DepositApplication{ClientRequestKey: "r1", CustomerNo: "C10001", SecuritiesAccount: "SA-1",
		AssetSymbol: "ETH", Network: "dev", Amount: "0.25", SourceAddress: customer.Address.Hex(), TxID: sent.TxHash.Hex()})
	require.NoError(t, err)
	follow := func(done func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !done() {
			require.True(t, time.Now().Before(deadline), "the watcher did not get there")
			node.WaitHeight(node.Height() + 1)
			_, err := ww.Step(ctx)
			require.NoError(t, err)
		}
	}
	follow(func() bool { return c.search("--record-no", rec.RecordNo)[0].Status == "Credited" })
	require.NoError(t, st.Close())

	var got struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		TxID   string `json:"txid"`
	}
	c.jsonOut(&got, "refund", "request", rec.RecordNo, "--address", customer.Address.Hex(), "--identity", "video call, ticket 31")
	id := strconv.FormatInt(got.ID, 10)
	require.Equal(t, 0, c.as("sam", "sam-password-01", "refund", "approve", id).code)
	prepared := filepath.Join(dir, "refund.json")
	r = c.admin("--nodes", nodesFile, "refund", "prepare", id, "--out", prepared)
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "Payer: "+payer)

	stationDir := t.TempDir()
	r = c.admin("operator", "keys", "export", "--out", filepath.Join(stationDir, "operators.json"))
	require.Equal(t, 0, r.code, r.stderr)
	limits := filepath.Join(stationDir, "station.toml")
	require.NoError(t, os.WriteFile(limits, []byte("trusted_operators = 'operators.json'\n[[asset]]\nasset = 'ETH@dev'\nchain = 'ethereum'\n"+
		"max_amount = '1'\nmax_fee = '0.01'\n"), 0o600))
	r = stationProcess(t, xprv+"\n", "station", "key-import", "ETH", "--network", "ethereum/dev", "--xpub", xpub)
	require.Equal(t, 0, r.code, r.stderr)
	signed := filepath.Join(stationDir, "refund-signed.json")
	r = stationProcess(t, "", "sign", prepared, "--out", signed, "--limits", limits)
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "Pays 0.25 ETH to "+customer.Address.Hex()+" on ethereum/dev.")
	require.Contains(t, r.stdout, "Paid by the account's refund payer "+payer)

	c.jsonOut(&got, "refund", "import", id, signed)
	require.Equal(t, "Signed", got.Status)
	before, err := node.Client.BalanceAt(ctx, customer.Address, nil)
	require.NoError(t, err)
	r = c.admin("--nodes", nodesFile, "refund", "broadcast", id)
	require.Equal(t, 0, r.code, r.stderr)
	st, err = sqlite.Open(ctx, db)
	require.NoError(t, err)
	defer st.Close()
	ww.Store = st
	follow(func() bool { return c.search("--record-no", rec.RecordNo)[0].Status == "Refunded" })
	after, err := node.Client.BalanceAt(ctx, customer.Address, nil)
	require.NoError(t, err)
	require.Equal(t, ethtest.Gwei(250_000_000), new(big.Int).Sub(after, before), "the customer received exactly the approved amount")
}

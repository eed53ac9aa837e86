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
// An Ether and an ERC-20 refund on geth --dev through the commands an
// operator and a station administrator type: prepare --out, depositctl
// sign in a process with no network, import, broadcast, Refunded.
func TestEtherAndTokenRefundsSignedOnAnAirGappedStationOnGethDev(t *testing.T) {
	keyringtest.Start(t)
	node := ethtest.Geth(t)
	customer := node.NewAccount(ethtest.Gwei(5_000_000_000)) // 5 ETH
	token := node.DeployToken(customer)
	node.MustSucceed(token.Mint(customer, customer.Address, big.NewInt(90_000_000)))
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
	r = c.admin("asset", "add", "--chain", "ethereum", "--network", "dev", "--symbol", "TST", "--decimals", strconv.Itoa(ethtest.TokenDecimals),
		"--contract", token.Address.Hex(), "--confirmations", "2", "--xpub", xpub, "--min-deposit", "1", "--refund-fee-cap", "0.01")
	require.Equal(t, 0, r.code, r.stderr)
	c.checker("sam", "sam-password-01", "refund-approval")

	// The customer's proved address and credited deposits of 0.25 ETH and
	// 7.5 TST, as the desk and its watcher make them; the payer funded by
	// the firm with both.
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
	eth := "ETH"
	assets, err := svc.ListAssets(admin, core.AssetFilter{Symbol: &eth})
	require.NoError(t, err)
	payer, err := payout.Payer(assets[0])
	require.NoError(t, err)
	node.Fund(common.HexToAddress(payer), ethtest.Gwei(1_000_000_000))
	node.MustSucceed(token.Mint(customer, common.HexToAddress(payer), big.NewInt(7_500_000)))
	ww := &watcher.Watcher{Network: core.Network{Chain: core.ChainEthereum, Name: "dev"}, Chain: ethereum.New(node.Client, ethereum.Config{}), Store: st}
	_, err = ww.Step(ctx)
	require.NoError(t, err)
	sent := node.MustSucceed(node.Transfer(customer, common.HexToAddress(da.Address), ethtest.Gwei(250_000_000)))
	rec, _, err := svc.SubmitApplication(admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: "r1", CustomerNo: "C10001", SecuritiesAccount: "SA-1",
		AssetSymbol: "ETH", Network: "dev", Amount: "0.25", SourceAddress: customer.Address.Hex(), TxID: sent.TxHash.Hex()})
	require.NoError(t, err)
	sent = node.MustSucceed(token.Transfer(customer, common.HexToAddress(da.Address), big.NewInt(7_500_000)))
	tok, _, err := svc.SubmitApplication(admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: "r2", CustomerNo: "C10001", SecuritiesAccount: "SA-1",
		AssetSymbol: "TST", Network: "dev", Amount: "7.5", SourceAddress: customer.Address.Hex(), TxID: sent.TxHash.Hex()})
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
	status := func(recordNo string) string { return c.search("--record-no", recordNo)[0].Status }
	follow(func() bool { return status(rec.RecordNo) == "Credited" && status(tok.RecordNo) == "Credited" })
	require.NoError(t, st.Close())

	// The station: the account key under each asset, the operators it
	// trusts (sam's approval key is registered at sam's first login), its
	// limits.
	r = c.as("sam", "sam-password-01", "refund", "list")
	require.Equal(t, 0, r.code, r.stderr)
	stationDir := t.TempDir()
	r = c.admin("operator", "keys", "export", "--out", filepath.Join(stationDir, "operators.json"))
	require.Equal(t, 0, r.code, r.stderr)
	limits := filepath.Join(stationDir, "station.toml")
	require.NoError(t, os.WriteFile(limits, []byte("trusted_operators = 'operators.json'\n"+
		"[[asset]]\nasset = 'ETH@dev'\nchain = 'ethereum'\nmax_amount = '1'\nmax_fee = '0.01'\n"+
		"[[asset]]\nasset = 'TST@dev'\nchain = 'ethereum'\nmax_amount = '10'\nmax_fee = '0.01'\n"), 0o600))
	for _, sym := range []string{"ETH", "TST"} {
		r = stationProcess(t, xprv+"\n", "station", "key-import", sym, "--network", "ethereum/dev", "--xpub", xpub)
		require.Equal(t, 0, r.code, r.stderr)
	}

	// Each refund: requested, approved, prepared into a file, signed on the
	// station, imported and broadcast by the desk, followed to Refunded.
	var got struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	refund := func(recordNo, says string) {
		t.Helper()
		c.jsonOut(&got, "refund", "request", recordNo, "--address", customer.Address.Hex(), "--identity", "video call, ticket 31")
		id := strconv.FormatInt(got.ID, 10)
		require.Equal(t, 0, c.as("sam", "sam-password-01", "refund", "approve", id).code)
		prepared := filepath.Join(dir, "refund-"+id+".json")
		r = c.admin("--nodes", nodesFile, "refund", "prepare", id, "--out", prepared)
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "Payer: "+payer)
		signed := filepath.Join(stationDir, "refund-"+id+"-signed.json")
		r = stationProcess(t, "", "sign", prepared, "--out", signed, "--limits", limits)
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, says)
		require.Contains(t, r.stdout, "Paid by the account's refund payer "+payer)
		c.jsonOut(&got, "refund", "import", id, signed)
		require.Equal(t, "Signed", got.Status)
		r = c.admin("--nodes", nodesFile, "refund", "broadcast", id)
		require.Equal(t, 0, r.code, r.stderr)
		st, err := sqlite.Open(ctx, db)
		require.NoError(t, err)
		defer st.Close()
		ww.Store = st
		follow(func() bool { return status(recordNo) == "Refunded" })
	}
	before, err := node.Client.BalanceAt(ctx, customer.Address, nil)
	require.NoError(t, err)
	refund(rec.RecordNo, "Pays 0.25 ETH to "+customer.Address.Hex()+" on ethereum/dev.")
	after, err := node.Client.BalanceAt(ctx, customer.Address, nil)
	require.NoError(t, err)
	require.Equal(t, ethtest.Gwei(250_000_000), new(big.Int).Sub(after, before), "the customer received exactly the approved amount")

	held := token.BalanceOf(customer.Address)
	refund(tok.RecordNo, "Pays 7.5 TST to "+customer.Address.Hex()+" on ethereum/dev.")
	require.Equal(t, big.NewInt(7_500_000), new(big.Int).Sub(token.BalanceOf(customer.Address), held), "and exactly the approved tokens")
}

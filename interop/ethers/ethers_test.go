// Package ethers_test holds the desk's refund files to another
// implementation: ethers (node, sign.js) parses the unsigned EIP-1559
// transaction a refund file carries and signs it with the payer's key, and
// the desk verifies the result and sends it to a chain (go-ethereum's
// simulated backend), where it pays the customer. The node modules come
// from scripts/deps.sh test (run by make test), pinned by package-lock.json.
package ethers_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"math/big"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/common"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/ethereum"
	"depositdesk/core/payout"
	"depositdesk/core/station"
	"depositdesk/internal/ethtest"
	"depositdesk/internal/npmtest"
	"depositdesk/internal/testkeys"
)

// payerKey is the refund payer's private key (m/44'/60'/0'/1/0) as hex,
// what another wallet holding the account would sign with.
func payerKey(t *testing.T, xprv string) string {
	t.Helper()
	acct, err := hdkeychain.NewKeyFromString(xprv)
	require.NoError(t, err)
	branch, err := acct.Derive(1)
	require.NoError(t, err)
	child, err := branch.Derive(0)
	require.NoError(t, err)
	priv, err := child.ECPrivKey()
	require.NoError(t, err)
	return "0x" + hex.EncodeToString(priv.Serialize())
}

func TestEthersSignsTheDesksRefundFileAndTheDeskSendsIt(t *testing.T) {
	modules := npmtest.Modules(t, "ethers")
	sim := ethtest.Simulated(t)
	funder, customer := sim.Accounts[0], sim.Accounts[1]
	token := sim.DeployToken(funder)
	xprv, xpub, err := testkeys.Account("ethers interop test seed, not real", 44, 60, &chaincfg.MainNetParams)
	require.NoError(t, err)
	chain := ethereum.New(sim.Client, ethereum.Config{})
	ctx := context.Background()

	for _, a := range []*core.Asset{
		{Chain: core.ChainEthereum, Network: "simulated", Symbol: "ETH", Decimals: 18, AccountXPub: xpub, RefundFeeCap: ethtest.Gwei(10_000_000)},
		{Chain: core.ChainEthereum, Network: "simulated", Symbol: "TST", Decimals: ethtest.TokenDecimals, ContractAddress: token.Address.Hex(),
			AccountXPub: xpub, RefundFeeCap: ethtest.Gwei(10_000_000)},
	} {
		t.Run(a.Symbol, func(t *testing.T) {
			payer, err := payout.Payer(a)
			require.NoError(t, err)
			sim.MustSucceed(sim.Transfer(funder, common.HexToAddress(payer), ethtest.Gwei(1_000_000_000)))
			amount := ethtest.Gwei(250_000_000)
			if a.ContractAddress != "" {
				amount = big.NewInt(7_500_000)
				sim.MustSucceed(token.Mint(funder, common.HexToAddress(payer), amount))
			}
			r := &core.Refund{ID: 7, RecordNo: "D20261202-000007", Address: customer.Address.Hex(), Amount: amount, Decimals: a.Decimals}
			r.Payout, err = payout.Builder{}.Build(ctx, a, r, nil, nil, chain)
			require.NoError(t, err)
			file, err := station.NewFile(r, a).Marshal()
			require.NoError(t, err)

			cmd := exec.Command("node", "sign.js", payerKey(t, xprv))
			cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
			cmd.Stdin = bytes.NewReader(file)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			require.NoError(t, err, "sign.js: %s", stderr.String())
			raw, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(out)), "0x"))
			require.NoError(t, err)

			txid, err := payout.Builder{}.VerifySigned(a, r, r.Payout, raw)
			require.NoError(t, err, "the desk takes what ethers signed")
			acct, err := hdkeychain.NewKeyFromString(xprv)
			require.NoError(t, err)
			_, ours, err := payout.Sign(a, r, r.Payout, acct)
			require.NoError(t, err)
			require.Equal(t, ours, txid, "ethers and the desk sign the same transaction to the same bytes (RFC 6979)")

			before := balance(t, sim, token, a, customer.Address)
			sent, err := chain.Send(ctx, raw)
			require.NoError(t, err)
			require.Equal(t, txid, sent)
			sim.Commit()
			require.Equal(t, amount, new(big.Int).Sub(balance(t, sim, token, a, customer.Address), before), "the customer was paid")
		})
	}
}

func balance(t *testing.T, sim *ethtest.Sim, token *ethtest.Token, a *core.Asset, who common.Address) *big.Int {
	if a.ContractAddress != "" {
		return token.BalanceOf(who)
	}
	b, err := sim.Client.BalanceAt(context.Background(), who, nil)
	require.NoError(t, err)
	return b
}

// Package bitcoinjs_test holds the desk's PSBTs to another implementation:
// bitcoinjs-lib (node, sign.js) parses, signs and finalizes a refund the
// desk exported, and the desk imports the result and broadcasts it to a
// btcd regtest node. The node modules come from scripts/deps.sh test (run
// by make test), pinned by package-lock.json.
package bitcoinjs_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"math/big"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
	"depositdesk/core/hdaddr"
	"depositdesk/core/payout"
	"depositdesk/internal/btcdtest"
	"depositdesk/internal/npmtest"
	"depositdesk/internal/testkeys"
)

var shared btcdtest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// signWithBitcoinJS hands file to sign.js as base64 and returns the PSBT
// it signed and finalized.
func signWithBitcoinJS(t *testing.T, modules string, file []byte, xprv string) []byte {
	t.Helper()
	cmd := exec.Command("node", "sign.js", xprv, "regtest")
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = strings.NewReader(base64.StdEncoding.EncodeToString(file))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node sign.js: %s", stderr.String())
	return out
}

// TestBitcoinJSSignsTheDesksPSBTAndTheDeskBroadcastsIt is issue 13's
// acceptance: a refund of two deposits paid on btcd, prepared against the
// node, exported as a PSBT, signed and finalized by bitcoinjs-lib with the
// test key, imported and broadcast; it reaches the mempool with the txid
// the desk's own signer gives. Once with a descriptor as account key
// (bitcoinjs-lib finds the keys from the master by fingerprint and full
// path), once with a plain tpub (the account key signs by its own
// fingerprint and branch/index).
func TestBitcoinJSSignsTheDesksPSBTAndTheDeskBroadcastsIt(t *testing.T) {
	t.Parallel()
	modules := npmtest.Modules(t, "bitcoinjs")
	n := shared.Get(t)
	chain, err := bitcoin.New(bitcoin.Config{Host: n.RPCHost, User: n.User, Pass: n.Pass, Params: n.Params})
	require.NoError(t, err)

	for name, descriptor := range map[string]bool{"Descriptor": true, "PlainKey": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			seed := "bitcoinjs interop seed " + name + strings.Repeat("!", 16)
			xprv, xpub, err := testkeys.Account(seed, 84, 1, &chaincfg.RegressionNetParams)
			require.NoError(t, err)
			a := &core.Asset{ID: 1, Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, AccountXPub: xpub,
				RefundFeeRate: big.NewInt(5), RefundFeeCap: big.NewInt(100_000), ConfirmationsRequired: 1}
			wallet := xprv
			if descriptor {
				wallet, a.AccountXPub, err = testkeys.Descriptor(seed, 84, 1, &chaincfg.RegressionNetParams)
				require.NoError(t, err)
			}

			var coins []core.PayoutInput
			for _, index := range []uint32{2, 7} {
				addr, err := hdaddr.Derive(a.Chain, a.Network, a.AccountXPub, hdaddr.External, index)
				require.NoError(t, err)
				to, err := btcutil.DecodeAddress(addr, &chaincfg.RegressionNetParams)
				require.NoError(t, err)
				txid := n.Send(t, to, 60_000)
				coins = append(coins, core.PayoutInput{Outpoint: txid + ":0", Amount: core.NewInt(big.NewInt(60_000)), Branch: hdaddr.External, Index: index, Address: addr})
			}
			n.Generate(t, 1)
			r := &core.Refund{ID: 41, Address: btcdtest.NewAddress(t).EncodeAddress(), Amount: big.NewInt(100_000), Decimals: 8, AssetSymbol: "BTC"}
			p, err := payout.Builder{}.Build(ctx, a, r, coins, nil, chain)
			require.NoError(t, err)
			require.Len(t, p.Inputs, 2)
			require.NotNil(t, p.Change, "the change output carries its key origin too")

			prev := map[string][]byte{}
			for _, in := range p.Inputs {
				txid, _, _ := strings.Cut(in.Outpoint, ":")
				prev[txid], err = chain.RawTransaction(ctx, txid)
				require.NoError(t, err)
			}
			file, err := payout.ExportPSBT(a, r, p, prev)
			require.NoError(t, err)
			signed := signWithBitcoinJS(t, modules, file, wallet)
			raw, txid, err := payout.ImportPSBT(a, r, p, signed)
			require.NoError(t, err)

			acct, err := hdkeychain.NewKeyFromString(xprv)
			require.NoError(t, err)
			wantRaw, wantTxID, err := payout.Sign(a, r, p, acct)
			require.NoError(t, err)
			require.Equal(t, wantTxID, txid, "bitcoinjs-lib signed the very transaction the station would")
			require.Equal(t, wantRaw, raw, "with the same signatures: RFC 6979 nonces on both sides")

			sent, err := chain.Send(ctx, raw)
			require.NoError(t, err)
			require.Equal(t, txid, sent)
			require.True(t, n.InMempool(t, txid))
		})
	}
}

package payout_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
	"depositdesk/core/payout"
	"depositdesk/internal/testkeys"
)

const seed = "payout test seed, not a real key"

// btcAccount is a BTC@regtest asset with its account key pair.
func btcAccount(t testing.TB) (*core.Asset, *hdkeychain.ExtendedKey) {
	xprv, xpub, err := testkeys.Account(seed, 84, 1, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	k, err := hdkeychain.NewKeyFromString(xprv)
	require.NoError(t, err)
	return &core.Asset{ID: 1, Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, AccountXPub: xpub,
		RefundFeeCap: big.NewInt(100_000), ConfirmationsRequired: 1}, k
}

// coin is an account output at branch/index with a made-up outpoint.
func coin(t testing.TB, a *core.Asset, branch, index uint32, sats int64, tx byte) core.PayoutInput {
	addr, err := hdaddr.Derive(a.Chain, a.Network, a.AccountXPub, branch, index)
	require.NoError(t, err)
	return core.PayoutInput{Outpoint: string(bytes.Repeat([]byte{'a' + tx%6}, 64)) + ":1", Amount: core.NewInt(big.NewInt(sats)), Branch: branch, Index: index, Address: addr}
}

func customer(t testing.TB) string {
	a, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{7}, 20), &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	return a.EncodeAddress()
}

func nodeWith(coins ...core.PayoutInput) *btcNode {
	n := &btcNode{coins: map[string]coinAt{}, rate: big.NewInt(10)}
	for _, c := range coins {
		n.coins[c.Outpoint] = coinAt{c.Amount.Int64(), c.Address}
	}
	return n
}

func TestBitcoinRefundSpendsOwnOutputFirstAndSignsValidWitnesses(t *testing.T) {
	a, acct := btcAccount(t)
	own, big1, big2 := coin(t, a, 0, 3, 30_000, 0), coin(t, a, 0, 9, 900_000, 1), coin(t, a, 1, 2, 500_000, 2)
	r := &core.Refund{ID: 17, Address: customer(t), Amount: big.NewInt(100_000), Decimals: 8}
	p, err := payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{own, big1, big2}, nil, nodeWith(own, big1, big2))
	require.NoError(t, err)

	require.Equal(t, []string{own.Outpoint, big1.Outpoint}, p.ChainSpends(), "own deposit first, then the largest, no more than needed")
	change, err := hdaddr.Derive(a.Chain, a.Network, a.AccountXPub, hdaddr.Internal, 17)
	require.NoError(t, err)
	require.Equal(t, change, p.ChangeAddress, "change goes to the internal chain at the refund's ID")
	// 2 P2WPKH inputs, 2 P2WPKH outputs: 209 vB at 10 sat/vB.
	require.Equal(t, int64(2090), p.Fee.Int64())
	require.Equal(t, int64(930_000-100_000-2090), p.Change.Int64())
	require.NoError(t, payout.Builder{}.Check(a, r, p))

	raw, txid, err := payout.Sign(a, r, p, acct)
	require.NoError(t, err)
	var tx wire.MsgTx
	require.NoError(t, tx.Deserialize(bytes.NewReader(raw)))
	require.Equal(t, tx.TxHash().String(), txid)
	prevs := txscript.NewMultiPrevOutFetcher(nil)
	for i, in := range p.Inputs {
		script, err := txscript.PayToAddrScript(mustAddr(t, in.Address))
		require.NoError(t, err)
		prevs.AddPrevOut(tx.TxIn[i].PreviousOutPoint, wire.NewTxOut(in.Amount.Int64(), script))
	}
	hashes := txscript.NewTxSigHashes(&tx, prevs)
	for i := range tx.TxIn {
		prev := prevs.FetchPrevOutput(tx.TxIn[i].PreviousOutPoint)
		vm, err := txscript.NewEngine(prev.PkScript, &tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, prevs)
		require.NoError(t, err)
		require.NoError(t, vm.Execute(), "input %d's witness must verify", i)
	}
	// Deterministic signatures (RFC 6979): signing again gives the same bytes.
	again, _, err := payout.Sign(a, r, p, acct)
	require.NoError(t, err)
	require.Equal(t, raw, again)
}

func mustAddr(t testing.TB, s string) btcutil.Address {
	a, err := btcutil.DecodeAddress(s, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	return a
}

func TestBitcoinRefundSkipsSpentAndMisrecordedOutputs(t *testing.T) {
	a, _ := btcAccount(t)
	spent, lied, good := coin(t, a, 0, 1, 500_000, 0), coin(t, a, 0, 2, 500_000, 1), coin(t, a, 0, 4, 400_000, 2)
	node := nodeWith(lied, good)
	node.coins[lied.Outpoint] = coinAt{5_000, lied.Address} // the chain says less than the desk's record
	r := &core.Refund{ID: 1, Address: customer(t), Amount: big.NewInt(100_000), Decimals: 8}
	p, err := payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{spent, lied, good}, nil, node)
	require.NoError(t, err)
	require.Equal(t, []string{good.Outpoint}, p.ChainSpends())
}

func TestBitcoinRefundRefusals(t *testing.T) {
	a, _ := btcAccount(t)
	c := coin(t, a, 0, 1, 50_000, 0)
	r := &core.Refund{ID: 1, Address: customer(t), Amount: big.NewInt(100_000), Decimals: 8}
	_, err := payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{c}, nil, nodeWith(c))
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), "short by 0.000511 BTC", "amount 0.001 + fee 110 vB × 10 sat − 0.0005 held")

	rich := coin(t, a, 0, 2, 5_000_000, 1)
	node := nodeWith(rich)
	node.rate = big.NewInt(1000)
	_, err = payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{rich}, nil, node)
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), "above BTC@regtest's refund fee cap of 0.001 BTC")

	node.rate = nil
	_, err = payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{rich}, nil, node)
	require.Contains(t, core.ErrorMessage(err), "has no fee estimate; set a refund fee rate")

	a.RefundFeeRate = big.NewInt(2)
	p, err := payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{rich}, nil, node)
	require.NoError(t, err)
	require.Equal(t, int64(2), p.FeeRate.Int64(), "the asset's configured rate when the node has none")

	a.RefundFeeCap = nil
	_, err = payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{rich}, nil, node)
	require.Contains(t, core.ErrorMessage(err), "has no refund fee cap")
}

// TestBitcoinPreparedTransactionAlteredIsRefused changes what a database
// writer could change, one at a time: each is refused before signing.
func TestBitcoinPreparedTransactionAlteredIsRefused(t *testing.T) {
	a, acct := btcAccount(t)
	c1, c2 := coin(t, a, 0, 3, 300_000, 0), coin(t, a, 0, 5, 300_000, 1)
	r := &core.Refund{ID: 5, Address: customer(t), Amount: big.NewInt(400_000), Decimals: 8}
	built, err := payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{c1, c2}, nil, nodeWith(c1, c2))
	require.NoError(t, err)
	other := func() string {
		o, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{9}, 20), &chaincfg.RegressionNetParams)
		require.NoError(t, err)
		return o.EncodeAddress()
	}()
	rewrite := func(p *core.Payout, edit func(*wire.MsgTx)) {
		var tx wire.MsgTx
		require.NoError(t, tx.DeserializeNoWitness(bytes.NewReader(p.Unsigned)))
		edit(&tx)
		var buf bytes.Buffer
		require.NoError(t, tx.SerializeNoWitness(&buf))
		p.Unsigned = buf.Bytes()
	}
	script := func(addr string) []byte {
		s, err := txscript.PayToAddrScript(mustAddr(t, addr))
		require.NoError(t, err)
		return s
	}
	cases := map[string]func(p *core.Payout){
		"address in the tx": func(p *core.Payout) { rewrite(p, func(tx *wire.MsgTx) { tx.TxOut[0].PkScript = script(other) }) },
		"address in both": func(p *core.Payout) {
			p.To = other
			rewrite(p, func(tx *wire.MsgTx) { tx.TxOut[0].PkScript = script(other) })
		},
		"amount in the tx":       func(p *core.Payout) { rewrite(p, func(tx *wire.MsgTx) { tx.TxOut[0].Value += 1000 }) },
		"change to someone else": func(p *core.Payout) { rewrite(p, func(tx *wire.MsgTx) { tx.TxOut[1].PkScript = script(other) }) },
		"change address in facts and tx": func(p *core.Payout) {
			p.ChangeAddress = other
			rewrite(p, func(tx *wire.MsgTx) { tx.TxOut[1].PkScript = script(other) })
		},
		"change lowered (more fee)": func(p *core.Payout) { rewrite(p, func(tx *wire.MsgTx) { tx.TxOut[1].Value -= 50_000 }) },
		"fee in facts":              func(p *core.Payout) { p.Fee = core.NewInt(big.NewInt(99_000)) },
		"fee over cap": func(p *core.Payout) {
			rewrite(p, func(tx *wire.MsgTx) { tx.TxOut[1].Value -= 150_000 })
			p.Change, p.Fee = core.NewInt(big.NewInt(p.Change.Int64()-150_000)), core.NewInt(big.NewInt(p.Fee.Int64()+150_000))
		},
		"extra output": func(p *core.Payout) {
			rewrite(p, func(tx *wire.MsgTx) { tx.AddTxOut(wire.NewTxOut(1000, script(other))) })
		},
		"input swapped": func(p *core.Payout) { p.Inputs[1] = coin(t, a, 0, 6, 300_000, 3) },
		"foreign input": func(p *core.Payout) { p.Inputs[1].Address = other },
		"garbage":       func(p *core.Payout) { p.Unsigned = []byte{1, 2, 3} },
	}
	for name, alter := range cases {
		t.Run(name, func(t *testing.T) {
			p := clonePayout(t, built)
			alter(p)
			_, _, err := payout.Sign(a, r, p, acct)
			require.Error(t, err)
			require.Contains(t, []string{core.ECONFLICT, core.EINVALID}, core.ErrorCode(err), core.ErrorMessage(err))
		})
	}
}

// clonePayout is a deep copy through the prepared-refund file's JSON.
func clonePayout(t testing.TB, p *core.Payout) *core.Payout {
	b, err := json.Marshal(p)
	require.NoError(t, err)
	var out core.Payout
	require.NoError(t, json.Unmarshal(b, &out))
	return &out
}

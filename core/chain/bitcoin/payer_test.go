package bitcoin_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
	"depositdesk/internal/btcdtest"
)

func serialize(t *testing.T, tx *wire.MsgTx) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, tx.Serialize(&buf))
	return buf.Bytes()
}

// unspent asks for op and fails the test unless the answer has code
// ("" for none).
func unspent(t *testing.T, c *bitcoin.Chain, op, code string) (*big.Int, string) {
	t.Helper()
	amount, addr, err := c.Unspent(context.Background(), op)
	if code == "" {
		require.NoError(t, err)
	} else {
		require.Equal(t, code, core.ErrorCode(err), "%v", err)
	}
	return amount, addr
}

func TestUnspent(t *testing.T) {
	t.Parallel()
	n, c := matured(t)
	ctx := context.Background()

	t.Run("FreshOutputPooledThenMined", func(t *testing.T) {
		to := btcdtest.NewAddress(t)
		txid := n.Send(t, to, 1_234_567)
		before := c.Calls()
		amount, addr := unspent(t, c, txid+":0", "")
		require.EqualValues(t, 2, c.Calls()-before, "Unspent is two RPCs")
		require.Equal(t, "1234567", amount.String())
		require.Equal(t, to.EncodeAddress(), addr)
		n.Generate(t, 1)
		amount, addr = unspent(t, c, txid+":0", "")
		require.Equal(t, "1234567", amount.String())
		require.Equal(t, to.EncodeAddress(), addr)
	})

	// The case gettxout alone gets wrong on btcd: it ignores mempool spends.
	t.Run("SpentInTheMempoolIsNotFound", func(t *testing.T) {
		tx := n.Sign(t, btcdtest.Output{To: btcdtest.NewAddress(t), Sats: 2_000_000})
		op := tx.TxIn[0].PreviousOutPoint
		prev, err := n.Client().GetRawTransaction(&op.Hash)
		require.NoError(t, err)
		amount, addr := unspent(t, c, op.String(), "")
		require.Equal(t, prev.MsgTx().TxOut[op.Index].Value, amount.Int64(), "exactly, from the node's BTC float")
		require.Equal(t, n.Address().EncodeAddress(), addr)

		_, err = c.Send(ctx, serialize(t, tx))
		require.NoError(t, err)
		unspent(t, c, op.String(), core.ENOTFOUND)
		n.Generate(t, 1)
		unspent(t, c, op.String(), core.ENOTFOUND)
	})

	t.Run("UnknownIsNotFound", func(t *testing.T) {
		pooled := n.Send(t, btcdtest.NewAddress(t), 1_000_000)
		unspent(t, c, hashA+":0", core.ENOTFOUND)
		unspent(t, c, pooled+":7", core.ENOTFOUND)
		n.Generate(t, 1)
		unspent(t, c, pooled+":7", core.ENOTFOUND)
	})

	t.Run("MalformedIsInvalid", func(t *testing.T) {
		for _, op := range []string{"", hashA, hashA + ":", hashA + ":-1", hashA + ":x", "0x" + hashA + ":0", "zz:0", hashA + ":4294967296"} {
			unspent(t, c, op, core.EINVALID)
		}
	})
}

// btcd v0.24 estimates from the transactions it saw pooled and then
// mined, in blocks connected while it runs: it has no estimate before its
// third block (it answers an error), nor from blocks with no such
// transaction (it answers 0).
func TestFeeRate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	_, err := newChain(t, btcdtest.Start(t)).FeeRate(ctx)
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "a fresh chain: %v", err)

	n, c := matured(t)
	_, err = c.FeeRate(ctx)
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "only coinbases: %v", err)

	// Every harness transaction pays Fee for the same shape, but a DER
	// signature is 71 or 72 bytes, so their vsizes (the weight / 4, rounded
	// up) may differ by one: the rate, in sat/vB rounded up, is one of theirs.
	rates := map[int64]bool{}
	for range 3 {
		tx := n.Sign(t, btcdtest.Output{To: btcdtest.NewAddress(t), Sats: 1_000_000})
		_, err := c.Send(ctx, serialize(t, tx))
		require.NoError(t, err)
		n.Generate(t, 1)
		vsize := (3*tx.SerializeSizeStripped() + tx.SerializeSize() + 3) / 4
		rates[int64((btcdtest.Fee+vsize-1)/vsize)] = true
	}
	rate, err := c.FeeRate(ctx)
	require.NoError(t, err)
	require.True(t, rates[rate.Int64()], "rate %v sat/vB, the transactions' %v", rate, rates)
}

// RawTransaction gives a transaction, pooled or mined, as the network
// serializes it (witnesses included), in one RPC.
func TestRawTransaction(t *testing.T) {
	t.Parallel()
	n, c := matured(t)
	ctx := context.Background()
	tx := n.Sign(t, btcdtest.Output{To: btcdtest.NewAddress(t), Sats: 70_000})
	_, err := c.Send(ctx, serialize(t, tx))
	require.NoError(t, err)
	for _, state := range []string{"pooled", "mined"} {
		before := c.Calls()
		raw, err := c.RawTransaction(ctx, tx.TxHash().String())
		require.NoError(t, err, state)
		require.EqualValues(t, 1, c.Calls()-before)
		require.Equal(t, serialize(t, tx), raw, state)
		n.Generate(t, 1)
	}
	_, err = c.RawTransaction(ctx, strings.Repeat("ab", 32))
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "%v", err)
	_, err = c.RawTransaction(ctx, "abc")
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "%v", err)
}

func TestSend(t *testing.T) {
	t.Parallel()
	n, c := matured(t)
	ctx := context.Background()
	tx := n.Sign(t, btcdtest.Output{To: btcdtest.NewAddress(t), Sats: 1_000_000})
	raw := serialize(t, tx)

	txid, err := c.Send(ctx, raw)
	require.NoError(t, err)
	require.Equal(t, tx.TxHash().String(), txid)
	require.True(t, n.InMempool(t, txid))

	txid, err = c.Send(ctx, raw)
	require.NoError(t, err, "the node has it in its mempool")
	require.Equal(t, tx.TxHash().String(), txid)

	n.Generate(t, 1)
	txid, err = c.Send(ctx, raw)
	require.NoError(t, err, "the node has it in a block")
	require.Equal(t, tx.TxHash().String(), txid)

	double := n.SignConflicting(t, txid, btcdtest.NewAddress(t), 500_000)
	_, err = c.Send(ctx, serialize(t, double))
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "%v", err)
	require.Contains(t, core.ErrorMessage(err), "The node refused the transaction: ")
	require.Contains(t, core.ErrorMessage(err), "orphan transaction")

	_, err = c.Send(ctx, append(raw, 0))
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "trailing bytes")
	_, err = c.Send(ctx, nil)
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
}

// TestRepliedAmountsAreReadExactly feeds Unspent and FeeRate the numbers a
// node may write: BTC as the shortest decimal of a float64, with an
// exponent below 1e-6. Each is read as the exact decimal, never as a float.
func TestRepliedAmountsAreReadExactly(t *testing.T) {
	t.Parallel()
	to := btcdtest.NewAddress(t)
	pk, err := txscript.PayToAddrScript(to)
	require.NoError(t, err)
	outAt := func(value string) fakeNode {
		return fakeNode{
			"gettxspendingprevout": []any{map[string]any{"txid": hashA, "vout": 1}},
			"gettxout":             map[string]any{"value": json.RawMessage(value), "scriptPubKey": map[string]any{"hex": hex.EncodeToString(pk)}},
		}
	}
	for value, sats := range map[string]string{
		"0.5": "50000000", "1e-08": "1", "9.9e-07": "99", "0.00000546": "546",
		"20999999.99999999": "2099999999999999", "21000000": "2100000000000000", "0": "0",
		"0.123456789": "", "-0.1": "", "21000000.00000001": "", "1e400": "", `"abc"`: "",
	} {
		t.Run(value, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(outAt(value))
			t.Cleanup(srv.Close)
			amount, addr, err := chainAt(t, srv.URL, time.Second).Unspent(context.Background(), hashA+":1")
			if sats == "" {
				require.Error(t, err)
				require.Equal(t, core.EINTERNAL, core.ErrorCode(err), "a broken reply, not an answer: %v", err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, sats, amount.String())
			require.Equal(t, to.EncodeAddress(), addr)
		})
	}

	for perKB, perVB := range map[string]string{
		"0.00001": "1", "0.00001001": "2", "0.0007092198581560284": "71", "1e-08": "1",
		"0.001": "100", "-1": core.ENOTFOUND, "0": core.ENOTFOUND,
	} {
		t.Run("fee "+perKB, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(fakeNode{"estimatefee": json.RawMessage(perKB)})
			t.Cleanup(srv.Close)
			rate, err := chainAt(t, srv.URL, time.Second).FeeRate(context.Background())
			if perVB == core.ENOTFOUND {
				require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "%v", err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, perVB, rate.String())
		})
	}
}

// TestSendTellsARefusalFromAFailure pins how Send reads btcd's errors.
func TestSendTellsARefusalFromAFailure(t *testing.T) {
	t.Parallel()
	prevHex, prevID := txHex(t, hashA, 5000)
	raw, err := hex.DecodeString(prevHex)
	require.NoError(t, err)
	unknown := &rpcErr{Code: -5, Message: "No information available about transaction"}
	mined := map[string]any{"hex": prevHex, "txid": prevID, "blockhash": hashB}
	orphan := &rpcErr{Code: -25, Message: "TX rejected: orphan transaction " + prevID + " references outputs of unknown or fully-spent transaction " + hashA}
	for _, tc := range []struct {
		name string
		node fakeNode
		code string // "-" for success
	}{
		{"Accepted", fakeNode{"sendrawtransaction": prevID}, "-"},
		{"AlreadyPooled", fakeNode{"sendrawtransaction": &rpcErr{Code: -26, Message: "TX rejected: already have transaction in mempool " + prevID}}, "-"},
		{"AlreadyMined", fakeNode{"sendrawtransaction": &rpcErr{Code: -27, Message: "TX rejected: transaction already exists in blockchain"}}, "-"},
		{"MinedAndFullySpent", fakeNode{"sendrawtransaction": orphan, "getrawtransaction": mined}, "-"},
		{"InputSpent", fakeNode{"sendrawtransaction": orphan, "getrawtransaction": unknown}, core.ECONFLICT},
		{"InputSpentInTheMempool", fakeNode{"sendrawtransaction": &rpcErr{Code: -26, Message: "TX rejected: output already spent in mempool"}, "getrawtransaction": unknown}, core.ECONFLICT},
		{"FeeTooLow", fakeNode{"sendrawtransaction": &rpcErr{Code: -26, Message: "TX rejected: insufficient priority"}, "getrawtransaction": unknown}, core.ECONFLICT},
		{"NodeFailure", fakeNode{"sendrawtransaction": &rpcErr{Code: -25, Message: "TX rejected: database is closed"}}, core.EINTERNAL},
		{"LookupFails", fakeNode{"sendrawtransaction": orphan, "getrawtransaction": &rpcErr{Code: -32603, Message: "internal"}}, core.EINTERNAL},
		{"WrongTxid", fakeNode{"sendrawtransaction": hashB}, core.EINTERNAL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.node)
			t.Cleanup(srv.Close)
			txid, err := chainAt(t, srv.URL, time.Second).Send(context.Background(), raw)
			if tc.code == "-" {
				require.NoError(t, err)
				require.Equal(t, prevID, txid)
				return
			}
			require.Equal(t, tc.code, core.ErrorCode(err), "%v", err)
			require.NotContains(t, err.Error(), "Method not found", "the fake must answer every call")
			if tc.code == core.ECONFLICT {
				require.Regexp(t, `^The node refused the transaction: [a-z]`, core.ErrorMessage(err))
			}
		})
	}
}

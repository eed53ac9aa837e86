package bitcoin

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strings"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"depositdesk/core"
)

// feeTarget is the confirmation target, in blocks, of FeeRate's estimate:
// about an hour, as a refund is not urgent (btcd estimates up to 25).
const feeTarget = 6

var (
	_ core.BitcoinPayer      = (*Chain)(nil)
	_ core.Broadcaster       = (*Chain)(nil)
	_ core.TransactionSource = (*Chain)(nil)
)

// Unspent implements core.BitcoinPayer: gettxspendingprevout, then gettxout
// with the mempool (2 RPCs). gettxout alone reports an output spent only by
// a block, never by a mempool transaction (see Conflict), hence the first
// call; it comes first so that a spender mined between the two is seen by
// the second. The amount comes from the reply's BTC value, read exactly as
// a decimal. address is "" for a script that pays no single standard
// address (see address).
func (c *Chain) Unspent(ctx context.Context, outpoint string) (*big.Int, string, error) {
	ops, err := parseOutpoints([]string{outpoint})
	if err != nil {
		return nil, "", err
	}
	op := ops[0]
	var spenders []struct {
		Txid     string `json:"txid"`
		Vout     uint32 `json:"vout"`
		Spending string `json:"spendingtxid"`
	}
	asked := []map[string]any{{"txid": op.Hash.String(), "vout": op.Index}}
	if err := c.call(ctx, &spenders, "gettxspendingprevout", asked); err != nil {
		return nil, "", err
	}
	if len(spenders) != 1 || spenders[0].Txid != op.Hash.String() || spenders[0].Vout != op.Index {
		return nil, "", malformed("gettxspendingprevout", "asked for %s, got %d answers", op, len(spenders))
	}
	if s := spenders[0].Spending; s != "" {
		by, err := checkHash("gettxspendingprevout", s)
		if err != nil {
			return nil, "", err
		}
		return nil, "", core.Errorf(core.ENOTFOUND, "Output %s is spent by %s, in the mempool.", op, by)
	}

	var out *struct {
		Value        json.Number `json:"value"`
		ScriptPubKey struct {
			Hex string `json:"hex"`
		} `json:"scriptPubKey"`
	}
	err = c.call(ctx, &out, "gettxout", op.Hash.String(), op.Index, true)
	if code, ok := rpcCode(err); ok && code == btcjson.ErrRPCNoTxInfo {
		out = nil // btcd's answer for an output index its mempool transaction lacks
	} else if err != nil {
		return nil, "", err
	}
	if out == nil {
		return nil, "", core.Errorf(core.ENOTFOUND, "Output %s is spent or unknown to the Bitcoin node.", op)
	}
	sats, err := satoshis("gettxout", out.Value)
	if err != nil {
		return nil, "", err
	}
	script, err := hex.DecodeString(out.ScriptPubKey.Hex)
	if err != nil || len(script) == 0 {
		return nil, "", malformed("gettxout", "output %s has no readable script", op)
	}
	return sats, c.address(script, false), nil
}

// FeeRate implements core.BitcoinPayer: estimatefee for feeTarget blocks
// (1 RPC), in BTC/kB, as sat/vB rounded up, at least 1. btcd answers -1,
// or the error "Invalid request: malformed", until it has seen enough
// blocks, and 0 when those held no transactions to learn from (a regtest
// chain has none either way): all are ENOTFOUND. btcd has no
// estimatesmartfee.
func (c *Chain) FeeRate(ctx context.Context) (*big.Int, error) {
	var n json.Number
	err := c.call(ctx, &n, "estimatefee", feeTarget)
	if code, ok := rpcCode(err); ok && code == btcjson.ErrRPCInvalidRequest.Code {
		return nil, core.Errorf(core.ENOTFOUND, "The Bitcoin node has no fee estimate yet.")
	} else if err != nil {
		return nil, err
	}
	perKB, err := decimal("estimatefee", n)
	if err != nil {
		return nil, err
	}
	if perKB.Sign() <= 0 {
		return nil, core.Errorf(core.ENOTFOUND, "The Bitcoin node has no fee estimate yet.")
	}
	// BTC/kB × 10^8 sat/BTC ÷ 1000 B/kB.
	perVB := perKB.Mul(perKB, big.NewRat(btcutil.SatoshiPerBitcoin/1000, 1))
	q, r := new(big.Int).QuoRem(perVB.Num(), perVB.Denom(), new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q, nil
}

// Send implements core.Broadcaster: sendrawtransaction (1 RPC; 2 when the
// node refuses the transaction). A transaction the node already has in its
// mempool, or mined with an output left unspent, is answered as a
// duplicate and is a success. One mined with every output spent btcd calls
// an orphan, as it does one whose input is spent by another transaction:
// only its index tells them apart, so every refusal looks the transaction
// up before it is reported as ECONFLICT with the node's words.
func (c *Chain) Send(ctx context.Context, raw []byte) (string, error) {
	var msg wire.MsgTx
	r := bytes.NewReader(raw)
	if err := msg.Deserialize(r); err != nil || r.Len() != 0 {
		return "", core.Errorf(core.EINVALID, "The signed transaction is not one Bitcoin transaction.")
	}
	id := msg.TxHash().String()
	var got string
	err := c.call(ctx, &got, "sendrawtransaction", hex.EncodeToString(raw))
	if err == nil {
		if got != id {
			return "", malformed("sendrawtransaction", "sent %s, node names %q", id, got)
		}
		return id, nil
	}
	var e *btcjson.RPCError
	if !errors.As(err, &e) {
		return "", err
	}
	switch {
	case e.Code == btcjson.ErrRPCTxAlreadyInChain, strings.Contains(e.Message, "already have transaction"):
		return id, nil
	// -25 is also btcd's code for a failure of its own; of the rules only
	// the orphan check uses it.
	case e.Code == btcjson.ErrRPCTxRejected, e.Code == btcjson.ErrRPCTxError && strings.Contains(e.Message, "orphan transaction"):
		if _, _, err := c.rawTx(ctx, id); err == nil {
			return id, nil
		} else if core.ErrorCode(err) != core.ENOTFOUND {
			return "", err
		}
		return "", core.Errorf(core.ECONFLICT, "The node refused the transaction: %s", strings.TrimPrefix(e.Message, "TX rejected: "))
	}
	return "", err
}

// satoshis reads a BTC amount from a reply exactly (see decimal).
func satoshis(method string, n json.Number) (*big.Int, error) {
	v, err := decimal(method, n)
	if err != nil {
		return nil, err
	}
	v.Mul(v, big.NewRat(btcutil.SatoshiPerBitcoin, 1))
	if !v.IsInt() || v.Sign() < 0 || v.Num().Cmp(big.NewInt(btcutil.MaxSatoshi)) > 0 {
		return nil, malformed(method, "%s BTC is no amount of satoshis", n)
	}
	return new(big.Int).Set(v.Num()), nil
}

// decimal reads a JSON number exactly, as a fraction: btcd writes BTC as a
// float64, which Go prints as the shortest decimal that reads back to the
// same float (with an exponent below 1e-6: 1e-07), and for amounts of at
// most 8 decimals below 21 million that decimal is the amount itself. The
// length bound keeps a hostile exponent from costing much.
func decimal(method string, n json.Number) (*big.Rat, error) {
	if len(n) == 0 || len(n) > 40 {
		return nil, malformed(method, "%q is not a number", n)
	}
	v, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return nil, malformed(method, "%q is not a number", n)
	}
	return v, nil
}

// RawTransaction implements core.TransactionSource: getrawtransaction (1
// RPC), the bytes checked to decode and hash to txid.
func (c *Chain) RawTransaction(ctx context.Context, txid string) ([]byte, error) {
	if _, err := chainhash.NewHashFromStr(txid); err != nil || len(txid) != 2*chainhash.HashSize {
		return nil, core.Errorf(core.EINVALID, "%q is no transaction hash.", txid)
	}
	_, msg, err := c.rawTx(ctx, txid)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := msg.Serialize(&buf); err != nil {
		return nil, core.Errorf(core.EINTERNAL, "serialize %s: %v", txid, err)
	}
	return buf.Bytes(), nil
}

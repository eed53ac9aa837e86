package bitcoin

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"depositdesk/core"
)

// maxHeight bounds the heights a reply may claim: a block every ten minutes
// reaches it in about 1,900 years, so anything above is a broken reply.
const maxHeight = 100_000_000

// Replies, reduced to the fields used. Pointers mark fields whose absence
// must be told from a zero value.
type headerReply struct {
	Hash         string `json:"hash"`
	Height       *int64 `json:"height"`
	PreviousHash string `json:"previousblockhash"`
}

type blockReply struct {
	headerReply
	Tx []string `json:"tx"`
}

type txReply struct {
	Hex       string `json:"hex"`
	Txid      string `json:"txid"`
	BlockHash string `json:"blockhash"` // "" in the mempool
}

// Head is the node's best block: getbestblockhash, then its header for the
// height and parent (2 RPCs).
func (c *Chain) Head(ctx context.Context) (core.ChainBlock, error) {
	var best string
	if err := c.call(ctx, &best, "getbestblockhash"); err != nil {
		return core.ChainBlock{}, err
	}
	hash, err := checkHash("getbestblockhash", best)
	if err != nil {
		return core.ChainBlock{}, err
	}
	var h headerReply
	if err := c.call(ctx, &h, "getblockheader", hash, true); err != nil {
		return core.ChainBlock{}, err
	}
	b, err := checkHeader("getblockheader", &h, hash, -1)
	if err == nil {
		c.heights.put(b.Hash, b.Height)
	}
	return b, err
}

// Block is the block at height on the best chain: getblockhash, then
// getblock with txids (2 RPCs). ENOTFOUND above the tip, EINVALID below 0.
func (c *Chain) Block(ctx context.Context, height int64) (*core.ChainBlock, error) {
	if height < 0 {
		return nil, core.Errorf(core.EINVALID, "Block height must not be negative.")
	}
	var s string
	if err := c.call(ctx, &s, "getblockhash", height); err != nil {
		if code, ok := rpcCode(err); ok && code == btcjson.ErrRPCOutOfRange {
			return nil, core.Errorf(core.ENOTFOUND, "No Bitcoin block at height %d yet.", height)
		}
		return nil, err
	}
	hash, err := checkHash("getblockhash", s)
	if err != nil {
		return nil, err
	}
	var b blockReply
	if err := c.call(ctx, &b, "getblock", hash, 1); err != nil {
		return nil, err
	}
	blk, err := checkHeader("getblock", &b.headerReply, hash, height)
	if err != nil {
		return nil, err
	}
	if len(b.Tx) == 0 { // every block has a coinbase
		return nil, malformed("getblock", "block %s lists no transactions", hash)
	}
	blk.TxIDs = make([]string, len(b.Tx))
	for i, id := range b.Tx {
		if blk.TxIDs[i], err = checkHash("getblock", id); err != nil {
			return nil, err
		}
	}
	c.heights.put(blk.Hash, blk.Height)
	return &blk, nil
}

// checkHeader validates a header reply for the block hash, at height
// unless height is -1.
func checkHeader(method string, h *headerReply, hash string, height int64) (core.ChainBlock, error) {
	got, err := checkHash(method, h.Hash)
	if err != nil {
		return core.ChainBlock{}, err
	}
	if got != hash {
		return core.ChainBlock{}, malformed(method, "asked for block %s, got %s", hash, got)
	}
	if h.Height == nil || *h.Height < 0 || *h.Height > maxHeight {
		return core.ChainBlock{}, malformed(method, "block %s has no sensible height", hash)
	}
	if height >= 0 && *h.Height != height {
		return core.ChainBlock{}, malformed(method, "asked for height %d, got %d", height, *h.Height)
	}
	b := core.ChainBlock{Height: *h.Height, Hash: hash}
	if b.Height > 0 { // only the genesis block has no parent
		if b.ParentHash, err = checkHash(method, h.PreviousHash); err != nil {
			return core.ChainBlock{}, err
		}
	}
	return b, nil
}

// checkHash returns a block or transaction hash from a reply in the
// canonical form, or an error if it is not 64 hex digits.
func checkHash(method, s string) (string, error) {
	h, err := core.NormalizeTxID(core.ChainBitcoin, s)
	if err != nil || strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return "", malformed(method, "%q is not a hash", s)
	}
	return h, nil
}

// rawTx fetches and decodes one transaction (getrawtransaction, verbose
// for the block hash). The amounts come from the serialized transaction,
// never from the reply's floating-point BTC values. ENOTFOUND when the node
// does not know it.
func (c *Chain) rawTx(ctx context.Context, id string) (*txReply, *wire.MsgTx, error) {
	var r txReply
	msg, err := readRawTx(id, &r, c.call(ctx, &r, "getrawtransaction", id, 1))
	if err != nil {
		return nil, nil, err
	}
	return &r, msg, nil
}

// rawTxRPC is rawTx's RPC, for a batch; readRawTx then reads its reply.
func rawTxRPC(id string, r *txReply) *rpc {
	return &rpc{method: "getrawtransaction", params: []any{id, 1}, out: r}
}

// readRawTx checks the reply r (or the RPC's error err) to the
// getrawtransaction of id.
func readRawTx(id string, r *txReply, err error) (*wire.MsgTx, error) {
	if err != nil {
		if code, ok := rpcCode(err); ok && code == btcjson.ErrRPCNoTxInfo {
			return nil, core.Errorf(core.ENOTFOUND, "The Bitcoin node does not know transaction %s.", id)
		}
		return nil, err
	}
	msg, err := decodeTx("getrawtransaction", r.Hex, id)
	if err != nil {
		return nil, err
	}
	if r.BlockHash != "" {
		if r.BlockHash, err = checkHash("getrawtransaction", r.BlockHash); err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// decodeTx parses a serialized transaction and checks it is id (when id is
// not "") and that its values are possible.
func decodeTx(method, s, id string) (*wire.MsgTx, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, malformed(method, "transaction hex unreadable")
	}
	var msg wire.MsgTx
	if err := msg.Deserialize(bytes.NewReader(b)); err != nil {
		return nil, malformed(method, "transaction does not parse: %v", err)
	}
	if id != "" && msg.TxHash().String() != id {
		return nil, malformed(method, "asked for %s, got %s", id, msg.TxHash())
	}
	if len(msg.TxIn) == 0 {
		return nil, malformed(method, "transaction %s has no inputs", msg.TxHash())
	}
	for _, out := range msg.TxOut {
		if out.Value < 0 || out.Value > btcutil.MaxSatoshi {
			return nil, malformed(method, "transaction %s pays %d sat", msg.TxHash(), out.Value)
		}
	}
	return &msg, nil
}

// address writes an output script as an address of the chain's network.
// Only scripts that pay exactly one standard address count (P2PKH, P2SH,
// P2WPKH, P2WSH, P2TR); bare public keys and multisig are no deposit
// address. With anyClass set, it also accepts those, returning the first
// address, which is all the address index needs to find a spender.
func (c *Chain) address(script []byte, anyClass bool) string {
	class, addrs, _, err := txscript.ExtractPkScriptAddrs(script, c.params)
	if err != nil || len(addrs) == 0 {
		return ""
	}
	switch class {
	case txscript.PubKeyHashTy, txscript.ScriptHashTy, txscript.WitnessV0PubKeyHashTy,
		txscript.WitnessV0ScriptHashTy, txscript.WitnessV1TaprootTy:
	default:
		if !anyClass {
			return ""
		}
	}
	return addrs[0].EncodeAddress()
}

func isCoinbase(msg *wire.MsgTx) bool {
	if len(msg.TxIn) != 1 {
		return false
	}
	op := msg.TxIn[0].PreviousOutPoint
	return op.Index == wire.MaxPrevOutIndex && op.Hash == chainhash.Hash{}
}

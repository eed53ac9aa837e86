package bitcoin

import (
	"context"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"depositdesk/core"
)

// searchPage is how many transactions one searchrawtransactions returns,
// and searchPages how many pages a spender search reads before giving up.
const (
	searchPage  = 100
	searchPages = 20
)

// Conflict tells whether any outpoint in spends ("txid:vout", from a
// vanished transaction's ChainTx.Spends) is now spent, and by which
// transaction.
//
// gettxout cannot answer this on btcd: it reports an output spent only by
// a block, never by a mempool transaction. So the adapter asks the address
// index instead: it reads the spent transaction (1 RPC per distinct one)
// for the output's script, then lists the transactions of that script's
// address, mempool first then newest block first, until one spends the
// outpoint or the list reaches the transaction that created it (usually
// one page; at most searchPages). A spender in a block is preferred to one
// in the mempool. Should the original reappear, it is its own "spender":
// callers compare by with its txid.
//
// An outpoint whose creating transaction the node no longer knows is
// skipped: nothing can spend it now. For a script with no address (bare
// multisig and the like), or a search that gives up, a gettxout that says
// "spent" in a block still answers true, with by "".
func (c *Chain) Conflict(ctx context.Context, spends []string) (bool, string, error) {
	ops, err := parseOutpoints(spends)
	if err != nil {
		return false, "", err
	}
	prevs := map[chainhash.Hash]*txReply{}
	prevMsgs := map[chainhash.Hash]*wire.MsgTx{}
	pooledBy := ""
	for _, op := range ops {
		prev, ok := prevMsgs[op.Hash]
		if !ok {
			r, msg, err := c.rawTx(ctx, op.Hash.String())
			if core.ErrorCode(err) == core.ENOTFOUND {
				prevMsgs[op.Hash] = nil
				continue
			} else if err != nil {
				return false, "", err
			}
			prevs[op.Hash], prevMsgs[op.Hash], prev = r, msg, msg
		}
		if prev == nil {
			continue
		}
		if op.Index >= uint32(len(prev.TxOut)) {
			return false, "", core.Errorf(core.EINVALID, "Transaction %s has no output %d.", op.Hash, op.Index)
		}
		mined, pooled, complete, err := c.spenders(ctx, op, prev.TxOut[op.Index].PkScript)
		if err != nil {
			return false, "", err
		}
		if mined != nil {
			return true, mined.txid, nil
		}
		if pooled != "" && pooledBy == "" {
			pooledBy = pooled
		}
		if !complete && prevs[op.Hash].BlockHash != "" {
			if spent, err := c.spentInChain(ctx, op); err != nil {
				return false, "", err
			} else if spent {
				return true, "", nil
			}
		}
	}
	return pooledBy != "", pooledBy, nil
}

// spender is a transaction found spending an outpoint in a block.
type spender struct{ txid, block string }

// spenders searches the address index for transactions spending op, whose
// output script is script. It returns the first spender found in a block
// (nil for none), the first in the mempool ("" for none), and whether the
// search was complete: false when the script has no address or the pages
// ran out.
func (c *Chain) spenders(ctx context.Context, op wire.OutPoint, script []byte) (mined *spender, pooled string, complete bool, err error) {
	addr := c.address(script, true)
	if addr == "" {
		return nil, "", false, nil
	}
	for page := 0; page < searchPages; page++ {
		var res []txReply
		err := c.call(ctx, &res, "searchrawtransactions", addr, 1, page*searchPage, searchPage, 0, true)
		if code, ok := rpcCode(err); ok && code == btcjson.ErrRPCNoTxInfo {
			return nil, pooled, true, nil // the address was never used
		} else if err != nil {
			return nil, "", false, err
		}
		for _, r := range res {
			msg, err := decodeTx("searchrawtransactions", r.Hex, "")
			if err != nil {
				return nil, "", false, err
			}
			id := msg.TxHash()
			if r.Txid != id.String() {
				return nil, "", false, malformed("searchrawtransactions", "txid %q for %s", r.Txid, id)
			}
			if r.BlockHash != "" {
				if _, err := checkHash("searchrawtransactions", r.BlockHash); err != nil {
					return nil, "", false, err
				}
			}
			if spends(msg, op) {
				if r.BlockHash != "" {
					return &spender{txid: id.String(), block: r.BlockHash}, pooled, true, nil
				}
				if pooled == "" {
					pooled = id.String()
				}
			}
			// Newest block first: past the creating transaction in a
			// block, nothing older can spend its output.
			if r.BlockHash != "" && id == op.Hash {
				return nil, pooled, true, nil
			}
		}
		if len(res) < searchPage {
			return nil, pooled, true, nil
		}
	}
	return nil, pooled, false, nil
}

func spends(msg *wire.MsgTx, op wire.OutPoint) bool {
	for _, in := range msg.TxIn {
		if in.PreviousOutPoint == op {
			return true
		}
	}
	return false
}

// spentInChain asks gettxout, without the mempool, whether op is spent by
// a block (1 RPC). A null reply also means the node has no such output in
// its chain (its transaction is unmined), so callers use it only for
// outputs of mined transactions.
func (c *Chain) spentInChain(ctx context.Context, op wire.OutPoint) (bool, error) {
	var out *struct {
		BestBlock string `json:"bestblock"`
	}
	if err := c.call(ctx, &out, "gettxout", op.Hash.String(), op.Index, false); err != nil {
		return false, err
	}
	if out != nil {
		if _, err := checkHash("gettxout", out.BestBlock); err != nil {
			return false, err
		}
	}
	return out == nil, nil
}

// reconcile checks a transaction btcd reports in its mempool against the
// chain. btcd leaves its mempool stale after a reorganisation of more than
// one block: it re-admits the transactions of the blocks it disconnects
// but, while it is still catching up with its peer, does not remove what
// the newly connected blocks confirm or double-spend. So a mempool copy
// may be a transaction mined again, or one a block has double-spent.
//
// An input still unspent in the chain settles it: the transaction is
// really waiting (1 RPC, gettxout, in the usual case). An input spent in a
// block is looked up in the address index: spent by this transaction, it
// is mined in that block; by another, this one can never be mined and is
// reported ENOTFOUND, so the caller turns to Conflict. An input whose
// own transaction is unmined tells nothing, and the next one is tried.
func (c *Chain) reconcile(ctx context.Context, tx *core.ChainTx, msg *wire.MsgTx, prevs map[string]*wire.MsgTx) error {
	if isCoinbase(msg) {
		return malformed("getrawtransaction", "coinbase %s reported in the mempool", tx.TxID)
	}
	for _, in := range msg.TxIn {
		op := in.PreviousOutPoint
		spent, err := c.spentInChain(ctx, op)
		if err != nil {
			return err
		}
		if !spent {
			return nil
		}
		mined, _, _, err := c.spenders(ctx, op, prevs[op.Hash.String()].TxOut[op.Index].PkScript)
		if err != nil {
			return err
		}
		switch {
		case mined == nil:
			continue
		case mined.txid == tx.TxID:
			return c.placeInBlock(ctx, tx, mined.block)
		default:
			return core.Errorf(core.ENOTFOUND, "Transaction %s was double-spent by %s in a block.", tx.TxID, mined.txid)
		}
	}
	return nil
}

// parseOutpoints reads "txid:vout" strings, dropping duplicates.
func parseOutpoints(spends []string) ([]wire.OutPoint, error) {
	var ops []wire.OutPoint
	seen := map[wire.OutPoint]bool{}
	for _, s := range spends {
		id, vout, ok := strings.Cut(s, ":")
		n, err := strconv.ParseUint(vout, 10, 32)
		if !ok || err != nil {
			return nil, core.Errorf(core.EINVALID, "Outpoint %q is not txid:vout.", s)
		}
		h, err := core.NormalizeTxID(core.ChainBitcoin, id)
		if err != nil || strings.HasPrefix(id, "0x") {
			return nil, core.Errorf(core.EINVALID, "Outpoint %q is not txid:vout.", s)
		}
		hash, err := chainhash.NewHashFromStr(h)
		if err != nil {
			return nil, core.Errorf(core.EINVALID, "Outpoint %q is not txid:vout.", s)
		}
		op := wire.OutPoint{Hash: *hash, Index: uint32(n)}
		if !seen[op] {
			seen[op] = true
			ops = append(ops, op)
		}
	}
	return ops, nil
}

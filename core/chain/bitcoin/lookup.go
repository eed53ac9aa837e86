package bitcoin

import (
	"context"
	"math/big"

	"github.com/btcsuite/btcd/wire"

	"depositdesk/core"
)

var _ core.TransactionBatcher = (*Chain)(nil)

// maxLookups bounds the transactions of one Transactions batch: their
// replies (a few kB each, with what they spend) stay far below maxReply
// and one Timeout.
const maxLookups = 200

// Transaction looks txid up, in the mempool first, then through the
// node's transaction index. See the package comment for its RPCs.
// ENOTFOUND when the node knows no such transaction, or only a mempool
// copy that a block has double-spent (see reconcile).
func (c *Chain) Transaction(ctx context.Context, txid string) (*core.ChainTx, error) {
	txs, errs := c.Transactions(ctx, []string{txid})
	return txs[0], errs[0]
}

// lookup is one transaction of a Transactions call.
type lookup struct {
	id    string
	reply txReply
	call  *rpc
	msg   *wire.MsgTx
	err   error
}

// Transactions implements core.TransactionBatcher: what Transaction says
// of each txid, with the same RPCs, sent in batches (see the package
// comment). A round trip that fails fails every transaction it asked
// about; an RPC that fails, only those it was for.
func (c *Chain) Transactions(ctx context.Context, txids []string) ([]*core.ChainTx, []error) {
	txs, errs := make([]*core.ChainTx, len(txids)), make([]error, len(txids))
	for start := 0; start < len(txids); start += maxLookups {
		end := min(start+maxLookups, len(txids))
		c.lookUp(ctx, txids[start:end], txs[start:end], errs[start:end])
	}
	return txs, errs
}

// lookUp is Transactions for at most maxLookups transactions.
func (c *Chain) lookUp(ctx context.Context, txids []string, txs []*core.ChainTx, errs []error) {
	ls := make([]*lookup, len(txids))
	var first []*rpc
	for i, txid := range txids {
		l := &lookup{}
		ls[i] = l
		if l.id, l.err = core.NormalizeTxID(core.ChainBitcoin, txid); l.err == nil {
			l.call = rawTxRPC(l.id, &l.reply)
			first = append(first, l.call)
		}
	}
	if err := c.batch(ctx, first); err != nil {
		failAll(ls, err, errs)
		return
	}
	for _, l := range ls {
		if l.call != nil {
			l.msg, l.err = readRawTx(l.id, &l.reply, l.call.err)
		}
	}

	prevs, headers, second := c.secondTrip(ls)
	if err := c.batch(ctx, second); err != nil {
		failAll(ls, err, errs)
		return
	}
	for i, l := range ls {
		if l.err == nil {
			txs[i], l.err = c.build(ctx, l, prevs, headers)
		}
		errs[i] = l.err
	}
}

func failAll(ls []*lookup, err error, errs []error) {
	for i, l := range ls {
		if l.err == nil {
			l.err = err
		}
		errs[i] = l.err
	}
}

// spent is a transaction some looked-up ones spend.
type spent struct {
	reply txReply
	call  *rpc
}

// header is the header of a block some looked-up transactions are in.
type header struct {
	reply headerReply
	call  *rpc
}

// secondTrip plans the RPCs that depend on the transactions read: each
// distinct transaction they spend, once, and the header of each block they
// are in whose height this Chain does not know.
func (c *Chain) secondTrip(ls []*lookup) (map[string]*spent, map[string]*header, []*rpc) {
	prevs, headers := map[string]*spent{}, map[string]*header{}
	var rpcs []*rpc
	for _, l := range ls {
		if l.err != nil || isCoinbase(l.msg) {
			continue
		}
		for _, in := range l.msg.TxIn {
			id := in.PreviousOutPoint.Hash.String()
			if prevs[id] == nil {
				p := &spent{}
				p.call = rawTxRPC(id, &p.reply)
				prevs[id], rpcs = p, append(rpcs, p.call)
			}
		}
	}
	for _, l := range ls {
		hash := l.reply.BlockHash // checked by readRawTx
		if l.err != nil || hash == "" || headers[hash] != nil {
			continue
		}
		if height, ok := c.heights.get(hash); ok && height > 0 {
			continue
		}
		h := &header{}
		h.call = &rpc{method: "getblockheader", params: []any{hash, true}, out: &h.reply}
		headers[hash], rpcs = h, append(rpcs, h.call)
	}
	return prevs, headers, rpcs
}

// build reads one transaction from its replies: its payments, what it
// spends and from which addresses, and its place on the chain.
func (c *Chain) build(ctx context.Context, l *lookup, prevs map[string]*spent, headers map[string]*header) (*core.ChainTx, error) {
	tx := &core.ChainTx{TxID: l.id}
	for i, out := range l.msg.TxOut {
		if addr := c.address(out.PkScript, false); addr != "" {
			tx.Transfers = append(tx.Transfers, core.ChainTransfer{Index: i, To: addr, Amount: big.NewInt(out.Value)})
		}
	}
	var spentTxs map[string]*wire.MsgTx
	if !isCoinbase(l.msg) {
		var err error
		if spentTxs, err = readSpent(l.msg, prevs); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, in := range l.msg.TxIn {
			op := in.PreviousOutPoint
			tx.Spends = append(tx.Spends, op.String())
			prev := spentTxs[op.Hash.String()]
			if op.Index >= uint32(len(prev.TxOut)) {
				return nil, malformed("getrawtransaction", "%s spends missing output %s", l.id, op)
			}
			if addr := c.address(prev.TxOut[op.Index].PkScript, false); addr != "" && !seen[addr] {
				seen[addr] = true
				tx.Sources = append(tx.Sources, addr)
			}
		}
	}
	if l.reply.BlockHash == "" {
		if err := c.reconcile(ctx, tx, l.msg, spentTxs); err != nil {
			return nil, err
		}
		return tx, nil
	}
	if h := headers[l.reply.BlockHash]; h != nil {
		if err := c.placeByHeader(tx, l.reply.BlockHash, &h.reply, h.call.err); err != nil {
			return nil, err
		}
		return tx, nil
	}
	if err := c.placeInBlock(ctx, tx, l.reply.BlockHash); err != nil {
		return nil, err
	}
	return tx, nil
}

// readSpent decodes the transactions msg spends from the second trip's
// replies. A spent transaction the node does not know is an error, not
// ENOTFOUND: the node knows msg, so its index is behind or broken.
func readSpent(msg *wire.MsgTx, prevs map[string]*spent) (map[string]*wire.MsgTx, error) {
	out := map[string]*wire.MsgTx{}
	for _, in := range msg.TxIn {
		id := in.PreviousOutPoint.Hash.String()
		if out[id] != nil {
			continue
		}
		p := prevs[id]
		prev, err := readRawTx(id, &p.reply, p.call.err)
		if core.ErrorCode(err) == core.ENOTFOUND {
			return nil, malformed("getrawtransaction", "node knows %s but not the %s it spends", msg.TxHash(), id)
		} else if err != nil {
			return nil, err
		}
		out[id] = prev
	}
	return out, nil
}

// prevTxs fetches each distinct transaction msg spends, once, in one
// round trip (1 RPC each).
func (c *Chain) prevTxs(ctx context.Context, msg *wire.MsgTx) (map[string]*wire.MsgTx, error) {
	prevs := map[string]*spent{}
	var rpcs []*rpc
	for _, in := range msg.TxIn {
		id := in.PreviousOutPoint.Hash.String()
		if prevs[id] == nil {
			p := &spent{}
			p.call = rawTxRPC(id, &p.reply)
			prevs[id], rpcs = p, append(rpcs, p.call)
		}
	}
	if err := c.batch(ctx, rpcs); err != nil {
		return nil, err
	}
	return readSpent(msg, prevs)
}

// placeInBlock sets the block of tx from its hash, reading the header for
// the height (1 RPC) unless this Chain read that block lately.
func (c *Chain) placeInBlock(ctx context.Context, tx *core.ChainTx, blockHash string) error {
	hash, err := checkHash("getrawtransaction", blockHash)
	if err != nil {
		return err
	}
	if height, ok := c.heights.get(hash); ok && height > 0 {
		tx.BlockHash, tx.BlockHeight = hash, height
		return nil
	}
	var h headerReply
	return c.placeByHeader(tx, hash, &h, c.call(ctx, &h, "getblockheader", hash, true))
}

// placeByHeader sets the block of tx from the header h of the block hash
// (or the error err of reading it) and remembers its height.
func (c *Chain) placeByHeader(tx *core.ChainTx, hash string, h *headerReply, err error) error {
	if err != nil {
		return err
	}
	b, err := checkHeader("getblockheader", h, hash, -1)
	if err != nil {
		return err
	}
	if b.Height == 0 { // the genesis coinbase is in no index
		return malformed("getblockheader", "transaction %s placed in the genesis block", tx.TxID)
	}
	c.heights.put(hash, b.Height)
	tx.BlockHash, tx.BlockHeight = hash, b.Height
	return nil
}

package btcdtest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Fee is what every harness transaction pays, far above btcd's minimum
// relay fee (1,000 sat/kvB) for the few hundred bytes they weigh.
const Fee = 10_000

// rbfSequence signals BIP 125 replaceability, so SendConflicting can
// replace a transaction still in the mempool of the same node.
const rbfSequence = wire.MaxTxInSequenceNum - 2

// wallet is the harness key and what it has spent. Nodes made by Fork share
// their parent's wallet, so no two harness transactions spend the same
// coinbase by accident, and either node can double-spend the other's.
type wallet struct {
	key    *btcec.PrivateKey
	addr   btcutil.Address // P2WPKH of key: the mining address
	script []byte          // addr's output script

	mu   sync.Mutex
	next int64             // lowest coinbase height not yet spent
	sent map[string][]coin // txid of each signed transaction -> the coins it spends
}

// coin is an output the harness key can spend.
type coin struct {
	op    wire.OutPoint
	value int64
}

func newWallet() (*wallet, error) {
	key, err := btcec.NewPrivateKey()
	if err != nil {
		return nil, err
	}
	addr, err := p2wpkh(key.PubKey(), &chaincfg.RegressionNetParams)
	if err != nil {
		return nil, err
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, err
	}
	return &wallet{key: key, addr: addr, script: script, next: 1, sent: map[string][]coin{}}, nil
}

func p2wpkh(pub *btcec.PublicKey, params *chaincfg.Params) (btcutil.Address, error) {
	return btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), params)
}

// NewAddress returns a fresh P2WPKH regtest address whose key is thrown
// away: somewhere to send a test deposit that nothing will spend.
func NewAddress(tb testing.TB) btcutil.Address {
	tb.Helper()
	key, err := btcec.NewPrivateKey()
	if err != nil {
		tb.Fatalf("btcdtest: %v", err)
	}
	addr, err := p2wpkh(key.PubKey(), &chaincfg.RegressionNetParams)
	if err != nil {
		tb.Fatalf("btcdtest: %v", err)
	}
	return addr
}

// Address is the harness key's P2WPKH address: every coinbase pays it and
// change returns to it.
func (n *Node) Address() btcutil.Address { return n.wallet.addr }

// Output is one payment of a harness transaction.
type Output struct {
	To   btcutil.Address
	Sats int64
}

// Send pays sats to to from the harness's mature coinbases, with change back
// to Address, through this node's mempool; it returns the txid. The chain
// must be at MatureHeight or above (see Mature).
func (n *Node) Send(tb testing.TB, to btcutil.Address, sats int64) string {
	tb.Helper()
	return n.SendMany(tb, Output{To: to, Sats: sats})
}

// SendMany is Send with several outputs, in the given order (output i of
// the transaction is outs[i]; the change comes last).
func (n *Node) SendMany(tb testing.TB, outs ...Output) string {
	tb.Helper()
	return n.broadcast(tb, n.Sign(tb, outs...))
}

// Sign is SendMany without the broadcast: a signed transaction for the
// test to send itself. Its coins are taken all the same.
func (n *Node) Sign(tb testing.TB, outs ...Output) *wire.MsgTx {
	tb.Helper()
	var total int64
	for _, o := range outs {
		total += o.Sats
	}
	coins, err := n.takeCoins(total + Fee)
	if err != nil {
		tb.Fatalf("btcdtest: %v", err)
	}
	return n.signed(tb, coins, outs, Fee)
}

// SendConflicting double-spends txid, an earlier harness transaction: it
// spends the same coins to pay sats to to, with a higher fee, so it
// replaces txid in this node's mempool or, sent to a node that never saw
// txid (see Fork), conflicts with it once the chains meet.
func (n *Node) SendConflicting(tb testing.TB, txid string, to btcutil.Address, sats int64) string {
	tb.Helper()
	return n.broadcast(tb, n.SignConflicting(tb, txid, to, sats))
}

// SignConflicting is SendConflicting without the broadcast.
func (n *Node) SignConflicting(tb testing.TB, txid string, to btcutil.Address, sats int64) *wire.MsgTx {
	tb.Helper()
	n.wallet.mu.Lock()
	coins, ok := n.wallet.sent[txid]
	n.wallet.mu.Unlock()
	if !ok {
		tb.Fatalf("btcdtest: %s is not a harness transaction", txid)
	}
	return n.signed(tb, coins, []Output{{To: to, Sats: sats}}, 3*Fee)
}

// Spendable is how many coinbases the harness key can still spend in the
// next block; a Send of a small amount takes one.
func (n *Node) Spendable(tb testing.TB) int {
	tb.Helper()
	tip := n.Height(tb)
	n.wallet.mu.Lock()
	defer n.wallet.mu.Unlock()
	return int(max(0, lastSpendable(tip)-n.wallet.next+1))
}

// lastSpendable is the height of the newest coinbase the harness can spend
// in the block after tip, below 0 when none: segwit must be active there
// (regtest: from height 432) and the coinbase 100 blocks older.
func lastSpendable(tip int64) int64 {
	if tip+1 < 432 {
		return -1
	}
	return tip + 1 - 100
}

// takeCoins reserves coinbases, lowest height first, worth at least want.
// It reads each coinbase from the chain (two RPCs) rather than tracking the
// blocks mined, so coins mined by another node of the pair count too.
func (n *Node) takeCoins(want int64) ([]coin, error) {
	w := n.wallet
	w.mu.Lock()
	defer w.mu.Unlock()
	tip, err := n.client.GetBlockCount()
	if err != nil {
		return nil, err
	}
	var coins []coin
	var got int64
	for got < want {
		h := w.next
		if h > lastSpendable(tip) {
			return nil, fmt.Errorf("no mature coinbase left at tip %d (mine more, or call Mature first)", tip)
		}
		c, err := n.coinbase(h)
		if err != nil {
			return nil, err
		}
		w.next++
		coins = append(coins, c)
		got += c.value
	}
	return coins, nil
}

// coinbase is the harness's output of the coinbase at height h.
func (n *Node) coinbase(h int64) (coin, error) {
	hash, err := n.client.GetBlockHash(h)
	if err != nil {
		return coin{}, err
	}
	blk, err := n.client.GetBlock(hash)
	if err != nil {
		return coin{}, err
	}
	cb := blk.Transactions[0]
	for i, out := range cb.TxOut {
		if string(out.PkScript) == string(n.wallet.script) {
			return coin{op: wire.OutPoint{Hash: cb.TxHash(), Index: uint32(i)}, value: out.Value}, nil
		}
	}
	return coin{}, fmt.Errorf("coinbase at height %d does not pay the harness key", h)
}

// signed builds and signs a transaction spending coins, and notes its
// coins for SignConflicting whether or not it is ever sent.
func (n *Node) signed(tb testing.TB, coins []coin, outs []Output, fee int64) *wire.MsgTx {
	tb.Helper()
	tx, err := n.wallet.sign(coins, outs, fee)
	if err != nil {
		tb.Fatalf("btcdtest: %v", err)
	}
	n.wallet.mu.Lock()
	n.wallet.sent[tx.TxHash().String()] = coins
	n.wallet.mu.Unlock()
	return tx
}

// broadcast sends tx through this node's mempool and returns its txid.
func (n *Node) broadcast(tb testing.TB, tx *wire.MsgTx) string {
	tb.Helper()
	hash, err := n.client.SendRawTransaction(tx, false)
	if err != nil {
		tb.Fatalf("btcdtest: sendrawtransaction: %v", err)
	}
	return hash.String()
}

// sign builds a version 2 transaction spending coins (all P2WPKH of the
// harness key) to outs plus change, and signs each input (BIP 143).
func (w *wallet) sign(coins []coin, outs []Output, fee int64) (*wire.MsgTx, error) {
	tx := wire.NewMsgTx(2)
	prev := make(map[wire.OutPoint]*wire.TxOut, len(coins))
	var in int64
	for _, c := range coins {
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: c.op, Sequence: rbfSequence})
		prev[c.op] = wire.NewTxOut(c.value, w.script)
		in += c.value
	}
	var out int64
	for _, o := range outs {
		script, err := txscript.PayToAddrScript(o.To)
		if err != nil {
			return nil, err
		}
		tx.AddTxOut(wire.NewTxOut(o.Sats, script))
		out += o.Sats
	}
	change := in - out - fee
	if change < 0 {
		return nil, fmt.Errorf("coins worth %d sat cannot pay %d sat and a %d sat fee", in, out, fee)
	}
	if change >= 1000 { // smaller change would be dust; it goes to the fee
		tx.AddTxOut(wire.NewTxOut(change, w.script))
	}
	fetcher := txscript.NewMultiPrevOutFetcher(prev)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	for i, c := range coins {
		wit, err := txscript.WitnessSignature(tx, hashes, i, c.value, w.script, txscript.SigHashAll, w.key, true)
		if err != nil {
			return nil, err
		}
		tx.TxIn[i].Witness = wit
	}
	return tx, nil
}

package core

import (
	"context"
	"math/big"
)

// Chain is what the desk needs from one network's node. The adapters live in
// core/chain/bitcoin and core/chain/ethereum; the watcher and the cancel rule
// use nothing else, so a test can drive them with a real node or a Func mock.
//
// Every method returns ENOTFOUND when the node does not know the thing asked
// for, and any other error when the node could not answer (down, timeout,
// malformed reply): the caller must then change nothing and retry later.
type Chain interface {
	// Head is the tip of the node's best chain.
	Head(ctx context.Context) (ChainBlock, error)
	// Block is the canonical block at height, with the hashes of its
	// transactions. ENOTFOUND above the tip.
	Block(ctx context.Context, height int64) (*ChainBlock, error)
	// Transaction looks a transaction up by hash, mined or in the mempool.
	Transaction(ctx context.Context, txid string) (*ChainTx, error)
	// Conflict tells whether any of spends (a vanished transaction's
	// ChainTx.Spends) has since been used by another transaction: a
	// double-spend or replacement. by is that transaction's hash when the
	// node can name it, "" otherwise.
	Conflict(ctx context.Context, spends []string) (conflicted bool, by string, err error)
}

// TransactionBatcher is a Chain that can look several transactions up in
// fewer round trips to its node than a Transaction call each. The answers
// are what Transaction would say of each TXID, in order: a transaction or
// an error (ENOTFOUND among them) per TXID.
type TransactionBatcher interface {
	Transactions(ctx context.Context, txids []string) ([]*ChainTx, []error)
}

// ChainBlock identifies one block.
type ChainBlock struct {
	Height     int64
	Hash       string
	ParentHash string
	TxIDs      []string // filled by Block, empty from Head
}

// ChainTx is one transaction as the node reports it, reduced to what a
// deposit needs. Hashes are in the canonical form of NormalizeTxID.
type ChainTx struct {
	TxID        string
	BlockHash   string // "" while in the mempool
	BlockHeight int64  // 0 while in the mempool
	// Failed is set for an Ethereum transaction whose receipt says it
	// reverted: it moved nothing, whatever its logs or value claim.
	Failed bool
	// Sources are the addresses that paid for it: the addresses of the
	// outputs a Bitcoin transaction spends, the sender of an Ethereum one.
	Sources []string
	// Transfers are the payments it makes: Bitcoin outputs, an Ethereum
	// value transfer, ERC-20 Transfer logs.
	Transfers []ChainTransfer
	// Spends identify what the transaction consumed, so a replacement can be
	// recognised after it vanished: "txid:vout" outpoints on Bitcoin,
	// "sender:nonce" on Ethereum.
	Spends []string
}

// InMempool reports whether the transaction is known but not yet mined.
func (t *ChainTx) InMempool() bool { return t.BlockHash == "" }

// ChainTransfer is one payment inside a transaction.
type ChainTransfer struct {
	// Index is the output index on Bitcoin, the log index of an ERC-20
	// Transfer, and 0 for an Ethereum value transfer. It is the TxIndex of
	// the deposit record the payment belongs to.
	Index int
	// Contract is the ERC-20 token contract (EIP-55) or "" for the native coin.
	Contract string
	From     string // ERC-20 and Ethereum value transfers; "" on Bitcoin
	To       string
	Amount   *big.Int // base units
}

// Confirmations is how many blocks confirm a transaction mined at height when
// the tip is at head: 1 in its own block, 0 while unmined.
func Confirmations(height, head int64) int {
	if height <= 0 || head < height {
		return 0
	}
	return int(head - height + 1)
}

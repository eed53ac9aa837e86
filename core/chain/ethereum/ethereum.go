// Package ethereum is the core.Chain adapter for Ethereum nodes, over
// go-ethereum's ethclient. It reports native value transfers and ERC-20
// Transfer logs; deciding which of them are deposits (right contract, right
// address) is the watcher's job, so every Transfer log is reported with the
// contract that emitted it.
//
// Round trips per method (Calls counts them): Head 1, Block 1, Transaction
// 1 while pending and 2 once mined (plus 1, once per Chain, for eth_chainId
// when Config.ChainID is nil), Conflict 1 per distinct sender. For refunds
// (payer.go): Balance, TokenBalance, Nonce and EstimateGas 1, Fees 2, Send
// 1 (2 when the node answers "nonce too low").
//
// Not seen: ether moved by contracts (internal transfers leave no log), and
// the value of a contract creation. A Transfer's Index is the log's position
// among its transaction's logs (0 for the first), not the block-wide log
// index: that one changes when a reorganisation mines the transaction at
// another place in a block, and a deposit's key must not. A value transfer
// is Index 0 too: key payments by contract as well as index. Zero-amount
// Transfers are reported as they are (address-poisoning spam uses them).
package ethereum

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"depositdesk/core"
)

// Client is the part of go-ethereum's ethclient the adapter uses. Both
// *ethclient.Client and the simulated backend's Client() satisfy it.
type Client interface {
	ChainID(ctx context.Context) (*big.Int, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	BlockByNumber(ctx context.Context, number *big.Int) (*types.Block, error)
	TransactionByHash(ctx context.Context, hash common.Hash) (tx *types.Transaction, isPending bool, err error)
	TransactionReceipt(ctx context.Context, hash common.Hash) (*types.Receipt, error)
	NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error)
	BalanceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (*big.Int, error)
	CallContract(ctx context.Context, msg ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
}

// Config describes the network the node is expected to serve.
type Config struct {
	// ChainID verifies transaction signatures (EIP-155). nil asks the node
	// once, on the first Transaction; set it from the asset configuration
	// so a node of the wrong network cannot vouch for its own signatures.
	ChainID *big.Int
}

// ErrIndexing is wrapped in the error Transaction returns when the node
// neither has the transaction in its pool nor has finished indexing the
// chain, so it cannot yet say whether the transaction was mined. It is
// deliberately not ENOTFOUND: a mined transaction the node has not indexed
// would otherwise look vanished, and Conflict would then see its own nonce
// as used and call it replaced. Callers treat it like any other node
// failure: change nothing, ask again later.
var ErrIndexing = errors.New("the node is still indexing transactions")

// transferTopic is the first topic of every ERC-20 (and ERC-721) Transfer log.
var transferTopic = crypto.Keccak256Hash([]byte("Transfer(address,address,uint256)"))

// Chain implements core.Chain for one Ethereum network.
type Chain struct {
	client counted

	mu     sync.Mutex
	signer types.Signer // from Config.ChainID, or from the node once
}

var _ core.Chain = (*Chain)(nil)

// New returns a Chain reading through client. It does no I/O.
func New(client Client, cfg Config) *Chain {
	c := &Chain{client: counted{Client: client}}
	if cfg.ChainID != nil {
		c.signer = types.LatestSignerForChainID(new(big.Int).Set(cfg.ChainID))
	}
	return c
}

// Calls is the number of RPC round trips made so far. A benchmark divides
// it by the blocks processed to check the watcher's cost model.
func (c *Chain) Calls() uint64 { return c.client.calls.Load() }

// Head implements core.Chain.
func (c *Chain) Head(ctx context.Context) (core.ChainBlock, error) {
	h, err := c.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return core.ChainBlock{}, fmt.Errorf("ethereum: head: %w", err)
	}
	if h == nil {
		return core.ChainBlock{}, errors.New("ethereum: head: node returned no header")
	}
	height, err := blockHeight(h.Number)
	if err != nil {
		return core.ChainBlock{}, fmt.Errorf("ethereum: head: %w", err)
	}
	return core.ChainBlock{Height: height, Hash: h.Hash().Hex(), ParentHash: h.ParentHash.Hex()}, nil
}

// Block implements core.Chain. The node sends whole transactions (ethclient
// has no hashes-only call); one round trip either way.
func (c *Chain) Block(ctx context.Context, height int64) (*core.ChainBlock, error) {
	if height < 0 {
		// Negative numbers are block tags (pending, latest, ...) on the wire.
		return nil, core.Errorf(core.EINVALID, "Block height %d is negative.", height)
	}
	b, err := c.client.BlockByNumber(ctx, big.NewInt(height))
	if errors.Is(err, ethereum.NotFound) {
		return nil, core.Errorf(core.ENOTFOUND, "No Ethereum block at height %d.", height)
	} else if err != nil {
		return nil, fmt.Errorf("ethereum: block %d: %w", height, err)
	}
	if b == nil {
		return nil, fmt.Errorf("ethereum: block %d: node returned no block", height)
	}
	h := b.Header() // a copy, safe with a nil Number where b.Number() is not
	if got, err := blockHeight(h.Number); err != nil {
		return nil, fmt.Errorf("ethereum: block %d: %w", height, err)
	} else if got != height {
		return nil, fmt.Errorf("ethereum: asked for block %d, node returned %d", height, got)
	}
	txs := b.Transactions()
	ids := make([]string, 0, len(txs))
	for _, tx := range txs {
		if tx == nil {
			return nil, fmt.Errorf("ethereum: block %d: node returned a null transaction", height)
		}
		ids = append(ids, tx.Hash().Hex())
	}
	return &core.ChainBlock{Height: height, Hash: b.Hash().Hex(), ParentHash: h.ParentHash.Hex(), TxIDs: ids}, nil
}

// Transaction implements core.Chain. A transaction the node holds but whose
// receipt it cannot produce (reorganised out between the two calls, or
// "transaction indexing is in progress") is reported as in the mempool: it
// is at best unconfirmed, and the next poll settles it. A transaction the
// node cannot find while still indexing returns an error wrapping
// ErrIndexing, not ENOTFOUND (see ErrIndexing).
func (c *Chain) Transaction(ctx context.Context, txid string) (*core.ChainTx, error) {
	id, err := core.NormalizeTxID(core.ChainEthereum, txid)
	if err != nil {
		return nil, err
	}
	hash := common.HexToHash(id)
	tx, pending, err := c.client.TransactionByHash(ctx, hash)
	switch {
	case errors.Is(err, ethereum.NotFound):
		return nil, core.Errorf(core.ENOTFOUND, "Transaction %s is not known to the Ethereum node.", id)
	case isIndexing(err):
		return nil, fmt.Errorf("ethereum: transaction %s: %w", id, ErrIndexing)
	case err != nil:
		return nil, fmt.Errorf("ethereum: transaction %s: %w", id, err)
	case tx == nil:
		return nil, fmt.Errorf("ethereum: transaction %s: node returned no transaction", id)
	case tx.Hash() != hash:
		return nil, fmt.Errorf("ethereum: asked for transaction %s, node returned %s", id, tx.Hash().Hex())
	}
	signer, err := c.signerFor(ctx)
	if err != nil {
		return nil, err
	}
	from, err := types.Sender(signer, tx)
	if err != nil {
		return nil, fmt.Errorf("ethereum: transaction %s: sender: %w", id, err)
	}
	out := &core.ChainTx{
		TxID:    id,
		Sources: []string{from.Hex()},
		Spends:  []string{Spend(from, tx.Nonce())},
	}
	value := tx.Value()
	if value.Sign() < 0 {
		return nil, fmt.Errorf("ethereum: transaction %s: negative value", id)
	}
	// A contract creation's value goes to an address no deposit can have.
	if value.Sign() > 0 && tx.To() != nil {
		out.Transfers = append(out.Transfers, core.ChainTransfer{
			Index: 0, From: from.Hex(), To: tx.To().Hex(), Amount: value,
		})
	}
	if pending {
		return out, nil
	}

	r, err := c.client.TransactionReceipt(ctx, hash)
	if errors.Is(err, ethereum.NotFound) || isIndexing(err) {
		return out, nil
	} else if err != nil {
		return nil, fmt.Errorf("ethereum: receipt of %s: %w", id, err)
	}
	if err := checkReceipt(r, hash); err != nil {
		return nil, fmt.Errorf("ethereum: receipt of %s: %w", id, err)
	}
	out.BlockHash = r.BlockHash.Hex()
	out.BlockHeight = r.BlockNumber.Int64()
	if r.Status != types.ReceiptStatusSuccessful {
		// The EVM undid everything: the value stayed with the sender and the
		// receipt carries no logs, whatever the transaction claims.
		out.Failed = true
		out.Transfers = nil
		return out, nil
	}
	for i, l := range r.Logs {
		if t, ok := transferLog(l, i); ok {
			out.Transfers = append(out.Transfers, t)
		}
	}
	return out, nil
}

// Conflict implements core.Chain. An Ethereum transaction consumes its
// sender's nonce; once the sender's confirmed nonce has passed it, another
// transaction with that nonce was mined and the vanished one can never be.
// Naming that transaction would mean scanning blocks, so by is always "".
func (c *Chain) Conflict(ctx context.Context, spends []string) (bool, string, error) {
	nonces := make(map[common.Address]uint64) // one round trip per sender
	for _, s := range spends {
		from, nonce, err := ParseSpend(s)
		if err != nil {
			return false, "", err
		}
		confirmed, ok := nonces[from]
		if !ok {
			confirmed, err = c.client.NonceAt(ctx, from, nil)
			if err != nil {
				return false, "", fmt.Errorf("ethereum: nonce of %s: %w", from.Hex(), err)
			}
			nonces[from] = confirmed
		}
		// NonceAt is the count of mined transactions: nonces below it are used.
		if confirmed > nonce {
			return true, "", nil
		}
	}
	return false, "", nil
}

// Spend is the ChainTx.Spends entry of the transaction from sends with
// nonce: "<EIP-55 address>:<decimal nonce>".
func Spend(from common.Address, nonce uint64) string {
	return from.Hex() + ":" + strconv.FormatUint(nonce, 10)
}

// ParseSpend reverses Spend. It returns EINVALID for anything else.
func ParseSpend(s string) (common.Address, uint64, error) {
	addr, n, ok := strings.Cut(s, ":")
	if !ok || !common.IsHexAddress(addr) || !strings.HasPrefix(addr, "0x") {
		return common.Address{}, 0, core.Errorf(core.EINVALID, "%q is not an Ethereum sender:nonce.", truncate(s))
	}
	nonce, err := strconv.ParseUint(n, 10, 64)
	if err != nil {
		return common.Address{}, 0, core.Errorf(core.EINVALID, "%q is not an Ethereum sender:nonce.", truncate(s))
	}
	return common.HexToAddress(addr), nonce, nil
}

func (c *Chain) signerFor(ctx context.Context) (types.Signer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.signer != nil {
		return c.signer, nil
	}
	id, err := c.client.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("ethereum: chain id: %w", err)
	}
	if id == nil || id.Sign() <= 0 {
		return nil, fmt.Errorf("ethereum: node reported chain id %v", id)
	}
	c.signer = types.LatestSignerForChainID(id)
	return c.signer, nil
}

// checkReceipt rejects a receipt that cannot be the mined receipt of hash,
// before any of its fields is trusted.
func checkReceipt(r *types.Receipt, hash common.Hash) error {
	switch {
	case r == nil:
		return errors.New("node returned no receipt")
	case r.TxHash != hash:
		return fmt.Errorf("node returned the receipt of %s", r.TxHash.Hex())
	case r.BlockHash == (common.Hash{}):
		return errors.New("receipt has no block hash")
	}
	h, err := blockHeight(r.BlockNumber)
	if err != nil {
		return err
	}
	if h == 0 {
		return errors.New("receipt places the transaction in the genesis block")
	}
	for _, l := range r.Logs {
		if l == nil {
			return errors.New("receipt has a null log")
		}
	}
	return nil
}

// transferLog decodes an ERC-20 Transfer(address indexed from, address
// indexed to, uint256 value). Anything else with the same first topic (an
// ERC-721 Transfer has the token id as a third indexed topic and no data,
// a malformed emitter may pad addresses with garbage) is not an ERC-20
// payment and is skipped rather than guessed at.
func transferLog(l *types.Log, position int) (core.ChainTransfer, bool) {
	if len(l.Topics) != 3 || l.Topics[0] != transferTopic || len(l.Data) != 32 {
		return core.ChainTransfer{}, false
	}
	from, ok1 := topicAddress(l.Topics[1])
	to, ok2 := topicAddress(l.Topics[2])
	if !ok1 || !ok2 {
		return core.ChainTransfer{}, false
	}
	return core.ChainTransfer{
		Index:    position,
		Contract: l.Address.Hex(),
		From:     from.Hex(),
		To:       to.Hex(),
		Amount:   new(big.Int).SetBytes(l.Data),
	}, true
}

// topicAddress reads an ABI-encoded address: 12 zero bytes, then 20.
func topicAddress(t common.Hash) (common.Address, bool) {
	for _, b := range t[:12] {
		if b != 0 {
			return common.Address{}, false
		}
	}
	return common.BytesToAddress(t[12:]), true
}

func blockHeight(n *big.Int) (int64, error) {
	if n == nil {
		return 0, errors.New("block has no number")
	}
	if n.Sign() < 0 || !n.IsInt64() {
		return 0, fmt.Errorf("block number %s is out of range", n)
	}
	return n.Int64(), nil
}

// isIndexing recognises geth's TxIndexingError. It reaches us as a JSON-RPC
// error with code -32000, which many other errors share, so only its text
// tells it apart.
func isIndexing(err error) bool {
	return err != nil && strings.Contains(err.Error(), "transaction indexing is in progress")
}

func truncate(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// counted wraps the client so that every round trip is counted, including
// failed ones: they cost the node as much.
type counted struct {
	Client
	calls atomic.Uint64
}

func (c *counted) ChainID(ctx context.Context) (*big.Int, error) {
	c.calls.Add(1)
	return c.Client.ChainID(ctx)
}

func (c *counted) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	c.calls.Add(1)
	return c.Client.HeaderByNumber(ctx, n)
}

func (c *counted) BlockByNumber(ctx context.Context, n *big.Int) (*types.Block, error) {
	c.calls.Add(1)
	return c.Client.BlockByNumber(ctx, n)
}

func (c *counted) TransactionByHash(ctx context.Context, h common.Hash) (*types.Transaction, bool, error) {
	c.calls.Add(1)
	return c.Client.TransactionByHash(ctx, h)
}

func (c *counted) TransactionReceipt(ctx context.Context, h common.Hash) (*types.Receipt, error) {
	c.calls.Add(1)
	return c.Client.TransactionReceipt(ctx, h)
}

func (c *counted) NonceAt(ctx context.Context, a common.Address, n *big.Int) (uint64, error) {
	c.calls.Add(1)
	return c.Client.NonceAt(ctx, a, n)
}

func (c *counted) BalanceAt(ctx context.Context, a common.Address, n *big.Int) (*big.Int, error) {
	c.calls.Add(1)
	return c.Client.BalanceAt(ctx, a, n)
}

func (c *counted) CallContract(ctx context.Context, msg ethereum.CallMsg, n *big.Int) ([]byte, error) {
	c.calls.Add(1)
	return c.Client.CallContract(ctx, msg, n)
}

func (c *counted) SuggestGasTipCap(ctx context.Context) (*big.Int, error) {
	c.calls.Add(1)
	return c.Client.SuggestGasTipCap(ctx)
}

func (c *counted) EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error) {
	c.calls.Add(1)
	return c.Client.EstimateGas(ctx, msg)
}

func (c *counted) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	c.calls.Add(1)
	return c.Client.SendTransaction(ctx, tx)
}

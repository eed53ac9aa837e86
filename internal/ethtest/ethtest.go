// Package ethtest runs Ethereum code in tests against real chains: the
// simulated backend of go-ethereum in process (Simulated) or a throwaway
// `geth --dev` process (Geth). Both come with funded keys and helpers to
// send native transfers and to deploy and use the ERC-20 test token of
// core/chain/ethereum/testdata/token.
//
// Transactions are built and signed here rather than through bind's
// transactor so that a test chooses nonce, gas and fees: a replacement
// needs the nonce of the transaction it replaces, and a call that reverts
// cannot have its gas estimated.
package ethtest

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/params"
)

// Client is what the helpers talk to: the simulated backend's Client() and
// *ethclient.Client (geth) both satisfy it.
type Client = simulated.Client

// Ether is n ether in wei.
func Ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.Ether)) }

// Gwei is n gwei in wei.
func Gwei(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.GWei)) }

// Account is a test key and its address.
type Account struct {
	Key     *ecdsa.PrivateKey
	Address common.Address
}

// NewAccount returns a fresh random key (unfunded).
func NewAccount(tb testing.TB) *Account {
	tb.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		tb.Fatalf("ethtest: generate key: %v", err)
	}
	return &Account{Key: k, Address: crypto.PubkeyToAddress(k.PublicKey)}
}

// Tx is a transaction to sign and send; zero fields get defaults.
type Tx struct {
	To     *common.Address // nil creates a contract
	Value  *big.Int        // nil: no value
	Data   []byte
	Nonce  *uint64  // nil: the sender's next nonce, counting pending transactions
	Gas    uint64   // 0: estimated by the node
	TipCap *big.Int // nil: 1 gwei
	FeeCap *big.Int // nil: twice the latest base fee plus TipCap
}

// Chain is what Sim and Node share: a client, the chain id, and a way to
// get a sent transaction mined.
type Chain struct {
	tb      testing.TB
	Client  Client
	ChainID *big.Int
	// mine gets tx into a block and returns its receipt.
	mine func(tx *types.Transaction) *types.Receipt
}

// Send signs tx with from's key and sends it; it does not wait for a block.
func (c *Chain) Send(from *Account, tx Tx) *types.Transaction {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	signed, err := c.sign(ctx, from, tx)
	if err != nil {
		c.tb.Fatalf("ethtest: %v", err)
	}
	if err := c.send(ctx, signed); err != nil {
		c.tb.Fatalf("ethtest: send %s from %s: %v", signed.Hash().Hex(), from.Address.Hex(), err)
	}
	return signed
}

// send sends tx, retrying briefly while the node says the sender has no
// funds: geth's transaction pool takes up a new head asynchronously, so a
// transaction sent right after the block that funded its sender can still
// be checked against the balance before it (seen once in make test:
// "insufficient funds … balance 0" a moment after the funding receipt).
func (c *Chain) send(ctx context.Context, tx *types.Transaction) error {
	for {
		err := c.Client.SendTransaction(ctx, tx)
		if err == nil || !strings.Contains(err.Error(), "insufficient funds") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Sign signs tx with from's key without sending it: a transaction to put
// into a block later, e.g. a replacement for a Sim.Reorg branch.
func (c *Chain) Sign(from *Account, tx Tx) *types.Transaction {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	signed, err := c.sign(ctx, from, tx)
	if err != nil {
		c.tb.Fatalf("ethtest: %v", err)
	}
	return signed
}

// Transfer sends wei from from to to as a plain value transfer.
func (c *Chain) Transfer(from *Account, to common.Address, wei *big.Int) *types.Transaction {
	c.tb.Helper()
	return c.Send(from, Tx{To: &to, Value: wei, Gas: params.TxGas})
}

// Mine gets tx into a block and returns its receipt (the simulated backend
// commits a block, geth is waited for).
func (c *Chain) Mine(tx *types.Transaction) *types.Receipt {
	c.tb.Helper()
	return c.mine(tx)
}

// MustSucceed mines tx and fails the test unless its receipt says success.
func (c *Chain) MustSucceed(tx *types.Transaction) *types.Receipt {
	c.tb.Helper()
	r := c.mine(tx)
	if r.Status != types.ReceiptStatusSuccessful {
		c.tb.Fatalf("ethtest: transaction %s reverted", tx.Hash().Hex())
	}
	return r
}

// SendRaw sends an already signed transaction again, e.g. to put a
// transaction of an abandoned branch into the new one.
func (c *Chain) SendRaw(tx *types.Transaction) {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Client.SendTransaction(ctx, tx); err != nil {
		c.tb.Fatalf("ethtest: send %s: %v", tx.Hash().Hex(), err)
	}
}

// Height is the number of the latest block.
func (c *Chain) Height() uint64 {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := c.Client.BlockNumber(ctx)
	if err != nil {
		c.tb.Fatalf("ethtest: block number: %v", err)
	}
	return n
}

// HeaderAt is the canonical header at height n.
func (c *Chain) HeaderAt(n uint64) *types.Header {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := c.Client.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
	if err != nil {
		c.tb.Fatalf("ethtest: header %d: %v", n, err)
	}
	return h
}

func (c *Chain) sign(ctx context.Context, from *Account, tx Tx) (*types.Transaction, error) {
	value := tx.Value
	if value == nil {
		value = new(big.Int)
	}
	var nonce uint64
	if tx.Nonce != nil {
		nonce = *tx.Nonce
	} else {
		n, err := c.Client.PendingNonceAt(ctx, from.Address)
		if err != nil {
			return nil, fmt.Errorf("nonce of %s: %w", from.Address.Hex(), err)
		}
		nonce = n
	}
	gas := tx.Gas
	if gas == 0 {
		g, err := c.Client.EstimateGas(ctx, ethereum.CallMsg{From: from.Address, To: tx.To, Value: value, Data: tx.Data})
		if err != nil {
			return nil, fmt.Errorf("estimate gas: %w", err)
		}
		gas = g + g/4 // estimates are exact for the state they ran on; leave room
	}
	tip := tx.TipCap
	if tip == nil {
		tip = Gwei(1)
	}
	feeCap := tx.FeeCap
	if feeCap == nil {
		head, err := c.Client.HeaderByNumber(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("latest header: %w", err)
		}
		base := head.BaseFee
		if base == nil {
			base = new(big.Int)
		}
		feeCap = new(big.Int).Add(new(big.Int).Mul(base, big.NewInt(2)), tip)
	}
	unsigned := types.NewTx(&types.DynamicFeeTx{
		ChainID:   c.ChainID,
		Nonce:     nonce,
		GasTipCap: tip,
		GasFeeCap: feeCap,
		Gas:       gas,
		To:        tx.To,
		Value:     value,
		Data:      tx.Data,
	})
	return types.SignTx(unsigned, types.LatestSignerForChainID(c.ChainID), from.Key)
}

// waitReceipt polls for the receipt of hash until it appears or timeout
// passes. Right after a block, a node may still answer "not found" or
// "transaction indexing is in progress".
func waitReceipt(ctx context.Context, client Client, hash common.Hash, timeout time.Duration) (*types.Receipt, error) {
	deadline := time.Now().Add(timeout)
	for {
		r, err := client.TransactionReceipt(ctx, hash)
		if err == nil {
			return r, nil
		}
		retry := errors.Is(err, ethereum.NotFound) || strings.Contains(err.Error(), "indexing is in progress")
		if !retry {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no receipt for %s after %s: %w", hash.Hex(), timeout, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

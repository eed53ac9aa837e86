package ethereum

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"depositdesk/core"
)

var (
	_ core.EthereumPayer = (*Chain)(nil)
	_ core.Broadcaster   = (*Chain)(nil)
)

// balanceOf is the selector of ERC-20 balanceOf(address), 0x70a08231.
var balanceOf = crypto.Keccak256([]byte("balanceOf(address)"))[:4]

// refusals are geth's reasons for turning a transaction down. They come as
// JSON-RPC errors with the generic code -32000, which failures of the node
// share, so only their text tells them apart. "transaction underpriced"
// also covers "replacement transaction underpriced".
var refusals = []string{
	"insufficient funds",
	"max fee per gas less than block base fee",
	"transaction underpriced",
	"execution reverted",
}

func refused(err error) bool {
	for _, r := range refusals {
		if strings.Contains(err.Error(), r) {
			return true
		}
	}
	return false
}

// Balance implements core.EthereumPayer: the address's wei at the latest
// block.
func (c *Chain) Balance(ctx context.Context, address string) (*big.Int, error) {
	a, err := parseAddress(address)
	if err != nil {
		return nil, err
	}
	v, err := c.client.BalanceAt(ctx, a, nil)
	if err != nil {
		return nil, fmt.Errorf("ethereum: balance of %s: %w", a.Hex(), err)
	}
	if v == nil || v.Sign() < 0 {
		return nil, fmt.Errorf("ethereum: balance of %s: node returned %v", a.Hex(), v)
	}
	return v, nil
}

// TokenBalance implements core.EthereumPayer: balanceOf(address) called on
// contract at the latest block. A reply that is not one uint256 (an
// address with no code answers nothing) is EINVALID: the contract is no
// ERC-20 token on this network.
func (c *Chain) TokenBalance(ctx context.Context, contract, address string) (*big.Int, error) {
	k, err := parseAddress(contract)
	if err != nil {
		return nil, err
	}
	a, err := parseAddress(address)
	if err != nil {
		return nil, err
	}
	data := append(append([]byte{}, balanceOf...), common.LeftPadBytes(a.Bytes(), 32)...)
	out, err := c.client.CallContract(ctx, ethereum.CallMsg{To: &k, Data: data}, nil)
	if err != nil {
		return nil, fmt.Errorf("ethereum: balanceOf %s on %s: %w", a.Hex(), k.Hex(), err)
	}
	if len(out) != 32 {
		return nil, core.Errorf(core.EINVALID, "Contract %s answered balanceOf with %d bytes, not 32: it is no ERC-20 token on this network.", k.Hex(), len(out))
	}
	return new(big.Int).SetBytes(out), nil
}

// Nonce implements core.EthereumPayer: the count of the address's mined
// transactions (pooled ones do not count).
func (c *Chain) Nonce(ctx context.Context, address string) (uint64, error) {
	a, err := parseAddress(address)
	if err != nil {
		return 0, err
	}
	n, err := c.client.NonceAt(ctx, a, nil)
	if err != nil {
		return 0, fmt.Errorf("ethereum: nonce of %s: %w", a.Hex(), err)
	}
	return n, nil
}

// Fees implements core.EthereumPayer: the latest header's base fee, then
// eth_maxPriorityFeePerGas. ECONFLICT for a chain without EIP-1559, on
// which no refund transaction this desk builds can be mined.
func (c *Chain) Fees(ctx context.Context) (baseFee, tip *big.Int, err error) {
	h, err := c.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("ethereum: fees: %w", err)
	}
	if h == nil {
		return nil, nil, errors.New("ethereum: fees: node returned no header")
	}
	if h.BaseFee == nil {
		return nil, nil, core.Errorf(core.ECONFLICT, "The node serves a chain without EIP-1559 base fees.")
	}
	if h.BaseFee.Sign() < 0 {
		return nil, nil, fmt.Errorf("ethereum: fees: base fee %s", h.BaseFee)
	}
	tip, err = c.client.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("ethereum: tip: %w", err)
	}
	if tip == nil || tip.Sign() < 0 {
		return nil, nil, fmt.Errorf("ethereum: tip: node suggested %v", tip)
	}
	return new(big.Int).Set(h.BaseFee), tip, nil
}

// EstimateGas implements core.EthereumPayer: eth_estimateGas at the latest
// state. ECONFLICT with the node's words when the transaction would fail
// there (a revert, funds short).
func (c *Chain) EstimateGas(ctx context.Context, from, to string, value *big.Int, data []byte) (uint64, error) {
	f, err := parseAddress(from)
	if err != nil {
		return 0, err
	}
	t, err := parseAddress(to)
	if err != nil {
		return 0, err
	}
	if value != nil && value.Sign() < 0 {
		return 0, core.Errorf(core.EINVALID, "A transaction cannot carry a negative value.")
	}
	gas, err := c.client.EstimateGas(ctx, ethereum.CallMsg{From: f, To: &t, Value: value, Data: data})
	if err != nil && refused(err) {
		return 0, core.Errorf(core.ECONFLICT, "The node cannot estimate the transaction: %s", err)
	} else if err != nil {
		return 0, fmt.Errorf("ethereum: estimate gas: %w", err)
	}
	return gas, nil
}

// Send implements core.Broadcaster: eth_sendRawTransaction. The node
// answers "already known" for a transaction in its pool, which is a
// success, and "nonce too low" both for one already mined and for one
// whose nonce another has used: a lookup by hash tells them apart. Its
// refusals (see refusals) are ECONFLICT with its words.
func (c *Chain) Send(ctx context.Context, raw []byte) (string, error) {
	var tx types.Transaction
	if err := tx.UnmarshalBinary(raw); err != nil {
		return "", core.Errorf(core.EINVALID, "The signed transaction is not an Ethereum transaction.")
	}
	id, err := core.NormalizeTxID(core.ChainEthereum, tx.Hash().Hex())
	if err != nil {
		return "", err
	}
	err = c.client.SendTransaction(ctx, &tx)
	switch {
	case err == nil, strings.Contains(err.Error(), "already known"):
		return id, nil
	case strings.Contains(err.Error(), "nonce too low"):
		got, _, lerr := c.client.TransactionByHash(ctx, tx.Hash())
		switch {
		case errors.Is(lerr, ethereum.NotFound):
			return "", core.Errorf(core.ECONFLICT, "The node refused the transaction: %s", err)
		case lerr != nil:
			return "", fmt.Errorf("ethereum: send %s: looking it up after %q: %w", id, err, lerr)
		case got == nil || got.Hash() != tx.Hash():
			return "", fmt.Errorf("ethereum: send %s: lookup returned another transaction", id)
		}
		return id, nil
	case refused(err):
		return "", core.Errorf(core.ECONFLICT, "The node refused the transaction: %s", err)
	}
	return "", fmt.Errorf("ethereum: send %s: %w", id, err)
}

// parseAddress reads an address given as a string: 40 hex digits, with or
// without 0x; EINVALID otherwise.
func parseAddress(s string) (common.Address, error) {
	if !common.IsHexAddress(s) {
		return common.Address{}, core.Errorf(core.EINVALID, "%q is not an Ethereum address.", truncate(s))
	}
	return common.HexToAddress(s), nil
}

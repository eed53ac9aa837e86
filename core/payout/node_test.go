package payout_test

import (
	"context"
	"math/big"

	"depositdesk/core"
)

// btcNode is a Func-field stand-in for a Bitcoin node in unit tests; the
// real-node tests in core/refundtest run the same paths on btcd.
type btcNode struct {
	core.Chain
	coins map[string]coinAt
	rate  *big.Int
}

type coinAt struct {
	amount  int64
	address string
}

func (n *btcNode) Unspent(_ context.Context, outpoint string) (*big.Int, string, error) {
	c, ok := n.coins[outpoint]
	if !ok {
		return nil, "", core.Errorf(core.ENOTFOUND, "spent")
	}
	return big.NewInt(c.amount), c.address, nil
}

func (n *btcNode) FeeRate(context.Context) (*big.Int, error) {
	if n.rate == nil {
		return nil, core.Errorf(core.ENOTFOUND, "no estimate")
	}
	return n.rate, nil
}

// ethNode answers an Ethereum refund's questions from fields.
type ethNode struct {
	core.Chain
	balance, tokens *big.Int
	nonce           uint64
	base, tip       *big.Int
	gas             uint64
}

func (n *ethNode) Balance(context.Context, string) (*big.Int, error) { return n.balance, nil }
func (n *ethNode) TokenBalance(context.Context, string, string) (*big.Int, error) {
	return n.tokens, nil
}
func (n *ethNode) Nonce(context.Context, string) (uint64, error)    { return n.nonce, nil }
func (n *ethNode) Fees(context.Context) (*big.Int, *big.Int, error) { return n.base, n.tip, nil }
func (n *ethNode) EstimateGas(context.Context, string, string, *big.Int, []byte) (uint64, error) {
	return n.gas, nil
}

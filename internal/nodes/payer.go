package nodes

import (
	"context"
	"math/big"

	"depositdesk/core"
)

// A node serves what a refund needs when its adapter does; each call is
// checked and bounded as every other (see call).
var (
	_ core.BitcoinPayer      = (*Chain)(nil)
	_ core.EthereumPayer     = (*Chain)(nil)
	_ core.Broadcaster       = (*Chain)(nil)
	_ core.TransactionSource = (*Chain)(nil)
)

// as is the node's adapter as T, or ECONFLICT saying the node cannot do
// what, as a Bitcoin node asked for a balance.
func as[T any](c *Chain, in core.Chain, what string) (T, error) {
	v, ok := in.(T)
	if !ok {
		return v, core.Errorf(core.ECONFLICT, "Node %s cannot %s.", c.cfg.Label(), what)
	}
	return v, nil
}

// Unspent implements core.BitcoinPayer.
func (c *Chain) Unspent(ctx context.Context, outpoint string) (*big.Int, string, error) {
	type answer struct {
		amount  *big.Int
		address string
	}
	a, err := call(ctx, c, func(ctx context.Context, in core.Chain) (answer, error) {
		p, err := as[core.BitcoinPayer](c, in, "look up unspent outputs")
		if err != nil {
			return answer{}, err
		}
		amount, address, err := p.Unspent(ctx, outpoint)
		return answer{amount, address}, err
	})
	return a.amount, a.address, err
}

// FeeRate implements core.BitcoinPayer.
func (c *Chain) FeeRate(ctx context.Context) (*big.Int, error) {
	return call(ctx, c, func(ctx context.Context, in core.Chain) (*big.Int, error) {
		p, err := as[core.BitcoinPayer](c, in, "estimate a fee rate")
		if err != nil {
			return nil, err
		}
		return p.FeeRate(ctx)
	})
}

// RawTransaction implements core.TransactionSource.
func (c *Chain) RawTransaction(ctx context.Context, txid string) ([]byte, error) {
	return call(ctx, c, func(ctx context.Context, in core.Chain) ([]byte, error) {
		s, err := as[core.TransactionSource](c, in, "give previous transactions")
		if err != nil {
			return nil, err
		}
		return s.RawTransaction(ctx, txid)
	})
}

// Balance implements core.EthereumPayer.
func (c *Chain) Balance(ctx context.Context, address string) (*big.Int, error) {
	return call(ctx, c, func(ctx context.Context, in core.Chain) (*big.Int, error) {
		p, err := as[core.EthereumPayer](c, in, "give balances")
		if err != nil {
			return nil, err
		}
		return p.Balance(ctx, address)
	})
}

// TokenBalance implements core.EthereumPayer.
func (c *Chain) TokenBalance(ctx context.Context, contract, address string) (*big.Int, error) {
	return call(ctx, c, func(ctx context.Context, in core.Chain) (*big.Int, error) {
		p, err := as[core.EthereumPayer](c, in, "give token balances")
		if err != nil {
			return nil, err
		}
		return p.TokenBalance(ctx, contract, address)
	})
}

// Nonce implements core.EthereumPayer.
func (c *Chain) Nonce(ctx context.Context, address string) (uint64, error) {
	return call(ctx, c, func(ctx context.Context, in core.Chain) (uint64, error) {
		p, err := as[core.EthereumPayer](c, in, "give nonces")
		if err != nil {
			return 0, err
		}
		return p.Nonce(ctx, address)
	})
}

// Fees implements core.EthereumPayer.
func (c *Chain) Fees(ctx context.Context) (baseFee, tip *big.Int, err error) {
	type answer struct{ baseFee, tip *big.Int }
	a, err := call(ctx, c, func(ctx context.Context, in core.Chain) (answer, error) {
		p, err := as[core.EthereumPayer](c, in, "give fees")
		if err != nil {
			return answer{}, err
		}
		baseFee, tip, err := p.Fees(ctx)
		return answer{baseFee, tip}, err
	})
	return a.baseFee, a.tip, err
}

// EstimateGas implements core.EthereumPayer.
func (c *Chain) EstimateGas(ctx context.Context, from, to string, value *big.Int, data []byte) (uint64, error) {
	return call(ctx, c, func(ctx context.Context, in core.Chain) (uint64, error) {
		p, err := as[core.EthereumPayer](c, in, "estimate gas")
		if err != nil {
			return 0, err
		}
		return p.EstimateGas(ctx, from, to, value, data)
	})
}

// Send implements core.Broadcaster.
func (c *Chain) Send(ctx context.Context, raw []byte) (string, error) {
	return call(ctx, c, func(ctx context.Context, in core.Chain) (string, error) {
		b, err := as[core.Broadcaster](c, in, "broadcast transactions")
		if err != nil {
			return "", err
		}
		return b.Send(ctx, raw)
	})
}

package ethereum

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"depositdesk/core"
)

// Identify implements core.NodeIdentifier: eth_chainId and the hash of
// block 0, 2 round trips.
func (c *Chain) Identify(ctx context.Context) (core.NodeIdentity, error) {
	id, err := c.client.ChainID(ctx)
	if err != nil {
		return core.NodeIdentity{}, fmt.Errorf("ethereum: chain id: %w", err)
	}
	if id == nil || id.Sign() <= 0 || !id.IsUint64() {
		return core.NodeIdentity{}, fmt.Errorf("ethereum: node reported chain id %v", id)
	}
	h, err := c.client.HeaderByNumber(ctx, big.NewInt(0))
	if err != nil {
		return core.NodeIdentity{}, fmt.Errorf("ethereum: genesis: %w", err)
	}
	if h == nil {
		return core.NodeIdentity{}, errors.New("ethereum: genesis: node returned no header")
	}
	return core.NodeIdentity{ChainID: id.Uint64(), GenesisHash: h.Hash().Hex()}, nil
}

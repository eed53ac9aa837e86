package bitcoin

import (
	"context"

	"depositdesk/core"
)

// Identify implements core.NodeIdentifier: the chain the node says it
// follows (getblockchaininfo) and its block 0 (getblockhash 0), 2 RPCs.
func (c *Chain) Identify(ctx context.Context) (core.NodeIdentity, error) {
	var info struct {
		Chain string `json:"chain"`
	}
	if err := c.call(ctx, &info, "getblockchaininfo"); err != nil {
		return core.NodeIdentity{}, err
	}
	if info.Chain == "" {
		return core.NodeIdentity{}, malformed("getblockchaininfo", "no chain name")
	}
	var genesis string
	if err := c.call(ctx, &genesis, "getblockhash", 0); err != nil {
		return core.NodeIdentity{}, err
	}
	hash, err := checkHash("getblockhash", genesis)
	if err != nil {
		return core.NodeIdentity{}, err
	}
	return core.NodeIdentity{ChainName: info.Chain, GenesisHash: hash}, nil
}

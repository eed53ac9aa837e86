package nodes

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// switchingNode is a node whose URL starts serving another chain, as one
// behind a provider's load balancer may.
type switchingNode struct {
	mu         sync.Mutex
	id         core.NodeIdentity
	identified int
}

func (n *switchingNode) Identify(context.Context) (core.NodeIdentity, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.identified++
	return n.id, nil
}

func (n *switchingNode) Head(context.Context) (core.ChainBlock, error) {
	return core.ChainBlock{Height: 7, Hash: "h7"}, nil
}
func (n *switchingNode) Block(context.Context, int64) (*core.ChainBlock, error) { return nil, nil }
func (n *switchingNode) Transaction(context.Context, string) (*core.ChainTx, error) {
	return nil, nil
}
func (n *switchingNode) Conflict(context.Context, []string) (bool, string, error) {
	return false, "", nil
}

func TestANodeIsCheckedAgainWhenItsCheckIsOld(t *testing.T) {
	regtest := core.Network{Chain: core.ChainBitcoin, Name: "regtest"}
	p, err := core.LookupNetwork(regtest)
	require.NoError(t, err)
	node := &switchingNode{id: core.NodeIdentity{ChainName: "regtest", GenesisHash: p.GenesisHash}}
	set := NewSet(&Config{Nodes: []Node{{Chain: "bitcoin", Network: "regtest", URL: "http://x"}}},
		func(Node, *core.NetworkParams, time.Duration) (core.Chain, error) { return node, nil })
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	set.nodes[0].now = func() time.Time { return now }
	ctx := context.Background()

	c, err := set.Chain(ctx, regtest)
	require.NoError(t, err)
	for range 3 {
		_, err = c.Head(ctx)
		require.NoError(t, err)
	}
	require.Equal(t, 1, node.identified, "checked once, not per call")

	node.mu.Lock()
	node.id = core.NodeIdentity{ChainName: "testnet3", GenesisHash: "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943"}
	node.mu.Unlock()
	now = now.Add(Recheck - time.Second)
	_, err = c.Head(ctx)
	require.NoError(t, err, "the last check still holds")
	now = now.Add(2 * time.Second)
	_, err = c.Head(ctx)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), "serves bitcoin/testnet3")
	require.Equal(t, NodeRefused, set.Status()[0].State)
	_, err = set.Chain(ctx, regtest)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "refused until the configuration changes")
}

package nodes

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// payerNode is an adapter with every refund call. Each answers fixed
// values, or, while hang is set, nothing until its deadline; Send answers
// sendErr when set.
type payerNode struct {
	*switchingNode
	hang    bool
	sendErr error
	asked   []any // the arguments of each call, in order
}

func (n *payerNode) wait(ctx context.Context, args ...any) error {
	n.asked = append(n.asked, args...)
	if n.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (n *payerNode) Unspent(ctx context.Context, op string) (*big.Int, string, error) {
	return big.NewInt(5000), "bcrt1qaddr", n.wait(ctx, op)
}
func (n *payerNode) FeeRate(ctx context.Context) (*big.Int, error) { return big.NewInt(3), n.wait(ctx) }
func (n *payerNode) Balance(ctx context.Context, a string) (*big.Int, error) {
	return big.NewInt(7), n.wait(ctx, a)
}
func (n *payerNode) TokenBalance(ctx context.Context, k, a string) (*big.Int, error) {
	return big.NewInt(8), n.wait(ctx, k, a)
}
func (n *payerNode) Nonce(ctx context.Context, a string) (uint64, error) { return 9, n.wait(ctx, a) }
func (n *payerNode) Fees(ctx context.Context) (*big.Int, *big.Int, error) {
	return big.NewInt(10), big.NewInt(1), n.wait(ctx)
}
func (n *payerNode) EstimateGas(ctx context.Context, from, to string, v *big.Int, data []byte) (uint64, error) {
	return 21_000, n.wait(ctx, from, to, v, data)
}
func (n *payerNode) Send(ctx context.Context, raw []byte) (string, error) {
	if err := n.wait(ctx, raw); err != nil {
		return "", err
	}
	return "txid", n.sendErr
}

// regtestSet is a set of one regtest node, adapter inner, with a 200 ms
// deadline.
func regtestSet(t *testing.T, inner core.Chain) (*Set, *Chain) {
	t.Helper()
	set := NewSet(&Config{Nodes: []Node{{Chain: "bitcoin", Network: "regtest", URL: "http://x", Timeout: "200ms"}}},
		func(Node, *core.NetworkParams, time.Duration) (core.Chain, error) { return inner, nil })
	regtest := core.Network{Chain: core.ChainBitcoin, Name: "regtest"}
	c, err := set.Chain(context.Background(), regtest)
	require.NoError(t, err)
	return set, c.(*Chain)
}

func regtestIdentity(t *testing.T) *switchingNode {
	t.Helper()
	p, err := core.LookupNetwork(core.Network{Chain: core.ChainBitcoin, Name: "regtest"})
	require.NoError(t, err)
	return &switchingNode{id: core.NodeIdentity{ChainName: "regtest", GenesisHash: p.GenesisHash}}
}

func TestRefundCallsReachTheAdapter(t *testing.T) {
	t.Parallel()
	node := &payerNode{switchingNode: regtestIdentity(t)}
	_, c := regtestSet(t, node)
	ctx := context.Background()

	amount, addr, err := c.Unspent(ctx, "op:1")
	require.NoError(t, err)
	require.Equal(t, "5000 bcrt1qaddr", amount.String()+" "+addr)
	rate, err := c.FeeRate(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 3, rate.Int64())
	bal, err := c.Balance(ctx, "0xa")
	require.NoError(t, err)
	require.EqualValues(t, 7, bal.Int64())
	tok, err := c.TokenBalance(ctx, "0xk", "0xa")
	require.NoError(t, err)
	require.EqualValues(t, 8, tok.Int64())
	nonce, err := c.Nonce(ctx, "0xa")
	require.NoError(t, err)
	require.EqualValues(t, 9, nonce)
	base, tip, err := c.Fees(ctx)
	require.NoError(t, err)
	require.Equal(t, "10 1", base.String()+" "+tip.String())
	gas, err := c.EstimateGas(ctx, "0xa", "0xb", big.NewInt(2), []byte{1})
	require.NoError(t, err)
	require.EqualValues(t, 21_000, gas)
	txid, err := c.Send(ctx, []byte{0xbe})
	require.NoError(t, err)
	require.Equal(t, "txid", txid)
	require.Equal(t, []any{"op:1", "0xa", "0xk", "0xa", "0xa", "0xa", "0xb", big.NewInt(2), []byte{1}, []byte{0xbe}}, node.asked)
}

func TestRefundCallsHaveTheNodesDeadline(t *testing.T) {
	t.Parallel()
	node := &payerNode{switchingNode: regtestIdentity(t), hang: true}
	set, c := regtestSet(t, node)
	for name, f := range map[string]func(context.Context) error{
		"Unspent":      func(ctx context.Context) error { _, _, err := c.Unspent(ctx, "op:1"); return err },
		"FeeRate":      func(ctx context.Context) error { _, err := c.FeeRate(ctx); return err },
		"Balance":      func(ctx context.Context) error { _, err := c.Balance(ctx, "0xa"); return err },
		"TokenBalance": func(ctx context.Context) error { _, err := c.TokenBalance(ctx, "0xk", "0xa"); return err },
		"Nonce":        func(ctx context.Context) error { _, err := c.Nonce(ctx, "0xa"); return err },
		"Fees":         func(ctx context.Context) error { _, _, err := c.Fees(ctx); return err },
		"EstimateGas":  func(ctx context.Context) error { _, err := c.EstimateGas(ctx, "0xa", "0xb", nil, nil); return err },
		"Send":         func(ctx context.Context) error { _, err := c.Send(ctx, []byte{1}); return err },
	} {
		start := time.Now()
		err := f(context.Background())
		require.Less(t, time.Since(start), 2*time.Second, name)
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err), name)
		require.Equal(t, "Node bitcoin/regtest did not answer in 200ms.", core.ErrorMessage(err), name)
		require.Equal(t, NodeUnreachable, set.Status()[0].State, name)
	}
	node.hang = false
	_, err := c.FeeRate(context.Background())
	require.NoError(t, err)
	require.Equal(t, NodeOK, set.Status()[0].State, "answering again")
}

// A refused transaction, an output not found, a bad argument: the node
// answered, so it stays usable.
func TestAnAnswerLeavesTheNodeUsable(t *testing.T) {
	t.Parallel()
	node := &payerNode{switchingNode: regtestIdentity(t),
		sendErr: core.Errorf(core.ECONFLICT, "The node refused the transaction: orphan transaction")}
	set, c := regtestSet(t, node)
	_, err := c.Send(context.Background(), []byte{1})
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	require.Equal(t, "The node refused the transaction: orphan transaction", core.ErrorMessage(err))
	require.Equal(t, NodeOK, set.Status()[0].State)
}

func TestANodeWithoutRefundCallsSaysSo(t *testing.T) {
	t.Parallel()
	set, c := regtestSet(t, regtestIdentity(t)) // a core.Chain and nothing more
	ctx := context.Background()
	_, _, err := c.Unspent(ctx, "op:1")
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	require.Equal(t, "Node bitcoin/regtest cannot look up unspent outputs.", core.ErrorMessage(err))
	_, err = c.Balance(ctx, "0xa")
	require.Equal(t, "Node bitcoin/regtest cannot give balances.", core.ErrorMessage(err))
	_, err = c.Send(ctx, []byte{1})
	require.Equal(t, "Node bitcoin/regtest cannot broadcast transactions.", core.ErrorMessage(err))
	require.Equal(t, NodeOK, set.Status()[0].State)
}

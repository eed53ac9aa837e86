package nodes

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"depositdesk/core"
)

// Recheck is how long a node's identity check holds before it is asked
// again: a node behind a load balancer or a provider's URL can start
// serving another chain at any time.
const Recheck = 10 * time.Minute

// Opener connects an adapter to a node; the returned chain must also be a
// core.NodeIdentifier. OpenAdapter is the production one.
type Opener func(n Node, p *core.NetworkParams, timeout time.Duration) (core.Chain, error)

// Set is the desk's nodes. It implements core.Nodes: a network's node is
// opened only when something first needs it, checked to serve that network
// before any answer of it is used (and again every Recheck), and bounded
// by its deadline on every call. A node that cannot be used degrades only
// what needs it, with the reason.
type Set struct {
	cfg   *Config
	nodes []*Chain
}

// NewSet prepares cfg's nodes without contacting any. open is the adapter
// constructor (OpenAdapter in production).
func NewSet(cfg *Config, open Opener) *Set {
	s := &Set{cfg: cfg}
	for _, n := range cfg.Nodes {
		timeout, _ := n.CallTimeout() // checked by Parse
		s.nodes = append(s.nodes, &Chain{cfg: n, timeout: timeout, open: open, now: time.Now})
	}
	return s
}

// Config is the configuration the set was made from.
func (s *Set) Config() *Config { return s.cfg }

// Chain implements core.Nodes with the first node listed for n, checked
// and ready.
func (s *Set) Chain(ctx context.Context, n core.Network) (core.Chain, error) {
	nodes := s.Nodes(n)
	if len(nodes) == 0 {
		return nil, core.Errorf(core.ECONFLICT, "No %s node is configured (%s).", n, FileName)
	}
	if _, err := nodes[0].ready(ctx); err != nil {
		return nil, err
	}
	return nodes[0], nil
}

// Nodes returns every node configured for n, the followed one first.
func (s *Set) Nodes(n core.Network) []*Chain {
	var out []*Chain
	for _, c := range s.nodes {
		if c.cfg.Net() == n {
			out = append(out, c)
		}
	}
	return out
}

// All returns every configured node in the order of the file.
func (s *Set) All() []*Chain { return s.nodes }

// Status is what the desk knows of one node.
type Status struct {
	Node    string       `json:"node"`
	Network core.Network `json:"network"`
	State   NodeState    `json:"state"`
	Detail  string       `json:"detail,omitempty"`
	Checked time.Time    `json:"checked,omitempty"`
}

// NodeState says whether a node may be used.
type NodeState string

// A node is unknown until first used, then usable, refused (it serves
// another network: never used until the configuration changes) or
// unreachable (it did not answer or cannot be opened; asked again).
const (
	NodeUnchecked   NodeState = "not checked"
	NodeOK          NodeState = "ok"
	NodeRefused     NodeState = "refused"
	NodeUnreachable NodeState = "unreachable"
)

// Check opens and checks every node now, in parallel, each under its own
// deadline, and returns their states in the order of the file.
func (s *Set) Check(ctx context.Context) []Status {
	var wg sync.WaitGroup
	for _, c := range s.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.mu.Lock()
			c.checked = time.Time{} // ask again, whatever the last answer
			c.mu.Unlock()
			_, _ = c.ready(ctx)
		}()
	}
	wg.Wait()
	return s.Status()
}

// Status returns what is known of every node without asking any.
func (s *Set) Status() []Status {
	out := make([]Status, len(s.nodes))
	for i, c := range s.nodes {
		out[i] = c.Status()
	}
	return out
}

// Chain is one configured node: a core.Chain whose every call first makes
// sure the node is open and serves its network, and runs under the node's
// deadline. It is safe for concurrent use.
type Chain struct {
	cfg     Node
	timeout time.Duration
	open    Opener
	now     func() time.Time

	mu      sync.Mutex
	inner   core.Chain
	checked time.Time // when the identity last matched; zero when it must be asked
	state   NodeState
	lastErr error
}

var _ core.Chain = (*Chain)(nil)

// Name is the node's label (Node.Label).
func (c *Chain) Name() string { return c.cfg.Label() }

// Node is the node's configuration.
func (c *Chain) Node() Node { return c.cfg }

// Status is what is known of the node, without asking it.
func (c *Chain) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := Status{Node: c.cfg.Label(), Network: c.cfg.Net(), State: c.state, Checked: c.checked}
	if st.State == "" {
		st.State = NodeUnchecked
	}
	if c.lastErr != nil {
		st.Detail = core.ErrorMessage(c.lastErr)
	}
	return st
}

// ready opens the node if needed and checks its identity when the last
// check is older than Recheck. A refused node stays refused: the same URL
// serving another chain is a configuration to fix, not a hiccup.
func (c *Chain) ready(ctx context.Context) (core.Chain, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == NodeRefused {
		return nil, c.lastErr
	}
	if c.inner != nil && !c.checked.IsZero() && c.now().Sub(c.checked) < Recheck {
		return c.inner, nil
	}
	p, err := core.LookupNetwork(c.cfg.Net())
	if err != nil {
		return nil, c.fail(NodeRefused, err)
	}
	if c.inner == nil {
		inner, err := c.open(c.cfg, p, c.timeout)
		if err != nil {
			return nil, c.fail(NodeUnreachable, core.Errorf(core.ECONFLICT, "Node %s cannot be opened: %s", c.cfg.Label(), reason(err)))
		}
		c.inner = inner
	}
	idf, ok := c.inner.(core.NodeIdentifier)
	if !ok {
		return nil, c.fail(NodeRefused, core.Errorf(core.ECONFLICT, "Node %s cannot say which network it serves.", c.cfg.Label()))
	}
	cctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	id, err := idf.Identify(cctx)
	if err != nil {
		return nil, c.fail(NodeUnreachable, c.callError(cctx, err))
	}
	if err := p.CheckNode(id); err != nil {
		return nil, c.fail(NodeRefused, core.Errorf(core.ECONFLICT, "Node %s: %s", c.cfg.Label(), core.ErrorMessage(err)))
	}
	c.state, c.lastErr, c.checked = NodeOK, nil, c.now()
	return c.inner, nil
}

func (c *Chain) fail(st NodeState, err error) error {
	c.state, c.lastErr, c.checked = st, err, time.Time{}
	return err
}

// callError turns a failure of a call made under cctx into what an
// operator is told: a deadline is "did not answer in N s".
func (c *Chain) callError(cctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(cctx.Err(), context.DeadlineExceeded) {
		return core.Errorf(core.ECONFLICT, "Node %s did not answer in %s.", c.cfg.Label(), c.timeout)
	}
	if core.ErrorCode(err) == core.ENOTFOUND {
		return err
	}
	return fmt.Errorf("node %s: %w", c.cfg.Label(), err)
}

// reason is an error's words for an operator: a core.Error's message, the
// text of anything else (a transport error of the node).
func reason(err error) string {
	if core.ErrorCode(err) != core.EINTERNAL {
		return core.ErrorMessage(err)
	}
	return err.Error()
}

// call runs f against the ready node under the node's deadline. Only a
// node that failed to answer is marked unreachable: an error with a code
// (not found, a transaction refused, a request the adapter turned down)
// is an answer.
func call[T any](ctx context.Context, c *Chain, f func(context.Context, core.Chain) (T, error)) (T, error) {
	var zero T
	inner, err := c.ready(ctx)
	if err != nil {
		return zero, err
	}
	cctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	v, err := f(cctx, inner)
	if err != nil {
		answered := core.ErrorCode(err) != core.EINTERNAL
		err = c.callError(cctx, err)
		if !answered && ctx.Err() == nil {
			c.mu.Lock()
			c.state, c.lastErr = NodeUnreachable, err
			c.mu.Unlock()
		}
		return zero, err
	}
	c.mu.Lock()
	if c.state == NodeUnreachable {
		c.state, c.lastErr = NodeOK, nil
	}
	c.mu.Unlock()
	return v, nil
}

// Head implements core.Chain.
func (c *Chain) Head(ctx context.Context) (core.ChainBlock, error) {
	return call(ctx, c, func(ctx context.Context, in core.Chain) (core.ChainBlock, error) { return in.Head(ctx) })
}

// Block implements core.Chain.
func (c *Chain) Block(ctx context.Context, height int64) (*core.ChainBlock, error) {
	return call(ctx, c, func(ctx context.Context, in core.Chain) (*core.ChainBlock, error) { return in.Block(ctx, height) })
}

// Transaction implements core.Chain.
func (c *Chain) Transaction(ctx context.Context, txid string) (*core.ChainTx, error) {
	return call(ctx, c, func(ctx context.Context, in core.Chain) (*core.ChainTx, error) { return in.Transaction(ctx, txid) })
}

// Conflict implements core.Chain.
func (c *Chain) Conflict(ctx context.Context, spends []string) (bool, string, error) {
	type answer struct {
		conflicted bool
		by         string
	}
	a, err := call(ctx, c, func(ctx context.Context, in core.Chain) (answer, error) {
		ok, by, err := in.Conflict(ctx, spends)
		return answer{ok, by}, err
	})
	return a.conflicted, a.by, err
}

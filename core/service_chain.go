package core

import (
	"context"
)

// Nodes gives the Service the node it asks about a network. The desk's
// implementation (internal/nodes) opens nodes when first asked, checks that
// each serves the network it is configured for, and bounds every call with
// the node's deadline.
type Nodes interface {
	// Chain returns the node the desk follows n with. ECONFLICT, naming the
	// reason, when n has no usable node (none configured, refused as
	// serving another network, cannot be opened).
	Chain(ctx context.Context, n Network) (Chain, error)
}

// chainFor is the node of network n; ECONFLICT with the reason followed by
// without, the sentence saying what cannot be done. A desk built without nodes has none for any network: there
// is no path on which "no nodes" means "allow".
func (s *Service) chainFor(ctx context.Context, n Network, without string) (Chain, error) {
	if s.Nodes == nil {
		return nil, Errorf(ECONFLICT, "No blockchain nodes are configured (nodes.toml). %s.", without)
	}
	c, err := s.Nodes.Chain(ctx, n)
	if err != nil {
		return nil, Errorf(ECONFLICT, "%s %s.", nodeFailure(err), without)
	}
	return c, nil
}

// checkNotOnChain refuses to cancel d when its network's node knows the
// TXID, in a block or the mempool: the operating guide allows cancelling
// only while the chain "has not begun confirmations". Without a node, or
// with one that does not answer, the desk cannot tell, and says so rather
// than guess.
func (s *Service) checkNotOnChain(ctx context.Context, d *DepositRecord) error {
	c, err := s.chainFor(ctx, d.Net(), cannotCheckChain(d))
	if err != nil {
		return err
	}
	_, err = c.Transaction(ctx, d.TxID)
	switch ErrorCode(err) {
	case "":
		return Errorf(EINVALID, "Transaction %s is already on the %s network; the record cannot be cancelled.", d.TxID, d.Net())
	case ENOTFOUND:
		return nil
	}
	return Errorf(ECONFLICT, "The %s node could not be asked about transaction %s (%s); try the cancel again when it answers.", d.Net(), d.TxID, nodeFailure(err))
}

// cannotCheckChain is what a cancel of d cannot do without a node.
func cannotCheckChain(d *DepositRecord) string {
	return "The desk cannot check that transaction " + d.TxID + " has not reached the chain, so the record cannot be cancelled"
}

// nodeFailure is what an operator is told of a node's failure: the
// message of a core.Error (a deadline the nodes package names), else the
// error text, which for a node is the transport's own words.
func nodeFailure(err error) string {
	if ErrorCode(err) != EINTERNAL {
		return ErrorMessage(err)
	}
	return err.Error()
}

// NodeMap is a fixed set of nodes by network, for tools and tests that
// hold their chains already.
type NodeMap map[Network]Chain

// Chain implements Nodes.
func (m NodeMap) Chain(_ context.Context, n Network) (Chain, error) {
	if c, ok := m[n]; ok {
		return c, nil
	}
	return nil, Errorf(ECONFLICT, "No %s node is configured (nodes.toml).", n)
}

// StartWatcher lets the operator in ctx run the chain watcher for networks
// and records that they did: the watcher's moves then name them too.
// Requires Chain Watcher.
func (s *Service) StartWatcher(ctx context.Context, networks []Network) (*Operator, error) {
	op, err := s.authorize(ctx, ActionRunWatcher)
	if err != nil {
		return nil, err
	}
	a := s.audit(op.Name, "watcher.start", "watcher", JoinNetworks(networks))
	return op, s.Store.AppendAudit(ctx, a)
}

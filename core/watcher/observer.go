package watcher

import (
	"context"

	"depositdesk/core"
)

// Observer implements core.TxObserver over the configured nodes, by
// network: cancel asks it before cancelling a record that has a TXID.
type Observer map[string]core.Chain

// TxSeen reports whether the network's node knows txid, in a block or the
// mempool. Without a node for the network the desk cannot tell, and says so
// rather than guess: the operating guide allows a cancel only while the
// chain "has not begun confirmations".
func (o Observer) TxSeen(ctx context.Context, chain, network, txid string) (bool, error) {
	c, ok := o[network]
	if !ok {
		return false, core.Errorf(core.ECONFLICT, "No %s node is configured for network %s, so the desk cannot check that transaction %s has not reached the chain; configure the node (nodes.toml) before cancelling.", chain, network, txid)
	}
	_, err := c.Transaction(ctx, txid)
	switch core.ErrorCode(err) {
	case "":
		return true, nil
	case core.ENOTFOUND:
		return false, nil
	}
	return false, core.Errorf(core.ECONFLICT, "The %s node could not be asked about transaction %s (%v); try the cancel again when it answers.", network, txid, err)
}

package storetest

import (
	"context"

	"depositdesk/core"
)

// EmptyChain is a node that has never seen a transaction, for suites that
// cancel records with a TXID: the desk asks the network's node first and
// refuses without one.
type EmptyChain struct{}

// Head implements core.Chain.
func (EmptyChain) Head(context.Context) (core.ChainBlock, error) {
	return core.ChainBlock{Height: 1, Hash: "empty-1", ParentHash: "empty-0"}, nil
}

// Block implements core.Chain.
func (EmptyChain) Block(_ context.Context, h int64) (*core.ChainBlock, error) {
	return nil, core.Errorf(core.ENOTFOUND, "No block %d.", h)
}

// Transaction implements core.Chain.
func (EmptyChain) Transaction(_ context.Context, txid string) (*core.ChainTx, error) {
	return nil, core.Errorf(core.ENOTFOUND, "No transaction %s.", txid)
}

// Conflict implements core.Chain.
func (EmptyChain) Conflict(context.Context, []string) (bool, string, error) { return false, "", nil }

// EmptyNodes serves the fixture's networks (bitcoin/regtest, ethereum/dev)
// with an EmptyChain each.
func EmptyNodes() core.NodeMap {
	return core.NodeMap{
		{Chain: core.ChainBitcoin, Name: "regtest"}: EmptyChain{},
		{Chain: core.ChainEthereum, Name: "dev"}:    EmptyChain{},
	}
}

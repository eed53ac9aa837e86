package watcher_test

import (
	"context"
	"fmt"
	"sync"

	"depositdesk/core"
)

// fakeChain is an in-memory chain for the watcher's unit tests: blocks,
// a mempool, reorgs and injected failures, and a count of calls per
// method. The real-node tests exercise the same watcher against btcd and
// geth; this one makes every edge case cheap and exact.
type fakeChain struct {
	mu       sync.Mutex
	blocks   []core.ChainBlock // index = height; blocks[0] is genesis
	txs      map[string]*core.ChainTx
	mempool  map[string]bool
	spentBy  map[string]string // outpoint → txid that spent it
	fork     int
	calls    map[string]int
	failNext map[string]error // method → error returned once
}

func newFakeChain(height int) *fakeChain {
	c := &fakeChain{txs: map[string]*core.ChainTx{}, mempool: map[string]bool{}, spentBy: map[string]string{},
		calls: map[string]int{}, failNext: map[string]error{}}
	c.blocks = []core.ChainBlock{{Height: 0, Hash: "g"}}
	c.mine(height)
	return c
}

// broadcast puts tx in the mempool.
func (c *fakeChain) broadcast(tx *core.ChainTx) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cp := *tx
	c.txs[tx.TxID], c.mempool[tx.TxID] = &cp, true
	for _, s := range tx.Spends {
		c.spentBy[s] = tx.TxID
	}
}

// mine appends n blocks, the first taking the whole mempool.
func (c *fakeChain) mine(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for range n {
		prev := c.blocks[len(c.blocks)-1]
		b := core.ChainBlock{Height: prev.Height + 1, ParentHash: prev.Hash, Hash: fmt.Sprintf("h%d-f%d", prev.Height+1, c.fork)}
		for id := range c.mempool {
			b.TxIDs = append(b.TxIDs, id)
			c.txs[id].BlockHash, c.txs[id].BlockHeight = b.Hash, b.Height
			delete(c.mempool, id)
		}
		c.blocks = append(c.blocks, b)
	}
}

// reorg drops the blocks above height, returning their transactions to the
// mempool unless drop says they vanish (a double-spend wins instead).
func (c *fakeChain) reorg(height int64, drop ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fork++
	for _, b := range c.blocks[height+1:] {
		for _, id := range b.TxIDs {
			c.txs[id].BlockHash, c.txs[id].BlockHeight = "", 0
			c.mempool[id] = true
		}
	}
	c.blocks = c.blocks[:height+1]
	for _, id := range drop {
		delete(c.mempool, id)
		delete(c.txs, id)
	}
}

func (c *fakeChain) count(m string) error {
	c.calls[m]++
	if err := c.failNext[m]; err != nil {
		delete(c.failNext, m)
		return err
	}
	return nil
}

func (c *fakeChain) totalCalls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

func (c *fakeChain) Head(context.Context) (core.ChainBlock, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.count("Head"); err != nil {
		return core.ChainBlock{}, err
	}
	b := c.blocks[len(c.blocks)-1]
	b.TxIDs = nil
	return b, nil
}

func (c *fakeChain) Block(_ context.Context, h int64) (*core.ChainBlock, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.count("Block"); err != nil {
		return nil, err
	}
	if h < 0 || h >= int64(len(c.blocks)) {
		return nil, core.Errorf(core.ENOTFOUND, "no block %d", h)
	}
	b := c.blocks[h]
	return &b, nil
}

func (c *fakeChain) Transaction(_ context.Context, id string) (*core.ChainTx, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.count("Transaction"); err != nil {
		return nil, err
	}
	tx, ok := c.txs[id]
	if !ok {
		return nil, core.Errorf(core.ENOTFOUND, "no tx %s", id)
	}
	cp := *tx
	return &cp, nil
}

func (c *fakeChain) Conflict(_ context.Context, spends []string) (bool, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.count("Conflict"); err != nil {
		return false, "", err
	}
	for _, s := range spends {
		if by, ok := c.spentBy[s]; ok {
			if _, alive := c.txs[by]; alive {
				return true, by, nil
			}
		}
	}
	return false, "", nil
}

package watcher

import (
	"context"
	"errors"
	"fmt"

	"depositdesk/core"
)

// Step makes one pass: follow the chain from the last processed block to
// the node's tip (detecting reorgs on the way), then look up the records
// the new blocks touch and bring every open record's progress up to date.
// Blocks are saved as processed only when the pass got that far, so a
// failed pass is simply repeated.
func (w *Watcher) Step(ctx context.Context) (Report, error) {
	rep := Report{ForkHeight: -1}
	head, err := w.Chain.Head(ctx)
	if err != nil {
		return rep, fmt.Errorf("head: %w", err)
	}
	if head.Height < 0 || head.Hash == "" {
		return rep, fmt.Errorf("node reported an unusable head (height %d, hash %q)", head.Height, head.Hash)
	}
	rep.Head = head.Height
	recent, err := w.Store.RecentBlocks(ctx, w.Network)
	if err != nil {
		return rep, err
	}
	blocks, fork, err := w.follow(ctx, head, recent)
	if err != nil {
		return rep, err
	}
	rep.NewBlocks, rep.ForkHeight = len(blocks), fork
	rep.Tip = tipOf(recent, blocks, fork)

	// canon is every block hash this pass knows to be on the node's chain.
	canon := map[int64]string{}
	for _, b := range recent {
		if fork < 0 || b.Height <= fork {
			canon[b.Height] = b.Hash
		}
	}
	touched := map[string]bool{}
	for _, b := range blocks {
		canon[b.Height] = b.Hash
		for _, id := range b.TxIDs {
			touched[id] = true
		}
	}
	if err := w.settle(ctx, &rep, blocks, canon, touched, fork, len(recent) == 0); err != nil {
		return rep, err
	}
	if err := w.followRefunds(ctx, &rep, canon); err != nil {
		return rep, err
	}
	if len(blocks) > 0 {
		if err := w.Store.SaveBlocks(ctx, w.Network, blocks, w.keep()); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// tipOf is the highest block processed once this pass's blocks are saved.
func tipOf(recent, blocks []core.ChainBlock, fork int64) int64 {
	if len(blocks) > 0 {
		return blocks[len(blocks)-1].Height
	}
	if fork >= 0 {
		return fork
	}
	if len(recent) > 0 {
		return recent[0].Height
	}
	return 0
}

// follow returns the blocks after the last processed one up to head, in
// order, each linked to its parent. On a reorg it also returns the height
// of the last block still shared with the node's chain (else -1); stored
// blocks above it are orphaned. The very first pass starts at the tip.
func (w *Watcher) follow(ctx context.Context, head core.ChainBlock, recent []core.ChainBlock) ([]core.ChainBlock, int64, error) {
	if len(recent) == 0 {
		b, err := w.block(ctx, head.Height)
		if err != nil {
			return nil, -1, err
		}
		return []core.ChainBlock{*b}, -1, nil
	}
	last := recent[0]
	if head.Hash == last.Hash {
		return nil, -1, nil
	}
	if head.Height > last.Height {
		blocks, linked, err := w.fetch(ctx, last, head.Height)
		if err != nil || linked {
			return blocks, -1, err
		}
	}
	// The node's chain no longer extends the last block processed.
	fork, err := w.forkPoint(ctx, recent)
	if err != nil {
		return nil, -1, err
	}
	base := core.ChainBlock{Height: fork}
	for _, b := range recent {
		if b.Height == fork {
			base = b
		}
	}
	blocks, linked, err := w.fetch(ctx, base, head.Height)
	if err != nil {
		return nil, -1, err
	}
	if !linked {
		return nil, -1, errors.New("the chain changed again while following a reorg")
	}
	w.log().Warn("chain reorganisation", "network", w.Network.String(), "fork_height", fork, "orphaned_from", fork+1, "new_tip", head.Height)
	return blocks, fork, nil
}

// fetch reads the blocks after base up to to (at most MaxBlocksPerPass) and
// reports whether each links to the one before; when one does not, it
// returns linked=false and no blocks.
func (w *Watcher) fetch(ctx context.Context, base core.ChainBlock, to int64) (blocks []core.ChainBlock, linked bool, err error) {
	to = min(to, base.Height+w.maxBlocks())
	prev := base.Hash
	for h := base.Height + 1; h <= to; h++ {
		b, err := w.block(ctx, h)
		if err != nil {
			return nil, false, err
		}
		if prev != "" && b.ParentHash != prev {
			return nil, false, nil
		}
		blocks, prev = append(blocks, *b), b.Hash
	}
	return blocks, true, nil
}

// forkPoint walks the stored blocks down until the node agrees on one. A
// reorg deeper than the blocks kept is an emergency an operator must look
// at; the watcher then treats everything it knew as orphaned.
func (w *Watcher) forkPoint(ctx context.Context, recent []core.ChainBlock) (int64, error) {
	for _, sb := range recent {
		b, err := w.Chain.Block(ctx, sb.Height)
		if core.ErrorCode(err) == core.ENOTFOUND {
			continue // the new chain is shorter
		} else if err != nil {
			return -1, fmt.Errorf("block %d: %w", sb.Height, err)
		}
		if b.Hash == sb.Hash {
			return sb.Height, nil
		}
	}
	lowest := recent[len(recent)-1].Height - 1
	w.log().Error("reorganisation deeper than the blocks kept; every open record is re-checked", "network", w.Network.String(), "below", lowest+1)
	return max(lowest, 0), nil
}

// block reads one block and refuses replies that cannot be right.
func (w *Watcher) block(ctx context.Context, height int64) (*core.ChainBlock, error) {
	b, err := w.Chain.Block(ctx, height)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", height, err)
	}
	if b == nil || b.Height != height || b.Hash == "" {
		return nil, fmt.Errorf("node returned a malformed block for height %d", height)
	}
	return b, nil
}

package watcher

import (
	"context"

	"depositdesk/core"
)

// Store is the part of core.Store a watcher uses: its open set, the blocks
// it remembers, the assets and verified addresses it judges against, the
// two ways it records what it saw, and the same three for refunds. Both storage engines satisfy it.
type Store interface {
	FindWatchedDepositChanges(ctx context.Context, n core.Network, since *core.WatchMark) ([]*core.WatchedDeposit, core.WatchMark, error)
	RecentBlocks(ctx context.Context, n core.Network) ([]core.ChainBlock, error)
	SaveBlocks(ctx context.Context, n core.Network, blocks []core.ChainBlock, keep int) error
	FindAssets(ctx context.Context, f core.AssetFilter) ([]*core.Asset, error)
	FindWalletAddresses(ctx context.Context, f core.WalletAddressFilter) ([]*core.WalletAddress, error)
	TransitionDeposit(ctx context.Context, t core.DepositTransition) (*core.DepositRecord, error)
	UpdateDepositChain(ctx context.Context, id int64, status core.DepositStatus, st core.ChainState) error
	FindRefunds(ctx context.Context, f core.RefundFilter) ([]*core.Refund, error)
	TransitionRefund(ctx context.Context, t core.RefundTransition) (*core.Refund, error)
	UpdateRefundChain(ctx context.Context, id int64, status core.RefundStatus, confirmations int) error
}

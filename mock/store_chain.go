package mock

import (
	"context"

	"depositdesk/core"
)

// DepositAddressFor implements core.Store.
func (s *Store) DepositAddressFor(ctx context.Context, customerID int64, a *core.Asset, derive func(uint32) (string, error), audit core.AuditEntry) (*core.DepositAddress, error) {
	if s.DepositAddressForFunc == nil {
		return nil, s.unexpected("DepositAddressFor")
	}
	return s.DepositAddressForFunc(ctx, customerID, a, derive, audit)
}

// FindDepositAddresses implements core.Store.
func (s *Store) FindDepositAddresses(ctx context.Context, f core.DepositAddressFilter) ([]*core.DepositAddress, error) {
	if s.FindDepositAddressesFunc == nil {
		return nil, s.unexpected("FindDepositAddresses")
	}
	return s.FindDepositAddressesFunc(ctx, f)
}

// FindWatchedDeposits implements core.Store.
func (s *Store) FindWatchedDeposits(ctx context.Context, network string) ([]*core.WatchedDeposit, error) {
	if s.FindWatchedDepositsFunc == nil {
		return nil, s.unexpected("FindWatchedDeposits")
	}
	return s.FindWatchedDepositsFunc(ctx, network)
}

// UpdateDepositChain implements core.Store.
func (s *Store) UpdateDepositChain(ctx context.Context, id int64, status core.DepositStatus, st core.ChainState) error {
	if s.UpdateDepositChainFunc == nil {
		return s.unexpected("UpdateDepositChain")
	}
	return s.UpdateDepositChainFunc(ctx, id, status, st)
}

// RecentBlocks implements core.Store.
func (s *Store) RecentBlocks(ctx context.Context, network string) ([]core.ChainBlock, error) {
	if s.RecentBlocksFunc == nil {
		return nil, s.unexpected("RecentBlocks")
	}
	return s.RecentBlocksFunc(ctx, network)
}

// SaveBlocks implements core.Store.
func (s *Store) SaveBlocks(ctx context.Context, network string, blocks []core.ChainBlock, keep int) error {
	if s.SaveBlocksFunc == nil {
		return s.unexpected("SaveBlocks")
	}
	return s.SaveBlocksFunc(ctx, network, blocks, keep)
}

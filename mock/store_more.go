package mock

// The Store methods of deposit addresses, the chain watcher, manual
// verification, refunds and settings; store.go holds the struct and the older methods.

import (
	"context"

	"depositdesk/core"
)

// DepositAddressFor implements core.Store.
func (s *Store) DepositAddressFor(ctx context.Context, customerID int64, a *core.Asset, derive func(uint32) (string, error), audit core.AuditEntry) (*core.DepositAddress, bool, error) {
	if s.DepositAddressForFunc == nil {
		return nil, false, s.unexpected("DepositAddressFor")
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
func (s *Store) FindWatchedDeposits(ctx context.Context, network core.Network) ([]*core.WatchedDeposit, error) {
	if s.FindWatchedDepositsFunc == nil {
		return nil, s.unexpected("FindWatchedDeposits")
	}
	return s.FindWatchedDepositsFunc(ctx, network)
}

// FindWatchedDepositChanges implements core.Store.
func (s *Store) FindWatchedDepositChanges(ctx context.Context, network core.Network, since *core.WatchMark) ([]*core.WatchedDeposit, core.WatchMark, error) {
	if s.FindWatchedDepositChangesFunc == nil {
		return nil, core.WatchMark{}, s.unexpected("FindWatchedDepositChanges")
	}
	return s.FindWatchedDepositChangesFunc(ctx, network, since)
}

// UpdateDepositChain implements core.Store.
func (s *Store) UpdateDepositChain(ctx context.Context, id int64, status core.DepositStatus, st core.ChainState) error {
	if s.UpdateDepositChainFunc == nil {
		return s.unexpected("UpdateDepositChain")
	}
	return s.UpdateDepositChainFunc(ctx, id, status, st)
}

// RecentBlocks implements core.Store.
func (s *Store) RecentBlocks(ctx context.Context, network core.Network) ([]core.ChainBlock, error) {
	if s.RecentBlocksFunc == nil {
		return nil, s.unexpected("RecentBlocks")
	}
	return s.RecentBlocksFunc(ctx, network)
}

// SaveBlocks implements core.Store.
func (s *Store) SaveBlocks(ctx context.Context, network core.Network, blocks []core.ChainBlock, keep int) error {
	if s.SaveBlocksFunc == nil {
		return s.unexpected("SaveBlocks")
	}
	return s.SaveBlocksFunc(ctx, network, blocks, keep)
}

// CreateManualVerification implements core.Store.
func (s *Store) CreateManualVerification(ctx context.Context, mv *core.ManualVerification, audit core.AuditEntry) error {
	if s.CreateManualVerificationFunc == nil {
		return s.unexpected("CreateManualVerification")
	}
	return s.CreateManualVerificationFunc(ctx, mv, audit)
}

// FindManualVerification implements core.Store.
func (s *Store) FindManualVerification(ctx context.Context, addressID int64) (*core.ManualVerification, error) {
	if s.FindManualVerificationFunc == nil {
		return nil, s.unexpected("FindManualVerification")
	}
	return s.FindManualVerificationFunc(ctx, addressID)
}

// ApproveManualVerification implements core.Store.
func (s *Store) ApproveManualVerification(ctx context.Context, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	if s.ApproveManualVerificationFunc == nil {
		return nil, s.unexpected("ApproveManualVerification")
	}
	return s.ApproveManualVerificationFunc(ctx, change, audit)
}

// CreateMicroDeposit implements core.Store.
func (s *Store) CreateMicroDeposit(ctx context.Context, md *core.MicroDeposit, audit core.AuditEntry) error {
	if s.CreateMicroDepositFunc == nil {
		return s.unexpected("CreateMicroDeposit")
	}
	return s.CreateMicroDepositFunc(ctx, md, audit)
}

// FindMicroDeposits implements core.Store.
func (s *Store) FindMicroDeposits(ctx context.Context, addressID, id int64) ([]*core.MicroDeposit, error) {
	if s.FindMicroDepositsFunc == nil {
		return nil, s.unexpected("FindMicroDeposits")
	}
	return s.FindMicroDepositsFunc(ctx, addressID, id)
}

// UseMicroDeposit implements core.Store.
func (s *Store) UseMicroDeposit(ctx context.Context, id int64, txid string, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	if s.UseMicroDepositFunc == nil {
		return nil, s.unexpected("UseMicroDeposit")
	}
	return s.UseMicroDepositFunc(ctx, id, txid, change, audit)
}

// Setting implements core.Store.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	if s.SettingFunc == nil {
		return "", s.unexpected("Setting")
	}
	return s.SettingFunc(ctx, name)
}

// SetSetting implements core.Store.
func (s *Store) SetSetting(ctx context.Context, name, value string, audit core.AuditEntry) error {
	if s.SetSettingFunc == nil {
		return s.unexpected("SetSetting")
	}
	return s.SetSettingFunc(ctx, name, value, audit)
}

// CreateRefund implements core.Store.
func (s *Store) CreateRefund(ctx context.Context, r *core.Refund, deposit core.DepositTransition) error {
	if s.CreateRefundFunc == nil {
		return s.unexpected("CreateRefund")
	}
	return s.CreateRefundFunc(ctx, r, deposit)
}

// FindRefunds implements core.Store.
func (s *Store) FindRefunds(ctx context.Context, f core.RefundFilter) ([]*core.Refund, error) {
	if s.FindRefundsFunc == nil {
		return nil, s.unexpected("FindRefunds")
	}
	return s.FindRefundsFunc(ctx, f)
}

// TransitionRefund implements core.Store.
func (s *Store) TransitionRefund(ctx context.Context, t core.RefundTransition) (*core.Refund, error) {
	if s.TransitionRefundFunc == nil {
		return nil, s.unexpected("TransitionRefund")
	}
	return s.TransitionRefundFunc(ctx, t)
}

// UpdateRefundChain implements core.Store.
func (s *Store) UpdateRefundChain(ctx context.Context, id int64, status core.RefundStatus, confirmations int) error {
	if s.UpdateRefundChainFunc == nil {
		return s.unexpected("UpdateRefundChain")
	}
	return s.UpdateRefundChainFunc(ctx, id, status, confirmations)
}

// NotifyRefund implements core.Store.
func (s *Store) NotifyRefund(ctx context.Context, id int64, n core.RefundNotice, audit core.AuditEntry) (*core.Refund, error) {
	if s.NotifyRefundFunc == nil {
		return nil, s.unexpected("NotifyRefund")
	}
	return s.NotifyRefundFunc(ctx, id, n, audit)
}

// FindPayoutCoins implements core.Store.
func (s *Store) FindPayoutCoins(ctx context.Context, f core.PayoutCoinFilter) ([]core.PayoutInput, error) {
	if s.FindPayoutCoinsFunc == nil {
		return nil, s.unexpected("FindPayoutCoins")
	}
	return s.FindPayoutCoinsFunc(ctx, f)
}

// FindHeldSpends implements core.Store.
func (s *Store) FindHeldSpends(ctx context.Context, prefix string) ([]string, error) {
	if s.FindHeldSpendsFunc == nil {
		return nil, s.unexpected("FindHeldSpends")
	}
	return s.FindHeldSpendsFunc(ctx, prefix)
}

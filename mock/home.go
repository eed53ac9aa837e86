package mock

import (
	"context"
	"time"

	"depositdesk/core"
)

// CountDepositsInStatus implements core.HomeStore.
func (s *Store) CountDepositsInStatus(ctx context.Context, status core.DepositStatus, limit int) (int64, error) {
	if s.CountDepositsInStatusFunc == nil {
		return 0, s.unexpected("CountDepositsInStatus")
	}
	return s.CountDepositsInStatusFunc(ctx, status, limit)
}

// CountWalletAddresses implements core.HomeStore.
func (s *Store) CountWalletAddresses(ctx context.Context, status core.AddressStatus, limit int) (int64, error) {
	if s.CountWalletAddressesFunc == nil {
		return 0, s.unexpected("CountWalletAddresses")
	}
	return s.CountWalletAddressesFunc(ctx, status, limit)
}

// CountManualVerifications implements core.HomeStore.
func (s *Store) CountManualVerifications(ctx context.Context, limit int) (int64, error) {
	if s.CountManualVerificationsFunc == nil {
		return 0, s.unexpected("CountManualVerifications")
	}
	return s.CountManualVerificationsFunc(ctx, limit)
}

// CountRefunds implements core.HomeStore.
func (s *Store) CountRefunds(ctx context.Context, status core.RefundStatus, unnotified bool, limit int) (int64, error) {
	if s.CountRefundsFunc == nil {
		return 0, s.unexpected("CountRefunds")
	}
	return s.CountRefundsFunc(ctx, status, unnotified, limit)
}

// DepositStats implements core.HomeStore.
func (s *Store) DepositStats(ctx context.Context, from, to time.Time) (*core.DepositStats, error) {
	if s.DepositStatsFunc == nil {
		return nil, s.unexpected("DepositStats")
	}
	return s.DepositStatsFunc(ctx, from, to)
}

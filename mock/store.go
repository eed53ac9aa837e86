// Package mock holds a core.Store whose every method is a Func field, for
// Service unit tests that need to see exactly which store calls happen.
// A method whose Func is nil fails the test through Unexpected, so a test
// that leaves a field unset also asserts the method is never called.
package mock

import (
	"context"
	"iter"
	"time"

	"depositdesk/core"
)

var _ core.Store = (*Store)(nil)

// Store implements core.Store with Func fields.
type Store struct {
	// Unexpected is called with the method name when a nil Func is invoked;
	// tests set it to t.Errorf-style reporting. When nil, the call returns
	// an EINTERNAL error instead.
	Unexpected func(method string)

	CloseFunc                   func() error
	CreateOperatorFunc          func(ctx context.Context, op *core.Operator, audit core.AuditEntry) error
	FindOperatorsFunc           func(ctx context.Context, f core.OperatorFilter) ([]*core.Operator, error)
	UpdateOperatorFunc          func(ctx context.Context, id int64, upd core.OperatorUpdate, audit core.AuditEntry) (*core.Operator, error)
	ClaimLoginAttemptFunc       func(ctx context.Context, id int64, maxAttempts int, now, lockUntil time.Time) (*core.Operator, error)
	CountOperatorsFunc          func(ctx context.Context) (int, error)
	RegisterOperatorKeyFunc     func(ctx context.Context, k *core.OperatorKey, audit core.AuditEntry) error
	FindOperatorKeysFunc        func(ctx context.Context, f core.OperatorKeyFilter) ([]*core.OperatorKey, error)
	CreateAssetFunc             func(ctx context.Context, a *core.Asset, audit core.AuditEntry) error
	UpdateAssetFunc             func(ctx context.Context, id int64, upd core.AssetUpdate, audit core.AuditEntry) (*core.Asset, error)
	FindAssetsFunc              func(ctx context.Context, f core.AssetFilter) ([]*core.Asset, error)
	CreateCustomerFunc          func(ctx context.Context, c *core.Customer, audit core.AuditEntry) error
	FindCustomersFunc           func(ctx context.Context, f core.CustomerFilter) ([]*core.Customer, error)
	CreateWalletAddressFunc     func(ctx context.Context, w *core.WalletAddress, audit core.AuditEntry) error
	SetWalletAddressStatusFunc  func(ctx context.Context, ch core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error)
	FindWalletAddressesFunc     func(ctx context.Context, f core.WalletAddressFilter) ([]*core.WalletAddress, error)
	CreateAddressChallengeFunc  func(ctx context.Context, ch *core.AddressChallenge, audit core.AuditEntry) error
	FindAddressChallengesFunc   func(ctx context.Context, f core.ChallengeFilter) ([]*core.AddressChallenge, error)
	UseAddressChallengeFunc     func(ctx context.Context, id int64, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error)
	CreateDepositFunc           func(ctx context.Context, d *core.DepositRecord, audit core.AuditEntry) (*core.DepositRecord, bool, error)
	TransitionDepositFunc       func(ctx context.Context, t core.DepositTransition) (*core.DepositRecord, error)
	FindDepositsFunc            func(ctx context.Context, f core.DepositFilter) (core.DepositPage, error)
	CountDepositsFunc           func(ctx context.Context, f core.DepositFilter, limit int) (int, bool, error)
	CustomerHasKeyedDepositFunc func(ctx context.Context, customerNo, keyPrefix string) (bool, error)
	BulkInsertDepositsFunc      func(ctx context.Context, recs iter.Seq[*core.DepositRecord], audit func(*core.DepositRecord) core.AuditEntry) (int, error)
	AppendAuditFunc             func(ctx context.Context, e core.AuditEntry) error
	FindAuditFunc               func(ctx context.Context, f core.AuditFilter) ([]*core.AuditEntry, error)
	AuditStateFunc              func(ctx context.Context) (core.AuditState, error)

	DepositAddressForFunc         func(ctx context.Context, customerID int64, a *core.Asset, derive func(uint32) (string, error), audit core.AuditEntry) (*core.DepositAddress, bool, error)
	FindDepositAddressesFunc      func(ctx context.Context, f core.DepositAddressFilter) ([]*core.DepositAddress, error)
	FindWatchedDepositsFunc       func(ctx context.Context, network core.Network) ([]*core.WatchedDeposit, error)
	FindWatchedDepositChangesFunc func(ctx context.Context, network core.Network, since *core.WatchMark) ([]*core.WatchedDeposit, core.WatchMark, error)
	UpdateDepositChainFunc        func(ctx context.Context, id int64, status core.DepositStatus, st core.ChainState) error
	RecentBlocksFunc              func(ctx context.Context, network core.Network) ([]core.ChainBlock, error)
	SaveBlocksFunc                func(ctx context.Context, network core.Network, blocks []core.ChainBlock, keep int) error

	CreateMicroDepositFunc        func(ctx context.Context, md *core.MicroDeposit, audit core.AuditEntry) error
	FindMicroDepositsFunc         func(ctx context.Context, addressID, id int64) ([]*core.MicroDeposit, error)
	UseMicroDepositFunc           func(ctx context.Context, id int64, txid string, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error)
	CreateManualVerificationFunc  func(ctx context.Context, mv *core.ManualVerification, audit core.AuditEntry) error
	FindManualVerificationFunc    func(ctx context.Context, addressID int64) (*core.ManualVerification, error)
	ApproveManualVerificationFunc func(ctx context.Context, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error)
	AttachDepositTxFunc           func(ctx context.Context, a core.DepositTxAttachment) (*core.DepositRecord, error)
	CountDepositsByStatusFunc     func(ctx context.Context) (map[core.DepositStatus]int64, error)
	CountDepositsInStatusFunc     func(ctx context.Context, status core.DepositStatus, limit int) (int64, error)
	CountWalletAddressesFunc      func(ctx context.Context, status core.AddressStatus, limit int) (int64, error)
	CountManualVerificationsFunc  func(ctx context.Context, limit int) (int64, error)
	CountRefundsFunc              func(ctx context.Context, status core.RefundStatus, unnotified bool, limit int) (int64, error)
	DepositStatsFunc              func(ctx context.Context, from, to time.Time) (*core.DepositStats, error)
	CreateAPIClientFunc           func(ctx context.Context, c *core.APIClient, audit core.AuditEntry) error
	FindAPIClientsFunc            func(ctx context.Context, f core.APIClientFilter) ([]*core.APIClient, error)
	RevokeAPIClientFunc           func(ctx context.Context, id int64, audit core.AuditEntry) (*core.APIClient, error)
	SettingFunc                   func(ctx context.Context, name string) (string, error)
	CreateRefundFunc              func(ctx context.Context, r *core.Refund, deposit core.DepositTransition) error
	FindRefundsFunc               func(ctx context.Context, f core.RefundFilter) ([]*core.Refund, error)
	TransitionRefundFunc          func(ctx context.Context, t core.RefundTransition) (*core.Refund, error)
	UpdateRefundChainFunc         func(ctx context.Context, id int64, status core.RefundStatus, confirmations int) error
	NotifyRefundFunc              func(ctx context.Context, id int64, n core.RefundNotice, audit core.AuditEntry) (*core.Refund, error)
	FindPayoutCoinsFunc           func(ctx context.Context, f core.PayoutCoinFilter) ([]core.PayoutInput, error)
	FindHeldSpendsFunc            func(ctx context.Context, prefix string) ([]string, error)
	SetSettingFunc                func(ctx context.Context, name, value string, audit core.AuditEntry) error
}

func (s *Store) unexpected(method string) error {
	if s.Unexpected != nil {
		s.Unexpected(method)
	}
	return core.Errorf(core.EINTERNAL, "mock: unexpected call to %s", method)
}

// Close implements core.Store; a nil CloseFunc is allowed and does nothing.
func (s *Store) Close() error {
	if s.CloseFunc == nil {
		return nil
	}
	return s.CloseFunc()
}

// CreateOperator implements core.Store.
func (s *Store) CreateOperator(ctx context.Context, op *core.Operator, audit core.AuditEntry) error {
	if s.CreateOperatorFunc == nil {
		return s.unexpected("CreateOperator")
	}
	return s.CreateOperatorFunc(ctx, op, audit)
}

// FindOperators implements core.Store.
func (s *Store) FindOperators(ctx context.Context, f core.OperatorFilter) ([]*core.Operator, error) {
	if s.FindOperatorsFunc == nil {
		return nil, s.unexpected("FindOperators")
	}
	return s.FindOperatorsFunc(ctx, f)
}

// UpdateOperator implements core.Store.
func (s *Store) UpdateOperator(ctx context.Context, id int64, upd core.OperatorUpdate, audit core.AuditEntry) (*core.Operator, error) {
	if s.UpdateOperatorFunc == nil {
		return nil, s.unexpected("UpdateOperator")
	}
	return s.UpdateOperatorFunc(ctx, id, upd, audit)
}

// ClaimLoginAttempt implements core.Store.
func (s *Store) ClaimLoginAttempt(ctx context.Context, id int64, maxAttempts int, now, lockUntil time.Time) (*core.Operator, error) {
	if s.ClaimLoginAttemptFunc == nil {
		return nil, s.unexpected("ClaimLoginAttempt")
	}
	return s.ClaimLoginAttemptFunc(ctx, id, maxAttempts, now, lockUntil)
}

// CountOperators implements core.Store.
func (s *Store) CountOperators(ctx context.Context) (int, error) {
	if s.CountOperatorsFunc == nil {
		return 0, s.unexpected("CountOperators")
	}
	return s.CountOperatorsFunc(ctx)
}

// RegisterOperatorKey implements core.Store.
func (s *Store) RegisterOperatorKey(ctx context.Context, k *core.OperatorKey, audit core.AuditEntry) error {
	if s.RegisterOperatorKeyFunc == nil {
		return s.unexpected("RegisterOperatorKey")
	}
	return s.RegisterOperatorKeyFunc(ctx, k, audit)
}

// FindOperatorKeys implements core.Store.
func (s *Store) FindOperatorKeys(ctx context.Context, f core.OperatorKeyFilter) ([]*core.OperatorKey, error) {
	if s.FindOperatorKeysFunc == nil {
		return nil, s.unexpected("FindOperatorKeys")
	}
	return s.FindOperatorKeysFunc(ctx, f)
}

// CreateAsset implements core.Store.
func (s *Store) CreateAsset(ctx context.Context, a *core.Asset, audit core.AuditEntry) error {
	if s.CreateAssetFunc == nil {
		return s.unexpected("CreateAsset")
	}
	return s.CreateAssetFunc(ctx, a, audit)
}

// UpdateAsset implements core.Store.
func (s *Store) UpdateAsset(ctx context.Context, id int64, upd core.AssetUpdate, audit core.AuditEntry) (*core.Asset, error) {
	if s.UpdateAssetFunc == nil {
		return nil, s.unexpected("UpdateAsset")
	}
	return s.UpdateAssetFunc(ctx, id, upd, audit)
}

// FindAssets implements core.Store.
func (s *Store) FindAssets(ctx context.Context, f core.AssetFilter) ([]*core.Asset, error) {
	if s.FindAssetsFunc == nil {
		return nil, s.unexpected("FindAssets")
	}
	return s.FindAssetsFunc(ctx, f)
}

// CreateCustomer implements core.Store.
func (s *Store) CreateCustomer(ctx context.Context, c *core.Customer, audit core.AuditEntry) error {
	if s.CreateCustomerFunc == nil {
		return s.unexpected("CreateCustomer")
	}
	return s.CreateCustomerFunc(ctx, c, audit)
}

// FindCustomers implements core.Store.
func (s *Store) FindCustomers(ctx context.Context, f core.CustomerFilter) ([]*core.Customer, error) {
	if s.FindCustomersFunc == nil {
		return nil, s.unexpected("FindCustomers")
	}
	return s.FindCustomersFunc(ctx, f)
}

// CreateWalletAddress implements core.Store.
func (s *Store) CreateWalletAddress(ctx context.Context, w *core.WalletAddress, audit core.AuditEntry) error {
	if s.CreateWalletAddressFunc == nil {
		return s.unexpected("CreateWalletAddress")
	}
	return s.CreateWalletAddressFunc(ctx, w, audit)
}

// SetWalletAddressStatus implements core.Store.
func (s *Store) SetWalletAddressStatus(ctx context.Context, ch core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	if s.SetWalletAddressStatusFunc == nil {
		return nil, s.unexpected("SetWalletAddressStatus")
	}
	return s.SetWalletAddressStatusFunc(ctx, ch, audit)
}

// FindWalletAddresses implements core.Store.
func (s *Store) FindWalletAddresses(ctx context.Context, f core.WalletAddressFilter) ([]*core.WalletAddress, error) {
	if s.FindWalletAddressesFunc == nil {
		return nil, s.unexpected("FindWalletAddresses")
	}
	return s.FindWalletAddressesFunc(ctx, f)
}

// CreateDeposit implements core.Store.
func (s *Store) CreateDeposit(ctx context.Context, d *core.DepositRecord, audit core.AuditEntry) (*core.DepositRecord, bool, error) {
	if s.CreateDepositFunc == nil {
		return nil, false, s.unexpected("CreateDeposit")
	}
	return s.CreateDepositFunc(ctx, d, audit)
}

// TransitionDeposit implements core.Store.
func (s *Store) TransitionDeposit(ctx context.Context, t core.DepositTransition) (*core.DepositRecord, error) {
	if s.TransitionDepositFunc == nil {
		return nil, s.unexpected("TransitionDeposit")
	}
	return s.TransitionDepositFunc(ctx, t)
}

// FindDeposits implements core.Store.
func (s *Store) FindDeposits(ctx context.Context, f core.DepositFilter) (core.DepositPage, error) {
	if s.FindDepositsFunc == nil {
		return core.DepositPage{}, s.unexpected("FindDeposits")
	}
	return s.FindDepositsFunc(ctx, f)
}

// CountDeposits implements core.Store.
func (s *Store) CountDeposits(ctx context.Context, f core.DepositFilter, limit int) (int, bool, error) {
	if s.CountDepositsFunc == nil {
		return 0, false, s.unexpected("CountDeposits")
	}
	return s.CountDepositsFunc(ctx, f, limit)
}

// CustomerHasKeyedDeposit implements core.Store.
func (s *Store) CustomerHasKeyedDeposit(ctx context.Context, customerNo, keyPrefix string) (bool, error) {
	if s.CustomerHasKeyedDepositFunc == nil {
		return false, s.unexpected("CustomerHasKeyedDeposit")
	}
	return s.CustomerHasKeyedDepositFunc(ctx, customerNo, keyPrefix)
}

// BulkInsertDeposits implements core.Store.
func (s *Store) BulkInsertDeposits(ctx context.Context, recs iter.Seq[*core.DepositRecord], audit func(*core.DepositRecord) core.AuditEntry) (int, error) {
	if s.BulkInsertDepositsFunc == nil {
		return 0, s.unexpected("BulkInsertDeposits")
	}
	return s.BulkInsertDepositsFunc(ctx, recs, audit)
}

// AppendAudit implements core.Store.
func (s *Store) AppendAudit(ctx context.Context, e core.AuditEntry) error {
	if s.AppendAuditFunc == nil {
		return s.unexpected("AppendAudit")
	}
	return s.AppendAuditFunc(ctx, e)
}

// FindAudit implements core.Store.
func (s *Store) FindAudit(ctx context.Context, f core.AuditFilter) ([]*core.AuditEntry, error) {
	if s.FindAuditFunc == nil {
		return nil, s.unexpected("FindAudit")
	}
	return s.FindAuditFunc(ctx, f)
}

// AuditState implements core.Store.
func (s *Store) AuditState(ctx context.Context) (core.AuditState, error) {
	if s.AuditStateFunc == nil {
		return core.AuditState{}, s.unexpected("AuditState")
	}
	return s.AuditStateFunc(ctx)
}

// CreateAddressChallenge implements core.Store.
func (s *Store) CreateAddressChallenge(ctx context.Context, ch *core.AddressChallenge, audit core.AuditEntry) error {
	if s.CreateAddressChallengeFunc == nil {
		return s.unexpected("CreateAddressChallenge")
	}
	return s.CreateAddressChallengeFunc(ctx, ch, audit)
}

// FindAddressChallenges implements core.Store.
func (s *Store) FindAddressChallenges(ctx context.Context, f core.ChallengeFilter) ([]*core.AddressChallenge, error) {
	if s.FindAddressChallengesFunc == nil {
		return nil, s.unexpected("FindAddressChallenges")
	}
	return s.FindAddressChallengesFunc(ctx, f)
}

// UseAddressChallenge implements core.Store.
func (s *Store) UseAddressChallenge(ctx context.Context, id int64, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	if s.UseAddressChallengeFunc == nil {
		return nil, s.unexpected("UseAddressChallenge")
	}
	return s.UseAddressChallengeFunc(ctx, id, change, audit)
}

// AttachDepositTx implements core.Store.
func (s *Store) AttachDepositTx(ctx context.Context, a core.DepositTxAttachment) (*core.DepositRecord, error) {
	if s.AttachDepositTxFunc == nil {
		return nil, s.unexpected("AttachDepositTx")
	}
	return s.AttachDepositTxFunc(ctx, a)
}

// CountDepositsByStatus implements core.Store.
func (s *Store) CountDepositsByStatus(ctx context.Context) (map[core.DepositStatus]int64, error) {
	if s.CountDepositsByStatusFunc == nil {
		return nil, s.unexpected("CountDepositsByStatus")
	}
	return s.CountDepositsByStatusFunc(ctx)
}

// CreateAPIClient implements core.Store.
func (s *Store) CreateAPIClient(ctx context.Context, c *core.APIClient, audit core.AuditEntry) error {
	if s.CreateAPIClientFunc == nil {
		return s.unexpected("CreateAPIClient")
	}
	return s.CreateAPIClientFunc(ctx, c, audit)
}

// FindAPIClients implements core.Store.
func (s *Store) FindAPIClients(ctx context.Context, f core.APIClientFilter) ([]*core.APIClient, error) {
	if s.FindAPIClientsFunc == nil {
		return nil, s.unexpected("FindAPIClients")
	}
	return s.FindAPIClientsFunc(ctx, f)
}

// RevokeAPIClient implements core.Store.
func (s *Store) RevokeAPIClient(ctx context.Context, id int64, audit core.AuditEntry) (*core.APIClient, error) {
	if s.RevokeAPIClientFunc == nil {
		return nil, s.unexpected("RevokeAPIClient")
	}
	return s.RevokeAPIClientFunc(ctx, id, audit)
}

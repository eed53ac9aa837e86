package core_test

import (
	"context"
	"io"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/mock"
)

// strictStore is a mock whose every call fails the test: the methods a test
// expects are set on it as Func fields.
func strictStore(t *testing.T) *mock.Store {
	t.Helper()
	return &mock.Store{
		Unexpected: func(m string) { t.Errorf("unexpected store call %s", m) },
		// Authorisation reads the session's operator afresh; here the
		// database agrees with the session.
		FindOperatorsFunc: func(ctx context.Context, f core.OperatorFilter) ([]*core.Operator, error) {
			if op := core.OperatorFromContext(ctx); op != nil && f.ID != nil && *f.ID == op.ID {
				cp := *op
				return []*core.Operator{&cp}, nil
			}
			return nil, nil
		},
	}
}

func newTestService(store core.Store, now time.Time) *core.Service {
	return &core.Service{Store: store, Now: func() time.Time { return now }, PasswordCost: cheapArgon2}
}

// withOperator returns a context carrying an operator with perms.
func withOperator(name string, perms ...core.Permission) context.Context {
	return core.NewContextWithOperator(context.Background(), &core.Operator{ID: 1, Name: name, Permissions: perms})
}

// serviceCall is one guarded Service method called with plausible arguments.
type serviceCall struct {
	name   string
	action core.Action
	call   func(ctx context.Context, s *core.Service) error
}

func guardedCalls() []serviceCall {
	asset := func() *core.Asset {
		return &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, MinDeposit: bigOne(), ConfirmationsRequired: 1}
	}
	app := core.DepositApplication{Channel: core.ChannelBranch, CustomerNo: "C10001", SecuritiesAccount: "SA-20001", AssetSymbol: "BTC", Network: "regtest",
		Amount: "1", SourceAddress: "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", DestinationAddress: "n3GNqMveyvaPvUbH469vDRadqpJMPc84JA"}
	const rec = "D20261125-000001"
	return []serviceCall{
		{"CreateAsset", core.ActionConfigureAssets, func(ctx context.Context, s *core.Service) error { return s.CreateAsset(ctx, asset()) }},
		{"RequestRefund", core.ActionRequestRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.RequestRefund(ctx, rec, core.RefundRequest{IdentityCheck: checked, AddressID: 1})
			return err
		}},
		{"RefundAddresses", core.ActionRequestRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.RefundAddresses(ctx, rec)
			return err
		}},
		{"ApproveRefund", core.ActionApproveRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.ApproveRefund(ctx, 1)
			return err
		}},
		{"RejectRefund", core.ActionApproveRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.RejectRefund(ctx, 1, "wrong address")
			return err
		}},
		{"Refunds", core.ActionViewRefunds, func(ctx context.Context, s *core.Service) error {
			_, err := s.Refunds(ctx, core.RefundFilter{})
			return err
		}},
		{"ImportSigningKey", core.ActionSignRefund, func(ctx context.Context, s *core.Service) error {
			return s.ImportSigningKey(ctx, "BTC", "regtest", "tprv")
		}},
		{"CheckSigningKey", core.ActionSignRefund, func(ctx context.Context, s *core.Service) error {
			return s.CheckSigningKey(ctx, "BTC", "regtest")
		}},
		{"FirmName", core.ActionConfigureDesk, func(ctx context.Context, s *core.Service) error {
			_, err := s.FirmName(ctx)
			return err
		}},
		{"SetFirmName", core.ActionConfigureDesk, func(ctx context.Context, s *core.Service) error {
			return s.SetFirmName(ctx, "Example Securities")
		}},
		{"UpdateAsset", core.ActionConfigureAssets, func(ctx context.Context, s *core.Service) error {
			_, err := s.UpdateAsset(ctx, 1, core.AssetUpdate{Enabled: new(bool)})
			return err
		}},
		{"ListAssets", core.ActionViewAssets, func(ctx context.Context, s *core.Service) error {
			_, err := s.ListAssets(ctx, core.AssetFilter{})
			return err
		}},
		{"VerifyAudit", core.ActionViewAudit, func(ctx context.Context, s *core.Service) error {
			_, err := s.VerifyAudit(ctx, core.AuditAnchors{})
			return err
		}},
		{"AuditTrail", core.ActionViewAudit, func(ctx context.Context, s *core.Service) error {
			_, err := s.AuditTrail(ctx, core.AuditFilter{})
			return err
		}},
		{"ExportAudit", core.ActionViewAudit, func(ctx context.Context, s *core.Service) error {
			return s.ExportAudit(ctx, io.Discard, core.AuditJSONL)
		}},
		{"CreateCustomer", core.ActionManageCustomers, func(ctx context.Context, s *core.Service) error {
			return s.CreateCustomer(ctx, &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-20001", Name: "Kim"})
		}},
		{"FindCustomers", core.ActionViewCustomers, func(ctx context.Context, s *core.Service) error {
			_, err := s.FindCustomers(ctx, core.CustomerFilter{})
			return err
		}},
		{"AddWalletAddress", core.ActionManageCustomers, func(ctx context.Context, s *core.Service) error {
			_, err := s.AddWalletAddress(ctx, "C10001", core.ChainBitcoin, "regtest", app.SourceAddress, "")
			return err
		}},
		{"SubmitManualEvidence", core.ActionVerifyAddress, func(ctx context.Context, s *core.Service) error {
			_, err := s.SubmitManualEvidence(ctx, 1, "passport scan")
			return err
		}},
		{"ApproveManualEvidence", core.ActionVerifyAddress, func(ctx context.Context, s *core.Service) error {
			_, err := s.ApproveManualEvidence(ctx, 1)
			return err
		}},
		{"PendingManualEvidence", core.ActionViewCustomers, func(ctx context.Context, s *core.Service) error {
			_, err := s.PendingManualEvidence(ctx, 1)
			return err
		}},
		{"RejectAddress", core.ActionVerifyAddress, func(ctx context.Context, s *core.Service) error {
			_, err := s.RejectAddress(ctx, 1, "not theirs")
			return err
		}},
		{"RevokeAddress", core.ActionVerifyAddress, func(ctx context.Context, s *core.Service) error {
			_, err := s.RevokeAddress(ctx, 1, "compromised")
			return err
		}},
		{"FindWalletAddresses", core.ActionViewCustomers, func(ctx context.Context, s *core.Service) error {
			_, err := s.FindWalletAddresses(ctx, core.WalletAddressFilter{})
			return err
		}},
		{"SubmitApplication", core.ActionSubmitApplication, func(ctx context.Context, s *core.Service) error {
			_, _, err := s.SubmitApplication(ctx, app)
			return err
		}},
		{"DeleteApplication", core.ActionDeleteApplication, func(ctx context.Context, s *core.Service) error {
			_, err := s.DeleteApplication(ctx, rec, "duplicate")
			return err
		}},
		{"CanDelete", core.ActionDeleteApplication, func(ctx context.Context, s *core.Service) error { return s.CanDelete(ctx, rec) }},
		{"CanCancel", core.ActionCancelDeposit, func(ctx context.Context, s *core.Service) error { return s.CanCancel(ctx, rec) }},
		{"CancelDeposit", core.ActionCancelDeposit, func(ctx context.Context, s *core.Service) error {
			_, err := s.CancelDeposit(ctx, rec, "never sent")
			return err
		}},
		{"DecideHeld", core.ActionReviewHeld, func(ctx context.Context, s *core.Service) error {
			_, err := s.DecideHeld(ctx, rec, true, "checked")
			return err
		}},
		{"SearchDeposits", core.ActionViewRecords, func(ctx context.Context, s *core.Service) error {
			_, err := s.SearchDeposits(ctx, core.DepositFilter{})
			return err
		}},
		{"CountDeposits", core.ActionViewRecords, func(ctx context.Context, s *core.Service) error {
			_, err := s.CountDeposits(ctx, core.DepositFilter{})
			return err
		}},
		{"DepositStats", core.ActionViewRecords, func(ctx context.Context, s *core.Service) error {
			_, err := s.DepositStats(ctx)
			return err
		}},
		{"DepositDetail", core.ActionViewRecords, func(ctx context.Context, s *core.Service) error {
			_, err := s.DepositDetail(ctx, rec)
			return err
		}},
		{"SeedDeposits", core.ActionManageOperators, func(ctx context.Context, s *core.Service) error {
			return s.SeedDeposits(ctx, slices.Values([]*core.DepositRecord{}), 0)
		}},
		{"CreateOperator", core.ActionManageOperators, func(ctx context.Context, s *core.Service) error {
			_, err := s.CreateOperator(ctx, "bob", "long enough password", nil)
			return err
		}},
		{"SetOperatorDisabled", core.ActionManageOperators, func(ctx context.Context, s *core.Service) error {
			_, err := s.SetOperatorDisabled(ctx, "bob", true, "left the firm")
			return err
		}},
		{"SetOperatorPermissions", core.ActionManageOperators, func(ctx context.Context, s *core.Service) error {
			_, err := s.SetOperatorPermissions(ctx, "bob", nil)
			return err
		}},
		{"ListOperators", core.ActionManageOperators, func(ctx context.Context, s *core.Service) error {
			_, err := s.ListOperators(ctx)
			return err
		}},
		{"AttachTxID", core.ActionAttachTxID, func(ctx context.Context, s *core.Service) error {
			_, err := s.AttachTxID(ctx, rec, strings.Repeat("a", 64), 0)
			return err
		}},
		{"CreateAPIClient", core.ActionManageOperators, func(ctx context.Context, s *core.Service) error {
			_, _, err := s.CreateAPIClient(ctx, "crm", []core.Scope{core.ScopeIntake})
			return err
		}},
		{"ListAPIClients", core.ActionManageOperators, func(ctx context.Context, s *core.Service) error {
			_, err := s.ListAPIClients(ctx)
			return err
		}},
		{"StartWatcher", core.ActionRunWatcher, func(ctx context.Context, s *core.Service) error {
			_, err := s.StartWatcher(ctx, nil)
			return err
		}},
		{"MetricsAccess", core.ActionViewMetrics, func(ctx context.Context, s *core.Service) error {
			return s.MetricsAccess(ctx)
		}},
		{"ExportOperatorKeys", core.ActionExportOperatorKeys, func(ctx context.Context, s *core.Service) error {
			_, err := s.ExportOperatorKeys(ctx)
			return err
		}},
		{"MakeCheckpoint", core.ActionViewAudit, func(ctx context.Context, s *core.Service) error {
			_, err := s.MakeCheckpoint(ctx)
			return err
		}},
		{"CreateCheckpointKey", core.ActionConfigureDesk, func(ctx context.Context, s *core.Service) error {
			_, err := s.CreateCheckpointKey(ctx)
			return err
		}},
		{"RevokeAPIClient", core.ActionManageOperators, func(ctx context.Context, s *core.Service) error {
			_, err := s.RevokeAPIClient(ctx, "crm", "leaked")
			return err
		}},
		{"PrepareRefund", core.ActionPrepareRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.PrepareRefund(ctx, 1)
			return err
		}},
		{"ExecuteRefund", core.ActionSignRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.ExecuteRefund(ctx, 1)
			return err
		}},
		{"BroadcastRefund", core.ActionBroadcastRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.BroadcastRefund(ctx, 1)
			return err
		}},
		{"NotifyRefund", core.ActionNotifyRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.NotifyRefund(ctx, 1, core.NoticePhone, "called")
			return err
		}},
		{"ReplaceRefund", core.ActionApproveRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.ReplaceRefund(ctx, 1, "spent elsewhere")
			return err
		}},
		{"BumpRefundFee", core.ActionApproveRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.BumpRefundFee(ctx, 1, big.NewInt(20), "stuck")
			return err
		}},
		{"EstimateRefund", core.ActionViewRefunds, func(ctx context.Context, s *core.Service) error {
			_, err := s.EstimateRefund(ctx, 1)
			return err
		}},
		{"RefundPayer", core.ActionViewRefunds, func(ctx context.Context, s *core.Service) error {
			_, _, err := s.RefundPayer(ctx, "ETH", "dev")
			return err
		}},
		{"StationRefund", core.ActionPrepareRefund, func(ctx context.Context, s *core.Service) error {
			_, _, err := s.StationRefund(ctx, 1)
			return err
		}},
		{"PreviousTransactions", core.ActionPrepareRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.PreviousTransactions(ctx, &core.Refund{ID: 1, Chain: core.ChainBitcoin, Network: "regtest", Payout: &core.Payout{}})
			return err
		}},
		{"ImportSignedRefund", core.ActionPrepareRefund, func(ctx context.Context, s *core.Service) error {
			_, err := s.ImportSignedRefund(ctx, 1, []byte{1})
			return err
		}},
		{"Refund", core.ActionViewRefunds, func(ctx context.Context, s *core.Service) error {
			_, err := s.Refund(ctx, 1)
			return err
		}},
	}
}

func TestServiceRefusesBeforeTouchingTheStore(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for _, c := range guardedCalls() {
		t.Run(c.name+"/WithoutOperatorIsUnauthorized", func(t *testing.T) {
			t.Parallel()
			err := c.call(context.Background(), newTestService(strictStore(t), now))
			require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "%v", err)
		})
		t.Run(c.name+"/WithoutPermissionIsForbidden", func(t *testing.T) {
			t.Parallel()
			var others []core.Permission
			for _, p := range core.AllPermissions() {
				if !slices.Contains(core.Policy[c.action], p) {
					others = append(others, p)
				}
			}
			err := c.call(withOperator("eve", others...), newTestService(strictStore(t), now))
			require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "%v", err)
			require.Contains(t, core.ErrorMessage(err), "eve")
		})
		t.Run(c.name+"/DisabledOperatorIsUnauthorized", func(t *testing.T) {
			t.Parallel()
			op := &core.Operator{ID: 1, Name: "gone", Permissions: core.AllPermissions(), Disabled: true}
			err := c.call(core.NewContextWithOperator(context.Background(), op), newTestService(strictStore(t), now))
			require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "%v", err)
		})
	}
	for _, c := range guardedCalls() {
		if slices.Contains(core.ClientPolicy[core.ScopeIntake], c.action) {
			continue
		}
		t.Run(c.name+"/IntakeClientIsForbidden", func(t *testing.T) {
			t.Parallel()
			ctx := core.NewContextWithClient(context.Background(), &core.APIClient{ID: 1, Name: "crm", Scopes: []core.Scope{core.ScopeIntake}})
			err := c.call(ctx, newTestService(strictStore(t), now))
			require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "%v", err)
			require.Contains(t, core.ErrorMessage(err), "crm")
		})
	}
	t.Run("RevokedClientIsUnauthorized", func(t *testing.T) {
		t.Parallel()
		c := &core.APIClient{ID: 1, Name: "crm", Scopes: []core.Scope{core.ScopeIntake}, RevokedAt: now}
		_, _, err := newTestService(strictStore(t), now).SubmitApplication(core.NewContextWithClient(context.Background(), c), core.DepositApplication{})
		require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
	})
	t.Run("ChangePassword/WithoutOperatorIsUnauthorized", func(t *testing.T) {
		t.Parallel()
		err := newTestService(strictStore(t), now).ChangePassword(context.Background(), "old password!", "new password!")
		require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
	})
	t.Run("EveryActionIsCovered", func(t *testing.T) {
		t.Parallel()
		seen := map[core.Action]bool{}
		for _, c := range guardedCalls() {
			seen[c.action] = true
		}
		for a := range core.Policy {
			require.True(t, seen[a], "no Service call tested for %s", a)
		}
	})
}

func bigOne() *big.Int { return big.NewInt(1) }

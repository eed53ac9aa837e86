package core_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestParsePermission(t *testing.T) {
	t.Parallel()
	for _, p := range core.AllPermissions() {
		got, err := core.ParsePermission(string(p))
		require.NoError(t, err)
		require.Equal(t, p, got)
	}
	for in, want := range map[string]core.Permission{
		"deposit-records":       core.PermDepositRecords,
		"DEPOSIT_APPLICATION":   core.PermDepositApplication,
		" cancel ":              core.PermCancel,
		"refundapproval":        core.PermRefundApproval,
		"Sign-Refund":           core.PermSignRefund,
		"operator admin":        core.PermOperatorAdmin,
		"audit_view":            core.PermAuditView,
		"address  verification": core.PermAddressVerification,
	} {
		got, err := core.ParsePermission(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "admin", "Refunds", "Deposit"} {
		_, err := core.ParsePermission(in)
		require.Equal(t, core.EINVALID, core.ErrorCode(err), in)
	}
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	actions := []core.Action{
		core.ActionSubmitApplication, core.ActionDeleteApplication, core.ActionViewRecords, core.ActionCancelDeposit,
		core.ActionConfigureAssets, core.ActionViewAssets, core.ActionManageCustomers, core.ActionViewCustomers,
		core.ActionVerifyAddress, core.ActionReviewHeld, core.ActionManageOperators, core.ActionViewAudit,
		core.ActionRequestRefund, core.ActionApproveRefund, core.ActionSignRefund, core.ActionAttachTxID,
		core.ActionConfigureDesk, core.ActionViewRefunds, core.ActionViewMetrics, core.ActionRunWatcher,
		core.ActionPrepareRefund, core.ActionBroadcastRefund, core.ActionNotifyRefund, core.ActionExportOperatorKeys,
	}
	require.Len(t, core.Policy, len(actions), "every action has a policy row")

	t.Run("EveryActionNeedsAPermission", func(t *testing.T) {
		t.Parallel()
		none := &core.Operator{Name: "nobody"}
		for _, a := range actions {
			require.NotEmpty(t, core.Policy[a], a)
			require.False(t, none.Can(a), a)
		}
	})
	t.Run("EachListedPermissionSuffices", func(t *testing.T) {
		t.Parallel()
		for a, perms := range core.Policy {
			for _, p := range perms {
				op := &core.Operator{Name: "x", Permissions: []core.Permission{p}}
				require.True(t, op.Can(a), "%s with %s", a, p)
				require.True(t, op.Has(p))
			}
		}
	})
	t.Run("UnlistedPermissionsDoNotSuffice", func(t *testing.T) {
		t.Parallel()
		for a, perms := range core.Policy {
			for _, p := range core.AllPermissions() {
				listed := false
				for _, q := range perms {
					listed = listed || q == p
				}
				op := &core.Operator{Name: "x", Permissions: []core.Permission{p}}
				require.Equal(t, listed, op.Can(a), "%s with %s", a, p)
			}
		}
	})
	t.Run("DisabledOperatorCanDoNothing", func(t *testing.T) {
		t.Parallel()
		op := &core.Operator{Name: "x", Permissions: core.AllPermissions(), Disabled: true}
		for _, a := range actions {
			require.False(t, op.Can(a), a)
		}
		for _, p := range core.AllPermissions() {
			require.False(t, op.Has(p), p)
		}
	})
	t.Run("NilOperatorCanDoNothing", func(t *testing.T) {
		t.Parallel()
		var op *core.Operator
		require.False(t, op.Can(core.ActionViewRecords))
		require.False(t, op.Has(core.PermDepositRecords))
	})
	t.Run("SeedPermissionsMapToTheirPages", func(t *testing.T) {
		t.Parallel()
		only := func(p core.Permission) *core.Operator {
			return &core.Operator{Name: "x", Permissions: []core.Permission{p}}
		}
		require.True(t, only(core.PermCancel).Can(core.ActionCancelDeposit))
		require.False(t, only(core.PermDepositRecords).Can(core.ActionCancelDeposit))
		require.False(t, only(core.PermCancel).Can(core.ActionSubmitApplication))
		require.False(t, only(core.PermRefund).Can(core.ActionApproveRefund), "requesting a refund is not approving it")
	})
}

func TestValidateOperatorNameAndPassword(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"alice", "a.b-c_d@desk", "A1"} {
		require.NoError(t, core.ValidateOperatorName(ok), ok)
	}
	for _, bad := range []string{"", "has space", "semi;colon", "ünïcode", string(make([]byte, 65)), "watcher", "System", "SEED", "client:crm"} {
		require.Equal(t, core.EINVALID, core.ErrorCode(core.ValidateOperatorName(bad)), bad)
	}
	require.NoError(t, core.ValidatePassword("0123456789"))
	require.Equal(t, core.EINVALID, core.ErrorCode(core.ValidatePassword("012345678")))
	require.Equal(t, core.EINVALID, core.ErrorCode(core.ValidatePassword(string(make([]byte, 1025)))))
}

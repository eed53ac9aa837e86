package core

import (
	"slices"
	"strings"
)

// Permission is a right an operator holds. The first four are the operating
// guide's; the rest come from DESIGN.md.
type Permission string

const (
	PermDepositApplication  Permission = "Deposit Application"
	PermDepositRecords      Permission = "Deposit Records"
	PermCancel              Permission = "Cancel"
	PermRefund              Permission = "Refund"
	PermAssetConfiguration  Permission = "Asset Configuration"
	PermAddressVerification Permission = "Address Verification"
	PermRefundApproval      Permission = "Refund Approval"
	PermSignRefund          Permission = "Sign Refund"
	PermOperatorAdmin       Permission = "Operator Admin"
	PermAuditView           Permission = "Audit View"
	// PermChainWatcher lets an operator run the chain watcher from a
	// terminal (depositctl watch): the watcher's moves then name them.
	PermChainWatcher Permission = "Chain Watcher"
)

// AllPermissions lists every permission.
func AllPermissions() []Permission {
	return []Permission{
		PermDepositApplication, PermDepositRecords, PermCancel, PermRefund,
		PermAssetConfiguration, PermAddressVerification, PermRefundApproval,
		PermSignRefund, PermOperatorAdmin, PermAuditView, PermChainWatcher,
	}
}

// ParsePermission accepts a permission's name case-insensitively, with
// spaces, dashes or underscores ("deposit-records", "Deposit Records").
func ParsePermission(s string) (Permission, error) {
	norm := func(x string) string {
		return strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToLower(strings.TrimSpace(x)))
	}
	for _, p := range AllPermissions() {
		if norm(string(p)) == norm(s) {
			return p, nil
		}
	}
	return "", Errorf(EINVALID, "Unknown permission %q.", truncate(s, 60))
}

// Action is something an operator asks the Service to do.
type Action string

const (
	ActionSubmitApplication  Action = "submit deposit application"
	ActionDeleteApplication  Action = "delete deposit application"
	ActionViewRecords        Action = "view deposit records"
	ActionCancelDeposit      Action = "cancel deposit"
	ActionConfigureAssets    Action = "configure assets"
	ActionViewAssets         Action = "view assets"
	ActionManageCustomers    Action = "manage customers and addresses"
	ActionViewCustomers      Action = "view customers and addresses"
	ActionVerifyAddress      Action = "verify wallet address"
	ActionReviewHeld         Action = "decide held deposit"
	ActionManageOperators    Action = "manage operators"
	ActionViewAudit          Action = "view audit log"
	ActionRequestRefund      Action = "request refund"
	ActionApproveRefund      Action = "approve refund"
	ActionSignRefund         Action = "sign refund"
	ActionPrepareRefund      Action = "prepare refund"
	ActionBroadcastRefund    Action = "broadcast refund"
	ActionNotifyRefund       Action = "record the customer's refund notice"
	ActionAttachTxID         Action = "attach a transaction to a deposit application"
	ActionConfigureDesk      Action = "configure the desk"
	ActionViewRefunds        Action = "view refunds"
	ActionViewMetrics        Action = "read monitoring metrics"
	ActionRunWatcher         Action = "run the chain watcher"
	ActionExportOperatorKeys Action = "export the operators' approval keys"
	// ActionViewOwnRecords is an API client's read of the records it
	// created; operators read records through ActionViewRecords, so it has
	// no row in Policy.
	ActionViewOwnRecords Action = "view own deposit records"
)

// Policy is the one table that decides who may do what: an operator may
// take an action when they hold any of the listed permissions. The UI hides
// what it denies; the Service refuses it anyway.
var Policy = map[Action][]Permission{
	ActionSubmitApplication:  {PermDepositApplication},
	ActionDeleteApplication:  {PermDepositApplication},
	ActionViewRecords:        {PermDepositRecords, PermDepositApplication, PermCancel, PermRefund, PermAuditView},
	ActionCancelDeposit:      {PermCancel},
	ActionConfigureAssets:    {PermAssetConfiguration},
	ActionViewAssets:         {PermAssetConfiguration, PermDepositRecords, PermDepositApplication, PermAddressVerification, PermAuditView},
	ActionManageCustomers:    {PermAddressVerification, PermDepositApplication},
	ActionViewCustomers:      {PermAddressVerification, PermDepositApplication, PermDepositRecords, PermAuditView},
	ActionVerifyAddress:      {PermAddressVerification},
	ActionReviewHeld:         {PermRefundApproval},
	ActionManageOperators:    {PermOperatorAdmin},
	ActionViewAudit:          {PermAuditView},
	ActionRequestRefund:      {PermRefund},
	ActionApproveRefund:      {PermRefundApproval},
	ActionSignRefund:         {PermSignRefund},
	ActionPrepareRefund:      {PermRefund, PermSignRefund},
	ActionBroadcastRefund:    {PermRefund, PermSignRefund},
	ActionNotifyRefund:       {PermRefund},
	ActionAttachTxID:         {PermDepositApplication},
	ActionConfigureDesk:      {PermOperatorAdmin},
	ActionViewRefunds:        {PermRefund, PermRefundApproval, PermSignRefund, PermDepositRecords, PermAuditView},
	ActionViewMetrics:        {PermAuditView, PermOperatorAdmin},
	ActionRunWatcher:         {PermChainWatcher},
	ActionExportOperatorKeys: {PermOperatorAdmin, PermAuditView},
}

// Can reports whether the operator may take the action.
func (o *Operator) Can(a Action) bool {
	if o == nil || o.Disabled {
		return false
	}
	for _, p := range Policy[a] {
		if slices.Contains(o.Permissions, p) {
			return true
		}
	}
	return false
}

// Has reports whether the operator holds the permission itself.
func (o *Operator) Has(p Permission) bool {
	return o != nil && !o.Disabled && slices.Contains(o.Permissions, p)
}

// EncodePermissions is how storage keeps a permission list in one column.
func EncodePermissions(ps []Permission) string {
	ss := make([]string, len(ps))
	for i, p := range ps {
		ss[i] = string(p)
	}
	return strings.Join(ss, ",")
}

// DecodePermissions reverses EncodePermissions.
func DecodePermissions(s string) []Permission {
	if s == "" {
		return nil
	}
	var out []Permission
	for _, p := range strings.Split(s, ",") {
		out = append(out, Permission(p))
	}
	return out
}

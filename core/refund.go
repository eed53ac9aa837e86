package core

import (
	"math/big"
	"slices"
	"time"
)

// RefundStatus is the state of a refund of a credited deposit.
type RefundStatus string

const (
	RefundRequested RefundStatus = "requested"
	RefundApproved  RefundStatus = "approved"
	RefundSigned    RefundStatus = "signed"
	RefundBroadcast RefundStatus = "broadcast"
	RefundConfirmed RefundStatus = "confirmed"
	RefundFailed    RefundStatus = "failed"
	RefundRejected  RefundStatus = "rejected"
)

// Display is the operator-facing text.
func (s RefundStatus) Display() string {
	switch s {
	case RefundRequested:
		return "Requested"
	case RefundApproved:
		return "Approved"
	case RefundSigned:
		return "Signed"
	case RefundBroadcast:
		return "Broadcast"
	case RefundConfirmed:
		return "Confirmed"
	case RefundFailed:
		return "Failed"
	case RefundRejected:
		return "Rejected"
	}
	return string(s)
}

// RefundStatuses lists every refund state in workflow order.
func RefundStatuses() []RefundStatus {
	return []RefundStatus{RefundRequested, RefundApproved, RefundSigned, RefundBroadcast, RefundConfirmed, RefundFailed, RefundRejected}
}

// refundTransitions are the refund's edges built so far: a request is
// approved by a second operator or rejected, and an approved refund can
// still be rejected before it is signed. Signing, broadcast and
// confirmation add theirs with the signing work.
var refundTransitions = map[RefundStatus][]RefundStatus{
	RefundRequested: {RefundApproved, RefundRejected},
	RefundApproved:  {RefundRejected},
}

// CanTransitionRefund reports whether a refund may move from → to.
func CanTransitionRefund(from, to RefundStatus) bool {
	return slices.Contains(refundTransitions[from], to)
}

// Refund returns a credited deposit to a verified address of the same
// customer on the same network. Amount is what that address receives: the
// network fee is the firm's, paid on top (for a token refund it is paid in
// the network's coin anyway, so "on top" is the one rule for every asset).
type Refund struct {
	ID               int64
	DepositID        int64
	RecordNo         string // the deposit's, read with the refund
	CustomerNo       string // the deposit's customer, read with the refund
	Chain            string // the deposit's asset's chain, read with the refund
	AssetSymbol      string // the deposit's asset, for display
	Decimals         int    // the deposit's asset decimals, for display
	Status           RefundStatus
	Address          string
	Network          string
	Amount           *big.Int
	AdjustmentReason string // why Amount differs from the deposit's; "" when it does not
	// IdentityCheck is how the customer's identity and the request's
	// legitimacy were verified (method and reference), as the guide asks.
	IdentityCheck string
	// Forced is a refund the firm requires (compliance), not one the
	// customer asked for.
	Forced        bool
	RequestedBy   string
	ApprovedBy    string
	TxID          string
	Confirmations int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// AmountText is the amount in the asset's units.
func (r *Refund) AmountText() string { return FormatAmount(r.Amount, r.Decimals) }

// RefundFilter selects refunds, newest first; nil fields do not filter.
type RefundFilter struct {
	ID        *int64
	DepositID *int64
	Status    *RefundStatus
	Limit     int // 0 = no limit
}

// RefundRequest is what the operator enters on Request Refund.
type RefundRequest struct {
	AddressID int64  // a Verified wallet address of the deposit's customer on its network
	Amount    string // in the asset's units; "" means the deposit's amount
	Reason    string // required when Amount differs from the deposit's
	// IdentityCheck says how the customer's identity and the request's
	// legitimacy were verified, e.g. "video call, ticket 4471"; required.
	IdentityCheck string
	Forced        bool // the firm requires the refund; else the customer asked
}

// Kind is the refund's kind as operators read it.
func (r *Refund) Kind() string {
	if r.Forced {
		return "forced by the firm"
	}
	return "at the customer's request"
}

// SigningKeys keeps refund signing keys on the signing station (core/signer,
// the OS keyring), never in the database.
type SigningKeys interface {
	// Put stores xprv as a's signing key after checking it is the private
	// side of a's account public key.
	Put(a *Asset, xprv string) error
	// Check reports whether the station holds a's key and it still matches
	// a's account public key.
	Check(a *Asset) error
}

// RefundTransition asks storage to move a refund From → To with a guarded
// UPDATE (also setting ApprovedBy when not empty) and, when Deposit is
// set, to move its deposit in the same transaction. Audit is the refund's
// row (entity "refund", named by the record it refunds); Deposit carries
// its own.
type RefundTransition struct {
	ID         int64
	From, To   RefundStatus
	ApprovedBy string
	Deposit    *DepositTransition
	Audit      AuditEntry
}

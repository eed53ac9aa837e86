package core

import (
	"fmt"
	"math/big"
	"slices"
	"time"
)

// RefundStatus is the state of a refund of a credited deposit.
type RefundStatus string

const (
	RefundRequested RefundStatus = "requested"
	RefundApproved  RefundStatus = "approved"
	RefundPrepared  RefundStatus = "prepared"
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
	case RefundPrepared:
		return "Prepared"
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
	return []RefundStatus{RefundRequested, RefundApproved, RefundPrepared, RefundSigned, RefundBroadcast, RefundConfirmed, RefundFailed, RefundRejected}
}

// refundTransitions are the refund's edges, the one table the service,
// storage and the desktop ask:
//
//   - a request is approved by a second operator or rejected;
//   - an approved refund is prepared (its unsigned transaction built and
//     its coins or nonce claimed), and prepared again while unsigned (new
//     fees); until signed it can still be rejected;
//   - a prepared refund is signed once: from then on its transaction is
//     the only one, broadcast (again and again, the same bytes) until it
//     has the asset's confirmations, or Failed when the chain spent its
//     coins or nonce otherwise;
//   - a Failed refund is replaced (back to Approved, to be prepared anew)
//     only by a supervisor with remarks, or rejected;
//   - a Bitcoin refund not yet mined may have its fee bumped, by a
//     supervisor with remarks: Prepared again with the same inputs, its
//     signed transaction kept as an earlier one; should an earlier one be
//     mined after all, it is the refund's transaction (Broadcast).
var refundTransitions = map[RefundStatus][]RefundStatus{
	RefundRequested: {RefundApproved, RefundRejected},
	RefundApproved:  {RefundPrepared, RefundRejected},
	RefundPrepared:  {RefundPrepared, RefundSigned, RefundRejected, RefundBroadcast},
	RefundSigned:    {RefundBroadcast, RefundFailed, RefundPrepared},
	RefundBroadcast: {RefundConfirmed, RefundFailed, RefundPrepared, RefundBroadcast},
	RefundFailed:    {RefundApproved, RefundRejected},
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
	Forced      bool
	RequestedBy string
	ApprovedBy  string
	// Approvals are the requester's and the approver's signatures of the
	// refund's facts, each made when they acted, when their machine had
	// their key (decision 41).
	Approvals []RefundApproval
	// Payout is the transaction Prepare built; nil before.
	Payout *Payout
	// SignedTx is the signed transaction, stored before it is broadcast;
	// TxID its hash.
	SignedTx              []byte
	TxID                  string
	Confirmations         int
	ConfirmationsRequired int    // the asset's, read with the refund
	Remarks               string // the last failure or replacement's remarks
	// Notice is how the customer was told of a confirmed refund; nil until then.
	Notice    *RefundNotice
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RefundNotice records the offline notice to the customer (the guide's
// last step).
type RefundNotice struct {
	By      string
	At      time.Time
	Channel NoticeChannel
	Note    string
}

// NoticeChannel is how a customer was told.
type NoticeChannel string

const (
	NoticePhone    NoticeChannel = "phone"
	NoticeEmail    NoticeChannel = "email"
	NoticeLetter   NoticeChannel = "letter"
	NoticeInPerson NoticeChannel = "in-person"
)

// NoticeChannels lists the channels in the order operators pick them.
func NoticeChannels() []NoticeChannel {
	return []NoticeChannel{NoticePhone, NoticeEmail, NoticeLetter, NoticeInPerson}
}

// Progress is the refund's status as the Refunds page and the record's
// detail say it: a confirmed refund is the deposit's "Refunded", and says
// whether the customer was told.
func (r *Refund) Progress() string {
	switch {
	case r.Status == RefundConfirmed && r.Notice == nil:
		return "Refunded — customer not yet notified"
	case r.Status == RefundConfirmed:
		return "Refunded — customer notified"
	case r.Status == RefundBroadcast:
		return fmt.Sprintf("Broadcast — %d/%d confirmations", r.Confirmations, r.ConfirmationsRequired)
	}
	return r.Status.Display()
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
	// Sign checks p against the approved refund r (decoding the
	// transaction again) and signs it with a's key, zeroed after; it
	// returns the signed transaction and its hash.
	Sign(a *Asset, r *Refund, p *Payout) (raw []byte, txid string, err error)
}

// RefundTransition asks storage to move a refund From → To with a guarded
// UPDATE and, when Deposit is set, to move its deposit in the same
// transaction. Audit is the refund's row (entity "refund", named by the
// record it refunds); Deposit carries its own. The other fields are set
// with the move when not empty.
type RefundTransition struct {
	ID         int64
	From, To   RefundStatus
	ApprovedBy string
	// Approvals replace the refund's signatures when not nil.
	Approvals []RefundApproval
	// Payout is stored with → Prepared, its spends claimed (a spend another
	// live refund holds is ECONFLICT) in place of the refund's earlier ones.
	Payout  *Payout
	Network Network // qualifies Payout's spends
	// Release gives the refund's claimed spends back (a replaced or
	// rejected refund's).
	Release bool
	// SignedTx and TxID are stored with → Signed.
	SignedTx []byte
	TxID     string
	Remarks  string
	Deposit  *DepositTransition
	Audit    AuditEntry
}

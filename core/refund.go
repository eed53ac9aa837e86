package core

import (
	"math/big"
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

// Refund returns a credited deposit to a verified address of the same
// customer on the same network. Its workflow is built with the refunds work;
// the type is here so the schema and the detail page can name it.
type Refund struct {
	ID               int64
	DepositID        int64
	Status           RefundStatus
	Address          string
	Network          string
	Amount           *big.Int
	AdjustmentReason string
	RequestedBy      string
	ApprovedBy       string
	TxID             string
	Confirmations    int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

package core

import "strings"

// DepositStatus is the state of a deposit record. The stored value is the
// constant's string; operators see Display(). Each constant says who moves a
// record out of it; docs/states.md draws the diagram.
type DepositStatus string

const (
	// StatusVerifying: "Wallet Address Under Verification". The application
	// exists, the chain has not begun confirming it. Left by the watcher
	// (Confirming, Held for Review), by an operator with Cancel (Cancelled) or
	// with Deposit Application (Deleted, for an abnormal application).
	StatusVerifying DepositStatus = "verifying_address"
	// StatusConfirming: the transaction is on chain and the source address is
	// verified; left by the watcher (Credited, back to Verifying on reorg,
	// Held for Review).
	StatusConfirming DepositStatus = "confirming"
	// StatusHeld: "Held for Review" after a mismatch; left by a supervisor.
	StatusHeld DepositStatus = "held_for_review"
	// StatusCredited: confirmations reached; left only by a refund request.
	StatusCredited DepositStatus = "credited"
	// StatusRefunding: a refund is live; left when it confirms or fails.
	StatusRefunding DepositStatus = "refunding"
	// StatusRefunded is final.
	StatusRefunded DepositStatus = "refunded"
	// StatusCancelled is final: cancelled before any asset moved.
	StatusCancelled DepositStatus = "cancelled"
	// StatusDeleted is final: an abnormal application removed (soft delete).
	StatusDeleted DepositStatus = "deleted"
	// StatusRejected is final: a held deposit a supervisor refused.
	StatusRejected DepositStatus = "rejected"
)

var statusDisplay = map[DepositStatus]string{
	StatusVerifying:  "Wallet Address Under Verification",
	StatusConfirming: "Confirming",
	StatusHeld:       "Held for Review",
	StatusCredited:   "Credited",
	StatusRefunding:  "Refunding",
	StatusRefunded:   "Refunded",
	StatusCancelled:  "Cancelled",
	StatusDeleted:    "Deleted",
	StatusRejected:   "Rejected",
}

// AllDepositStatuses lists every status in the order operators expect to
// see them in a filter.
func AllDepositStatuses() []DepositStatus {
	return []DepositStatus{
		StatusVerifying, StatusConfirming, StatusHeld, StatusCredited,
		StatusRefunding, StatusRefunded, StatusCancelled, StatusDeleted, StatusRejected,
	}
}

// Display is the text the operating guide uses for the status.
func (s DepositStatus) Display() string {
	if d, ok := statusDisplay[s]; ok {
		return d
	}
	return string(s)
}

// Valid reports whether s is one of the defined statuses.
func (s DepositStatus) Valid() bool {
	_, ok := statusDisplay[s]
	return ok
}

// ParseDepositStatus accepts the display text or the stored value, case
// insensitively ("credited", "Wallet address under verification").
func ParseDepositStatus(s string) (DepositStatus, error) {
	t := strings.TrimSpace(s)
	for st, d := range statusDisplay {
		if strings.EqualFold(t, d) || strings.EqualFold(t, string(st)) {
			return st, nil
		}
	}
	return "", Errorf(EINVALID, "Unknown status %q.", truncate(s, 60))
}

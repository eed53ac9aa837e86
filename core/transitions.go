package core

// Transition is one allowed edge of the deposit state machine and the kind of
// actor allowed to take it.
type Transition struct {
	From, To DepositStatus
	By       string // who may take it, for docs and error messages
}

// Transitions is the deposit state machine: the only status changes that
// exist. Service and watcher check it before asking storage for the guarded
// UPDATE; storage refuses anything else again with the same table.
var Transitions = []Transition{
	{StatusVerifying, StatusConfirming, "watcher: tx seen, source address verified"},
	{StatusVerifying, StatusCancelled, "operator with Cancel, chain shows no tx yet"},
	{StatusVerifying, StatusDeleted, "operator with Deposit Application (abnormal application)"},
	{StatusVerifying, StatusHeld, "watcher: mismatch or unverified source"},
	{StatusConfirming, StatusHeld, "watcher: mismatch or unverified source"},
	{StatusHeld, StatusConfirming, "supervisor decision with remarks"},
	{StatusHeld, StatusRejected, "supervisor decision with remarks"},
	{StatusConfirming, StatusCredited, "watcher: confirmations reached on the canonical chain"},
	{StatusConfirming, StatusVerifying, "watcher: tx dropped or reorged out before crediting"},
	{StatusCredited, StatusRefunding, "refund requested"},
	{StatusRefunding, StatusCredited, "refund rejected before signing, or after it failed"},
	{StatusRefunding, StatusRefunded, "refund transaction confirmed"},
}

// CanTransition reports whether from → to is an edge of the state machine.
func CanTransition(from, to DepositStatus) bool {
	for _, t := range Transitions {
		if t.From == from && t.To == to {
			return true
		}
	}
	return false
}

// CheckTransition returns nil for an allowed edge and an EINVALID error
// naming both statuses otherwise.
func CheckTransition(from, to DepositStatus) error {
	if !from.Valid() || !to.Valid() {
		return Errorf(EINVALID, "Unknown status in transition %q → %q.", from, to)
	}
	if !CanTransition(from, to) {
		return Errorf(EINVALID, "A record with status %q cannot become %q.", from.Display(), to.Display())
	}
	return nil
}

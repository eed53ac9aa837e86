package core

import (
	"cmp"
	"context"
	"math/big"
	"slices"
	"time"
)

// QueueCap is how far a work queue is counted: past it the Home page says
// "10,000+". A queue that long needs no exact figure, and counting stops
// there instead of walking an index of a million entries.
const QueueCap = 10_000

// Queue is one of the Home page's work queues: what waits for an operator.
type Queue string

const (
	// QueueAddressesPending: wallet addresses still Pending verification.
	QueueAddressesPending Queue = "addresses pending verification"
	// QueueEvidence: documents submitted for an address, waiting for a
	// second operator's approval.
	QueueEvidence Queue = "documents awaiting a second operator"
	// QueueHeld: deposit records Held for Review.
	QueueHeld Queue = "Held for Review"
	// QueueRefundsRequested: refunds waiting for approval.
	QueueRefundsRequested Queue = "refunds awaiting approval"
	// QueueRefundsApproved: approved refunds not yet prepared and signed.
	QueueRefundsApproved Queue = "approved refunds awaiting execution"
	// QueueRefundsUnnotified: refunds confirmed on chain whose customer has
	// not been told yet.
	QueueRefundsUnnotified Queue = "refunded, customer not notified"
)

// Queues lists the work queues in the order the Home page shows them.
func Queues() []Queue {
	return []Queue{QueueAddressesPending, QueueEvidence, QueueHeld, QueueRefundsRequested, QueueRefundsApproved, QueueRefundsUnnotified}
}

// queueAction is the action whose holders work each queue: an operator sees
// a queue only when they may take it. Held for Review is every record
// viewer's concern (the customer asks about the record), decided by a
// supervisor with Refund Approval.
var queueAction = map[Queue]Action{
	QueueAddressesPending:  ActionVerifyAddress,
	QueueEvidence:          ActionVerifyAddress,
	QueueHeld:              ActionViewRecords,
	QueueRefundsRequested:  ActionApproveRefund,
	QueueRefundsApproved:   ActionPrepareRefund,
	QueueRefundsUnnotified: ActionNotifyRefund,
}

// QueueAction is the action that lets an operator see q.
func QueueAction(q Queue) Action { return queueAction[q] }

// QueueCount is a work queue's length, counted up to QueueCap.
type QueueCount struct {
	Queue Queue
	N     int64
	More  bool // more than N wait: N is QueueCap
}

// HomeStore reads what the Home page shows. Every count stops at limit
// (it returns min(count, limit)) so a long queue costs no more than a short
// one; each reads an index or a table that holds only open work.
type HomeStore interface {
	// CountDepositsInStatus counts records in status, up to limit.
	CountDepositsInStatus(ctx context.Context, status DepositStatus, limit int) (int64, error)
	// CountWalletAddresses counts wallet addresses in status, up to limit.
	CountWalletAddresses(ctx context.Context, status AddressStatus, limit int) (int64, error)
	// CountManualVerifications counts the documents waiting for approval,
	// up to limit.
	CountManualVerifications(ctx context.Context, limit int) (int64, error)
	// CountRefunds counts refunds in status (only those whose customer has
	// not been notified when unnotified), up to limit.
	CountRefunds(ctx context.Context, status RefundStatus, unnotified bool, limit int) (int64, error)
	// DepositStats sums the records created in [from, to) by UTC day and
	// asset, and counts them by status. Days and assets without records
	// are absent; Days are ordered by day, then asset id.
	DepositStats(ctx context.Context, from, to time.Time) (*DepositStats, error)
}

// DepositStats is what the Home page charts: deposits per asset per day
// and the mix of their statuses.
type DepositStats struct {
	From, To time.Time // UTC midnights; To is the day after the last
	Days     []DepositDay
	Statuses map[DepositStatus]int64 // records created in [From, To)
}

// DepositDay is one asset's deposits of one UTC day.
type DepositDay struct {
	Day      time.Time // UTC midnight
	AssetID  int64
	Symbol   string // the asset's, filled by the Service
	Network  string
	Decimals int
	Records  int64
	// Credited is the amount of the day's records that were credited:
	// those now Credited, Refunding or Refunded (a refund does not undo
	// that the deposit arrived).
	Credited *big.Int
}

// SortDepositDays orders days by day, then asset id, as DepositStats has them.
func SortDepositDays(days []DepositDay) {
	slices.SortFunc(days, func(a, b DepositDay) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		return cmp.Compare(a.AssetID, b.AssetID)
	})
}

// WasCredited tells whether a record in status s reached Credited.
func WasCredited(s DepositStatus) bool {
	return s == StatusCredited || s == StatusRefunding || s == StatusRefunded
}

// StatsDays is how many days the Home page's charts cover, today included.
const StatsDays = 30

// WorkQueues counts the queues the operator in ctx may see, in Queues
// order; queues of actions they may not take are left out. Requires a
// logged-in operator (EUNAUTHORIZED otherwise).
func (s *Service) WorkQueues(ctx context.Context) ([]QueueCount, error) {
	session := OperatorFromContext(ctx)
	if session == nil {
		return nil, Errorf(EUNAUTHORIZED, "Please log in.")
	}
	op, err := s.currentOperator(ctx, session)
	if err != nil {
		return nil, err
	}
	var out []QueueCount
	for _, q := range Queues() {
		if !op.Can(queueAction[q]) {
			continue
		}
		n, err := s.countQueue(ctx, q, QueueCap+1)
		if err != nil {
			return nil, err
		}
		c := QueueCount{Queue: q, N: n}
		if n > QueueCap {
			c.N, c.More = QueueCap, true
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Service) countQueue(ctx context.Context, q Queue, limit int) (int64, error) {
	switch q {
	case QueueAddressesPending:
		return s.Store.CountWalletAddresses(ctx, AddressPending, limit)
	case QueueEvidence:
		return s.Store.CountManualVerifications(ctx, limit)
	case QueueHeld:
		return s.Store.CountDepositsInStatus(ctx, StatusHeld, limit)
	case QueueRefundsRequested:
		return s.Store.CountRefunds(ctx, RefundRequested, false, limit)
	case QueueRefundsApproved:
		return s.Store.CountRefunds(ctx, RefundApproved, false, limit)
	case QueueRefundsUnnotified:
		return s.Store.CountRefunds(ctx, RefundConfirmed, true, limit)
	}
	return 0, Errorf(EINVALID, "Unknown work queue %q.", q)
}

// DepositStats returns the deposits of the last StatsDays UTC days (today
// included) per asset and day, and their status mix, each day named with
// its asset's symbol and decimals. Requires a permission that views
// deposit records.
func (s *Service) DepositStats(ctx context.Context) (*DepositStats, error) {
	if _, err := s.authorize(ctx, ActionViewRecords); err != nil {
		return nil, err
	}
	to := s.now().Truncate(24*time.Hour).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -StatsDays)
	st, err := s.Store.DepositStats(ctx, from, to)
	if err != nil {
		return nil, err
	}
	assets, err := s.Store.FindAssets(ctx, AssetFilter{})
	if err != nil {
		return nil, err
	}
	for i := range st.Days {
		d := &st.Days[i]
		if k := slices.IndexFunc(assets, func(a *Asset) bool { return a.ID == d.AssetID }); k >= 0 {
			d.Symbol, d.Network, d.Decimals = assets[k].Symbol, assets[k].Network, assets[k].Decimals
		}
	}
	return st, nil
}

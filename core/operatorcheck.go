package core

import (
	"context"
	"slices"
	"sync"
)

// ChangeMarker is a store that tells, without a query, whether anything
// may have been committed to it since an earlier mark, by this process or
// another (storage/sqlite reads its WAL index header). The Service keeps
// each operator it read under the mark taken before the read, and reads
// them again once the mark has moved: a read of the operator per action
// was a third of a small search's time on SQLite, and a disable committed
// anywhere still moves the mark before the disabled operator's next call
// can start.
type ChangeMarker interface {
	// ChangeMark returns the store's mark; ok is false when there is none
	// to rely on now, and the caller reads afresh.
	ChangeMark() (mark string, ok bool)
}

// OperatorSearcher is a store that reads an operator in the same round
// trip as a search or count (storage/postgres: one pipelined batch), so
// that authorising a search against a server across the network costs no
// wait of its own. The operator is nil when there is no such operator.
// The Service discards the search's result when the operator may not see
// it.
type OperatorSearcher interface {
	FindDepositsAs(ctx context.Context, operatorID int64, f DepositFilter) (*Operator, DepositPage, error)
	CountDepositsAs(ctx context.Context, operatorID int64, f DepositFilter, limit int) (*Operator, int, bool, error)
}

// operatorCache is the operators read under a store's change mark, by id.
type operatorCache struct{ m sync.Map }

type seenOperator struct {
	mark string
	op   *Operator
}

// currentOperator reads the session's operator from the store by id, or
// takes them from the cache when the store's change mark has not moved
// since they were read. EUNAUTHORIZED when they are gone or disabled.
func (s *Service) currentOperator(ctx context.Context, session *Operator) (*Operator, error) {
	cm, marked := s.Store.(ChangeMarker)
	var mark string
	if marked {
		// Taken before the read: a commit between the two moves the mark
		// past the one the read is kept under.
		mark, marked = cm.ChangeMark()
	}
	if marked {
		if v, ok := s.operators.m.Load(session.ID); ok && v.(seenOperator).mark == mark {
			return checkOperator(session, copyOperator(v.(seenOperator).op))
		}
	}
	ops, err := s.Store.FindOperators(ctx, OperatorFilter{ID: &session.ID})
	if err != nil {
		return nil, err
	}
	var op *Operator
	if len(ops) > 0 {
		op = ops[0]
	}
	switch {
	case op == nil:
		// Gone: nothing of theirs is kept.
		s.operators.m.Delete(session.ID)
	case marked:
		s.operators.m.Store(session.ID, seenOperator{mark, copyOperator(op)})
	}
	return checkOperator(session, op)
}

// checkOperator is op, the session's operator as the store has them now
// (nil when gone), unless they may no longer act.
func checkOperator(session, op *Operator) (*Operator, error) {
	if op == nil {
		return nil, Errorf(EUNAUTHORIZED, "Operator %q no longer exists; log in again.", session.Name)
	}
	if op.Disabled {
		return nil, Errorf(EUNAUTHORIZED, "Operator %q is disabled.", op.Name)
	}
	return op, nil
}

// authorizeWith is authorize for an operator read with the action's data
// (OperatorSearcher).
func authorizeWith(session, read *Operator, a Action) error {
	op, err := checkOperator(session, read)
	if err != nil {
		return err
	}
	return permit(op, a)
}

// searcherAs is the store as an OperatorSearcher, with the operator in
// ctx, when a search can read them in its own round trip: a store that
// can, an operator (an API client is checked without the store), and a
// valid f, validated in place. Otherwise the ordinary path authorises
// first, as every call does, and only then reports an invalid filter.
func (s *Service) searcherAs(ctx context.Context, f *DepositFilter) (OperatorSearcher, *Operator, bool) {
	searcher, ok := s.Store.(OperatorSearcher)
	session := OperatorFromContext(ctx)
	if !ok || session == nil {
		return nil, nil, false
	}
	v := *f
	if v.Validate() != nil {
		return nil, nil, false
	}
	*f = v
	return searcher, session, true
}

// copyOperator keeps callers from changing a cached operator.
func copyOperator(op *Operator) *Operator {
	c := *op
	c.Permissions = slices.Clone(op.Permissions)
	return &c
}

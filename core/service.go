package core

import (
	"context"
	"sync"
	"time"
)

// Service holds every use case of the desk. It checks the policy table and
// the business rules, then asks the Store to persist.
type Service struct {
	Store        Store
	Now          func() time.Time // injectable clock; defaults to time.Now
	PasswordCost Argon2Params     // defaults to DefaultArgon2Params
	// AddressValidator normalises wallet addresses; BasicAddressValidator when nil.
	AddressValidator AddressValidator
	// ProofVerifier checks ownership signatures (core/addrproof); without
	// one, signature proofs are refused.
	ProofVerifier ProofVerifier
	// Keys are this station's refund signing keys (core/signer); without
	// them, key commands are refused.
	Keys SigningKeys
	// Checkpoints is this station's audit checkpoint key (core/signer);
	// without it the desk cannot sign checkpoints.
	Checkpoints CheckpointSigner
	// OperatorKeys are the operators' approval keys on this machine
	// (core/signer); without them refunds carry no approval signatures and
	// a signing station refuses them.
	OperatorKeys OperatorKeys
	// Deriver derives customers' deposit addresses from an asset's account
	// key (core/hdaddr). Assets with an account key need one.
	Deriver AddressDeriver
	// Payouts build and check refund transactions (core/payout); without
	// them the desk cannot prepare or sign refunds.
	Payouts PayoutBuilder
	// Nodes are the blockchain nodes by network. Cancel asks them whether a
	// record's TXID is on chain already, micro-deposit proofs look their
	// transactions up there. Without them (nil) the desk refuses whatever
	// needs a node.
	Nodes Nodes

	known     known
	operators operatorCache
}

// NewService returns a Service over store with production defaults.
func NewService(store Store) *Service {
	return &Service{Store: store, Now: time.Now, PasswordCost: DefaultArgon2Params}
}

// known remembers what never changes once stored, so the intake path does
// not read it again for every request: a customer (there is no update of
// one), a customer's deposit address under an account key (assigned once,
// for good) and that a source address is registered. Anything that can
// change (an asset's configuration, an address's verification) is always
// read from the store.
type known struct {
	customers        sync.Map // customer no → *Customer
	depositAddresses sync.Map // customer id + "/" + account key → *DepositAddress
	sourceAddresses  sync.Map // customer id + "/" + network + "/" + address → registered
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// authorize returns the operator in ctx, as the store has them now, if the
// policy table lets them take the action: EUNAUTHORIZED without an
// operator, or for one disabled or removed since they logged in;
// EFORBIDDEN without the permission. Authority is read at every call, not
// trusted from the login: an administrator's change takes effect at the
// operator's next action, in every open window and terminal. (A store with
// a change mark lets the read be skipped while nothing at all has been
// committed since: currentOperator.)
// An API client in ctx (and no operator) is checked against ClientPolicy
// and acts as an operator named client:<name> that holds no permission, so
// every use case audits it under that name.
func (s *Service) authorize(ctx context.Context, a Action) (*Operator, error) {
	session := OperatorFromContext(ctx)
	if session == nil {
		if c := ClientFromContext(ctx); c != nil {
			return authorizeClient(c, a)
		}
		return nil, Errorf(EUNAUTHORIZED, "Please log in.")
	}
	op, err := s.currentOperator(ctx, session)
	if err != nil {
		return nil, err
	}
	if err := permit(op, a); err != nil {
		return nil, err
	}
	return op, nil
}

// permit refuses op an action the policy table denies them.
func permit(op *Operator, a Action) error {
	if !op.Can(a) {
		return Errorf(EFORBIDDEN, "Operator %q may not %s.", op.Name, a)
	}
	return nil
}

// audit starts an audit entry for the acting operator at the service's now.
func (s *Service) audit(actor, action, entity, entityID string) AuditEntry {
	return AuditEntry{At: s.now(), Actor: actor, Action: action, Entity: entity, EntityID: entityID}
}

func ptr[T any](v T) *T { return &v }

func authorizeClient(c *APIClient, a Action) (*Operator, error) {
	if c.Revoked() {
		return nil, Errorf(EUNAUTHORIZED, "API client %q is revoked.", c.Name)
	}
	if !c.Can(a) {
		return nil, Errorf(EFORBIDDEN, "API client %q may not %s.", c.Name, a)
	}
	return &Operator{Name: c.Actor()}, nil
}

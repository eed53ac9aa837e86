package core

import (
	"context"
	"fmt"
)

// registerOperatorKey makes sure op has an approval key on this machine and
// that the desk knows its public half, after a successful login. Without a
// keyring here nothing is registered and the login still succeeds: such a
// desk's refunds carry no signatures of op, and a station refuses them. A
// key registered to another operator (a keyring copied between accounts)
// is left unregistered for op, so it never signs as op in a station's eyes.
func (s *Service) registerOperatorKey(ctx context.Context, op *Operator) error {
	if s.OperatorKeys == nil {
		return nil
	}
	pub, err := s.OperatorKeys.OperatorKey(ctx, op.Name)
	if err != nil {
		return nil
	}
	known, err := s.Store.FindOperatorKeys(ctx, OperatorKeyFilter{PublicKey: pub})
	if err != nil || len(known) > 0 {
		return err
	}
	a := s.audit(op.Name, "operator.key_register", "operator", op.Name)
	a.After = "approval key " + KeyFingerprint(pub)
	err = s.Store.RegisterOperatorKey(ctx, &OperatorKey{OperatorID: op.ID, Operator: op.Name, PublicKey: pub, CreatedAt: s.now()}, a)
	if ErrorCode(err) == ECONFLICT {
		return nil // a login of op on this machine at the same moment registered it
	}
	return err
}

// ExportOperatorKeys is every registered approval key of an operator not
// disabled, with the operator's name: the trust list a signing station's
// administrator imports (decision 41). A disabled operator's keys are left
// out, so a station given the new list no longer takes their signature.
// The export is audited, as the station will trust what it names.
// Requires Operator Admin or Audit View.
func (s *Service) ExportOperatorKeys(ctx context.Context) ([]*OperatorKey, error) {
	op, err := s.authorize(ctx, ActionExportOperatorKeys)
	if err != nil {
		return nil, err
	}
	ops, err := s.Store.FindOperators(ctx, OperatorFilter{})
	if err != nil {
		return nil, err
	}
	all, err := s.Store.FindOperatorKeys(ctx, OperatorKeyFilter{})
	if err != nil {
		return nil, err
	}
	disabled := map[int64]bool{}
	for _, o := range ops {
		disabled[o.ID] = o.Disabled
	}
	keys := []*OperatorKey{}
	for _, k := range all {
		if !disabled[k.OperatorID] {
			keys = append(keys, k)
		}
	}
	a := s.audit(op.Name, "operator.keys_export", "operator", op.Name)
	a.Remarks = fmt.Sprintf("%d approval key(s) exported as a signing station's trust list", len(keys))
	if err := s.Store.AppendAudit(ctx, a); err != nil {
		return nil, err
	}
	return keys, nil
}

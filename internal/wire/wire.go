// Package wire builds the production core.Service: the store plus the real
// address validator, proof verifier, deposit-address deriver, refund
// payout builder and the OS keyring (refund signing, checkpoint and
// operator approval keys). Both binaries use it so the desktop and the CLI
// can never disagree on a rule.
package wire

import (
	"depositdesk/core"
	"depositdesk/core/addrproof"
	"depositdesk/core/hdaddr"
	"depositdesk/core/payout"
	"depositdesk/core/signer"
)

// NewService returns a Service over store with every production component.
func NewService(store core.Store) *core.Service {
	svc := core.NewService(store)
	svc.AddressValidator, svc.ProofVerifier = addrproof.Validator{}, addrproof.Validator{}
	svc.Deriver = hdaddr.Deriver{}
	svc.Keys = signer.Keyring{}
	svc.Payouts = payout.Builder{}
	svc.Checkpoints = signer.Keyring{}
	svc.OperatorKeys = signer.Keyring{}
	return svc
}

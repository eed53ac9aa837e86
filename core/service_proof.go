package core

import (
	"context"
	"slices"
	"strings"
	"time"
)

// proofMethods says which signature proofs each chain accepts.
var proofMethods = map[string][]string{
	ChainEthereum: {ProofEIP191},
	ChainBitcoin:  {ProofBIP137, ProofBIP322},
}

// IssueAddressChallenge makes the one-time message a customer signs with
// the key of a Pending address. Requires Address Verification.
func (s *Service) IssueAddressChallenge(ctx context.Context, addressID int64) (*AddressChallenge, error) {
	op, err := s.authorize(ctx, ActionVerifyAddress)
	if err != nil {
		return nil, err
	}
	w, err := s.pendingAddress(ctx, addressID)
	if err != nil {
		return nil, err
	}
	c, err := s.customerByID(ctx, w.CustomerID)
	if err != nil {
		return nil, err
	}
	firm, err := s.firmName(ctx)
	if err != nil {
		return nil, err
	}
	ch, err := newChallenge(firm, c, w, op.Name, s.now())
	if err != nil {
		return nil, err
	}
	a := s.audit(op.Name, "address.challenge", "address", w.Network+":"+w.Address)
	a.After = "nonce " + ch.Nonce + " expires " + ch.ExpiresAt.Format("2006-01-02T15:04:05Z")
	if err := s.Store.CreateAddressChallenge(ctx, ch, a); err != nil {
		return nil, err
	}
	return ch, nil
}

// ProveAddress checks the customer's signature over a challenge and, when it
// proves the address signed it, marks the address Verified with the
// signature as evidence. A challenge works once, before it expires, for its
// own address; a failed attempt is audited and changes nothing else.
// Requires Address Verification.
func (s *Service) ProveAddress(ctx context.Context, challengeID int64, method, signature string) (*WalletAddress, error) {
	op, err := s.authorize(ctx, ActionVerifyAddress)
	if err != nil {
		return nil, err
	}
	method = strings.ToLower(strings.TrimSpace(method))
	signature = strings.TrimSpace(signature)
	if signature == "" || len(signature) > 4096 {
		return nil, Errorf(EINVALID, "A signature of at most 4096 characters is required.")
	}
	chs, err := s.Store.FindAddressChallenges(ctx, ChallengeFilter{ID: &challengeID})
	if err != nil {
		return nil, err
	}
	if len(chs) == 0 {
		return nil, Errorf(ENOTFOUND, "Challenge %d not found.", challengeID)
	}
	ch := chs[0]
	if err := s.challengeOpen("Challenge", ch.ID, ch.UsedAt, ch.ExpiresAt); err != nil {
		return nil, err
	}
	w, err := s.walletAddress(ctx, ch.AddressID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(proofMethods[w.Chain], method) {
		return nil, Errorf(EINVALID, "Method %q cannot prove a %s address (use %s).", truncate(method, 20), w.Chain, strings.Join(proofMethods[w.Chain], " or "))
	}
	if s.ProofVerifier == nil {
		return nil, Errorf(EINVALID, "This desk has no signature verifier configured.")
	}
	entity := w.Network + ":" + w.Address
	if verr := s.ProofVerifier.VerifyMessage(w.Chain, w.Network, w.Address, method, ch.Message, signature); verr != nil {
		a := s.audit(op.Name, "address.proof_failed", "address", entity)
		a.Remarks = method + ": " + ErrorMessage(verr)
		if err := s.Store.AppendAudit(ctx, a); err != nil {
			return nil, err
		}
		return nil, verr
	}
	a := s.audit(op.Name, "address."+string(AddressVerified), "address", entity)
	a.Before, a.After, a.Remarks = string(AddressPending), string(AddressVerified), method+" signature over challenge "+ch.Nonce
	return s.Store.UseAddressChallenge(ctx, ch.ID, AddressStatusChange{ID: w.ID, From: AddressPending, To: AddressVerified,
		Method: method, Evidence: signature, Operator: op.Name}, a)
}

// pendingAddress returns the address a proof is for; only a Pending
// address takes one.
func (s *Service) pendingAddress(ctx context.Context, id int64) (*WalletAddress, error) {
	w, err := s.walletAddress(ctx, id)
	if err != nil {
		return nil, err
	}
	if w.Status != AddressPending {
		return nil, Errorf(EINVALID, "Address %s is %s; only a Pending address needs a proof.", w.Address, w.Status.Display())
	}
	return w, nil
}

// challengeOpen refuses a one-time challenge that was used or has expired.
func (s *Service) challengeOpen(what string, id int64, used, expires time.Time) error {
	switch {
	case !used.IsZero():
		return Errorf(EINVALID, "%s %d was already used; issue a new one.", what, id)
	case !s.now().Before(expires):
		return Errorf(EINVALID, "%s %d expired at %s; issue a new one.", what, id, expires.Format("2006-01-02 15:04 MST"))
	}
	return nil
}

func (s *Service) walletAddress(ctx context.Context, id int64) (*WalletAddress, error) {
	ws, err := s.Store.FindWalletAddresses(ctx, WalletAddressFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, Errorf(ENOTFOUND, "Wallet address %d not found.", id)
	}
	return ws[0], nil
}

func (s *Service) customerByID(ctx context.Context, id int64) (*Customer, error) {
	cs, err := s.Store.FindCustomers(ctx, CustomerFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, Errorf(ENOTFOUND, "Customer %d not found.", id)
	}
	return cs[0], nil
}

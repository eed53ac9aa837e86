package core

import (
	"context"
	"fmt"
	"strings"
)

// SubmitManualEvidence records documentary evidence (a document reference)
// that a Pending address belongs to its customer. It does not verify the
// address: a second operator must approve it (ApproveManualEvidence).
// Requires Address Verification.
func (s *Service) SubmitManualEvidence(ctx context.Context, addressID int64, evidence string) (*ManualVerification, error) {
	op, err := s.authorize(ctx, ActionVerifyAddress)
	if err != nil {
		return nil, err
	}
	if err := ValidateRemarks(evidence); err != nil {
		return nil, Errorf(EINVALID, "A document reference is required as evidence.")
	}
	w, err := s.pendingAddress(ctx, addressID)
	if err != nil {
		return nil, err
	}
	mv := &ManualVerification{AddressID: w.ID, Evidence: strings.TrimSpace(evidence), RequestedBy: op.Name, RequestedAt: s.now()}
	a := s.audit(op.Name, "address.evidence", "address", w.Network+":"+w.Address)
	a.Remarks = mv.Evidence
	if err := s.Store.CreateManualVerification(ctx, mv, a); err != nil {
		return nil, err
	}
	return mv, nil
}

// ApproveManualEvidence verifies a Pending address on the evidence another
// operator submitted (maker-checker): the submitter cannot approve their own
// evidence. Requires Address Verification.
func (s *Service) ApproveManualEvidence(ctx context.Context, addressID int64) (*WalletAddress, error) {
	op, err := s.authorize(ctx, ActionVerifyAddress)
	if err != nil {
		return nil, err
	}
	w, err := s.walletAddress(ctx, addressID)
	if err != nil {
		return nil, err
	}
	mv, err := s.Store.FindManualVerification(ctx, addressID)
	if err != nil {
		return nil, err
	}
	if err := s.checkSecondPerson(ctx, mv.RequestedBy, op, PermAddressVerification); err != nil {
		return nil, err
	}
	evidence := fmt.Sprintf("%s (submitted by %s, approved by %s)", mv.Evidence, mv.RequestedBy, op.Name)
	a := s.audit(op.Name, "address."+string(AddressVerified), "address", w.Network+":"+w.Address)
	a.Before, a.After, a.Remarks = string(AddressPending), string(AddressVerified), evidence
	return s.Store.ApproveManualVerification(ctx, AddressStatusChange{ID: addressID, From: AddressPending, To: AddressVerified,
		Method: ProofManual, Evidence: evidence, Operator: op.Name}, a)
}

// PendingManualEvidence returns the evidence waiting for approval on an
// address (ENOTFOUND when none). Requires a permission that views customers.
func (s *Service) PendingManualEvidence(ctx context.Context, addressID int64) (*ManualVerification, error) {
	if _, err := s.authorize(ctx, ActionViewCustomers); err != nil {
		return nil, err
	}
	return s.Store.FindManualVerification(ctx, addressID)
}

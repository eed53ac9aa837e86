package core

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"
)

// RefundAddresses returns where a refund of recordNo may go: the Verified
// wallet addresses of the deposit's customer on the deposit's network.
// Requires Refund.
func (s *Service) RefundAddresses(ctx context.Context, recordNo string) ([]*WalletAddress, error) {
	if _, err := s.authorize(ctx, ActionRequestRefund); err != nil {
		return nil, err
	}
	d, err := s.refundableDeposit(ctx, recordNo)
	if err != nil {
		return nil, err
	}
	verified := AddressVerified
	return s.Store.FindWalletAddresses(ctx, WalletAddressFilter{CustomerID: &d.CustomerID, Chain: &d.Chain, Network: &d.Network,
		Status: &verified})
}

// RequestRefund asks to return a Credited deposit (the guide's Request
// Refund): to a Verified address of the same customer on the same network,
// the deposit's amount unless the operator states why another one. The
// deposit becomes Refunding in the same transaction. Requires Refund.
func (s *Service) RequestRefund(ctx context.Context, recordNo string, req RefundRequest) (*Refund, error) {
	op, err := s.authorize(ctx, ActionRequestRefund)
	if err != nil {
		return nil, err
	}
	d, err := s.refundableDeposit(ctx, recordNo)
	if err != nil {
		return nil, err
	}
	w, err := s.refundAddress(ctx, d, req.AddressID)
	if err != nil {
		return nil, err
	}
	amount, reason, err := refundAmount(d, req)
	if err != nil {
		return nil, err
	}
	identity := strings.TrimSpace(req.IdentityCheck)
	if utf8.RuneCountInString(identity) < 3 || utf8.RuneCountInString(identity) > 200 {
		return nil, Errorf(EINVALID, "Say how the customer's identity and the request were verified (method and reference, 3 to 200 characters).")
	}
	if err := CheckText("The identity check", identity, false); err != nil {
		return nil, err
	}
	asset, err := s.asset(ctx, d.AssetID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &Refund{DepositID: d.ID, RecordNo: d.RecordNo, CustomerNo: d.CustomerNo, Chain: d.Chain, AssetSymbol: d.AssetSymbol,
		Decimals: d.Decimals, Status: RefundRequested, Address: w.Address, Network: d.Network, Amount: amount, AdjustmentReason: reason,
		IdentityCheck: identity, Forced: req.Forced, RequestedBy: op.Name, CreatedAt: now, UpdatedAt: now}
	r.Approvals = withApproval(nil, ApprovalRequest, s.signApproval(ctx, ApprovalRequest, op.Name, r, asset))
	a := s.audit(op.Name, "refund.request", "deposit", d.RecordNo)
	a.Before, a.After = string(StatusCredited), string(StatusRefunding)
	a.Remarks = refundFacts(r)
	t := DepositTransition{ID: d.ID, From: StatusCredited, To: StatusRefunding, Remarks: d.Remarks, Audit: a}
	if err := s.Store.CreateRefund(ctx, r, t); err != nil {
		return nil, err
	}
	return r, nil
}

// ApproveRefund is the second operator's approval of a requested refund;
// nobody approves their own request. Requires Refund Approval.
func (s *Service) ApproveRefund(ctx context.Context, id int64) (*Refund, error) {
	op, err := s.authorize(ctx, ActionApproveRefund)
	if err != nil {
		return nil, err
	}
	r, err := s.refund(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status != RefundRequested {
		return nil, Errorf(EINVALID, "Only a requested refund can be approved; this one is %s.", r.Status.Display())
	}
	if err := s.checkSecondPerson(ctx, r.RequestedBy, op, PermRefundApproval); err != nil {
		return nil, err
	}
	asset, _, err := s.refundAsset(ctx, r)
	if err != nil {
		return nil, err
	}
	a := s.audit(op.Name, "refund.approve", "refund", r.RecordNo)
	a.Before, a.After = string(RefundRequested), string(RefundApproved)
	a.Remarks = fmt.Sprintf("refund %d: %s %s to %s, requested by %s", r.ID, r.AmountText(), r.AssetSymbol, r.Address, r.RequestedBy)
	approvals := withApproval(r.Approvals, ApprovalApprove, s.signApproval(ctx, ApprovalApprove, op.Name, r, asset))
	return s.Store.TransitionRefund(ctx, RefundTransition{ID: r.ID, From: RefundRequested, To: RefundApproved, ApprovedBy: op.Name,
		Approvals: approvals, Audit: a})
}

// RejectRefund turns down a refund before it is signed, or one that
// failed, with remarks; its deposit is Credited again and the coins or
// nonce it claimed are free. Requires Refund Approval.
func (s *Service) RejectRefund(ctx context.Context, id int64, remarks string) (*Refund, error) {
	op, r, err := s.refundWithRemarks(ctx, id, remarks)
	if err != nil {
		return nil, err
	}
	if !CanTransitionRefund(r.Status, RefundRejected) {
		return nil, Errorf(EINVALID, "Only a refund not yet signed, or a failed one, can be rejected; this one is %s.", r.Status.Display())
	}
	if r.Status == RefundPrepared && len(r.Payout.Earlier) > 0 {
		return nil, Errorf(EINVALID, "Refund %d's earlier transaction may still be mined; it cannot be rejected now.", r.ID)
	}
	a := s.audit(op.Name, "refund.reject", "refund", r.RecordNo)
	a.Before, a.After, a.Remarks = string(r.Status), string(RefundRejected), remarks
	back := s.audit(op.Name, "deposit.refund_rejected", "deposit", r.RecordNo)
	back.Remarks = remarks
	return s.Store.TransitionRefund(ctx, RefundTransition{ID: r.ID, From: r.Status, To: RefundRejected, Release: true, Audit: a,
		Deposit: &DepositTransition{ID: r.DepositID, From: StatusRefunding, To: StatusCredited, Audit: back}})
}

// Refunds lists refunds, newest first. Requires a permission that sees them.
func (s *Service) Refunds(ctx context.Context, f RefundFilter) ([]*Refund, error) {
	if _, err := s.authorize(ctx, ActionViewRefunds); err != nil {
		return nil, err
	}
	return s.Store.FindRefunds(ctx, f)
}

// refundWithRemarks is what a supervisor's decision on a refund starts
// with: Refund Approval, remarks, and the refund.
func (s *Service) refundWithRemarks(ctx context.Context, id int64, remarks string) (*Operator, *Refund, error) {
	op, err := s.authorize(ctx, ActionApproveRefund)
	if err != nil {
		return nil, nil, err
	}
	if err := ValidateRemarks(remarks); err != nil {
		return nil, nil, err
	}
	r, err := s.refund(ctx, id)
	return op, r, err
}

// Refund returns one refund. Requires a permission that sees refunds.
func (s *Service) Refund(ctx context.Context, id int64) (*Refund, error) {
	if _, err := s.authorize(ctx, ActionViewRefunds); err != nil {
		return nil, err
	}
	return s.refund(ctx, id)
}

func (s *Service) refund(ctx context.Context, id int64) (*Refund, error) {
	rs, err := s.Store.FindRefunds(ctx, RefundFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, Errorf(ENOTFOUND, "Refund %d not found.", id)
	}
	return rs[0], nil
}

// refundableDeposit is recordNo when it is Credited, the only status the
// guide allows a refund from.
func (s *Service) refundableDeposit(ctx context.Context, recordNo string) (*DepositRecord, error) {
	if err := ValidateRecordNo(recordNo); err != nil {
		return nil, err
	}
	d, err := s.deposit(ctx, recordNo)
	if err != nil {
		return nil, err
	}
	if d.Status != StatusCredited {
		return nil, Errorf(EINVALID, "Only a %q record can be refunded; %s is %q.", StatusCredited.Display(), d.RecordNo, d.Status.Display())
	}
	return d, nil
}

// refundAddress checks the chosen address against the seed's rule: the
// customer's own, proved, on the deposit's network.
func (s *Service) refundAddress(ctx context.Context, d *DepositRecord, id int64) (*WalletAddress, error) {
	w, err := s.walletAddress(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case w.CustomerID != d.CustomerID:
		return nil, Errorf(EINVALID, "The refund address must belong to the deposit's customer %s.", d.CustomerNo)
	case w.Chain != d.Chain || w.Network != d.Network:
		return nil, Errorf(EINVALID, "The refund address must be on the deposit's network (%s %s), not %s %s.", d.Chain, d.Network, w.Chain, w.Network)
	case w.Status != AddressVerified:
		return nil, Errorf(EINVALID, "The refund address %s is %s; only a Verified address can receive a refund.", w.Address, w.Status.Display())
	}
	return w, nil
}

// refundAmount is the deposit's amount by default; any other amount needs
// a reason and must be more than zero and no more than the deposit's.
func refundAmount(d *DepositRecord, req RefundRequest) (amount *big.Int, reason string, err error) {
	text := strings.TrimSpace(req.Amount)
	if text == "" {
		return d.Amount, "", nil
	}
	v, err := ParseAmount(text, d.Decimals)
	if err != nil {
		return nil, "", err
	}
	if v.Cmp(d.Amount) == 0 {
		return d.Amount, "", nil
	}
	if v.Sign() <= 0 || v.Cmp(d.Amount) > 0 {
		return nil, "", Errorf(EINVALID, "A refund must be more than zero and at most the deposit's %s %s.", d.AmountText(), d.AssetSymbol)
	}
	reason = strings.TrimSpace(req.Reason)
	if reason == "" {
		return nil, "", Errorf(EINVALID, "The amount differs from the deposit's %s %s; state the reason for the adjustment.", d.AmountText(), d.AssetSymbol)
	}
	if err := ValidateRemarks(reason); err != nil {
		return nil, "", err
	}
	return v, reason, nil
}

// ImportSigningKey stores the account private key of an asset in this
// station's keyring, after checking it belongs to the asset's account public
// key; the audit row names the asset, never the key. Requires Sign Refund.
func (s *Service) ImportSigningKey(ctx context.Context, symbol, network, xprv string) error {
	op, a, err := s.signingAsset(ctx, symbol, network)
	if err != nil {
		return err
	}
	if err := s.Keys.Put(a, xprv); err != nil {
		return err
	}
	au := s.audit(op.Name, "key.import", "asset", a.Key())
	au.Remarks = "account private key stored in a signing station's OS keyring"
	return s.Store.AppendAudit(ctx, au)
}

// CheckSigningKey reports whether this station can sign refunds of an
// asset: its keyring holds the key and it matches the account public key.
// Requires Sign Refund.
func (s *Service) CheckSigningKey(ctx context.Context, symbol, network string) error {
	_, a, err := s.signingAsset(ctx, symbol, network)
	if err != nil {
		return err
	}
	return s.Keys.Check(a)
}

func (s *Service) signingAsset(ctx context.Context, symbol, network string) (*Operator, *Asset, error) {
	op, err := s.authorize(ctx, ActionSignRefund)
	if err != nil {
		return nil, nil, err
	}
	if s.Keys == nil {
		return nil, nil, Errorf(EINVALID, "This desk has no signing keyring.")
	}
	a, err := s.assetBySymbol(ctx, symbol, network)
	if err != nil {
		return nil, nil, err
	}
	return op, a, nil
}

// refundFacts is what a refund's request row records of it: the amount,
// the address and an adjustment's reason. The replay compares it with the
// refund as it stands.
func refundFacts(r *Refund) string {
	facts := fmt.Sprintf("refund %s %s to %s", r.AmountText(), r.AssetSymbol, r.Address)
	if r.IdentityCheck != "" { // refunds requested before 2026-12-02 recorded none
		facts += "; " + r.Kind() + "; identity checked: " + r.IdentityCheck
	}
	if r.AdjustmentReason != "" {
		facts += "; amount adjusted: " + r.AdjustmentReason
	}
	return facts
}

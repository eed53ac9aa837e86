package core

import (
	"context"
	"fmt"
)

// StationRefund is what the desk hands the air-gapped signing station for
// a prepared refund: the refund, its asset (the account key the station's
// keyring key must match) and the prepared transaction. The desk checks
// it against the audit log first, as Execute Refund does, so a refund
// rewritten in the database never leaves for the station. Requires
// Refund or Sign Refund.
func (s *Service) StationRefund(ctx context.Context, id int64) (*Refund, *Asset, error) {
	if _, err := s.authorize(ctx, ActionPrepareRefund); err != nil {
		return nil, nil, err
	}
	r, a, err := s.preparedRefund(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return r, a, nil
}

// ImportSignedRefund stores the transaction the station signed for a
// prepared refund, once it is exactly the prepared transaction with valid
// signatures by the account's keys; it is then broadcast like one signed
// here. Requires Refund or Sign Refund: the file carries no key.
func (s *Service) ImportSignedRefund(ctx context.Context, id int64, raw []byte) (*Refund, error) {
	op, err := s.authorize(ctx, ActionPrepareRefund)
	if err != nil {
		return nil, err
	}
	r, a, err := s.preparedRefund(ctx, id)
	if err != nil {
		return nil, err
	}
	txid, err := s.Payouts.VerifySigned(a, r, r.Payout, raw)
	if err != nil {
		return nil, err
	}
	au := s.audit(op.Name, "refund.sign", "refund", r.RecordNo)
	au.Before, au.After = string(RefundPrepared), string(RefundSigned)
	au.Remarks = fmt.Sprintf("refund %d: signed transaction %s imported from a signing station", r.ID, txid)
	return s.Store.TransitionRefund(ctx, RefundTransition{ID: r.ID, From: RefundPrepared, To: RefundSigned, SignedTx: raw, TxID: txid, Audit: au})
}

// preparedRefund is refund id when it is Prepared and matches its request,
// approval and preparation in the audit log.
func (s *Service) preparedRefund(ctx context.Context, id int64) (*Refund, *Asset, error) {
	if s.Payouts == nil {
		return nil, nil, Errorf(EINVALID, "This desk cannot build refund transactions.")
	}
	r, err := s.refund(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case r.Status == RefundSigned || r.Status == RefundBroadcast || r.Status == RefundConfirmed:
		return nil, nil, Errorf(ECONFLICT, "Refund %d is signed already (transaction %s); it is never signed twice.", r.ID, r.TxID)
	case r.Status != RefundPrepared:
		return nil, nil, Errorf(EINVALID, "Refund %d is %s; only a prepared refund is signed.", r.ID, r.Status.Display())
	}
	a, d, err := s.refundAsset(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	if err := s.checkRefundLogged(ctx, a, r); err != nil {
		return nil, nil, err
	}
	if err := s.checkRefundAddress(ctx, d, r.Address); err != nil {
		return nil, nil, err
	}
	return r, a, nil
}

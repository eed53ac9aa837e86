package core

import (
	"context"
	"fmt"
	"strings"
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

// PreviousTransactions are the transactions prepared Bitcoin refund r's
// inputs spend, by txid, from its network's node: a PSBT carries them for
// hardware wallets (payout.ExportPSBT checks each against the output the
// refund records). Requires Refund or Sign Refund.
func (s *Service) PreviousTransactions(ctx context.Context, r *Refund) (map[string][]byte, error) {
	if _, err := s.authorize(ctx, ActionPrepareRefund); err != nil {
		return nil, err
	}
	if r.Chain != ChainBitcoin || r.Payout == nil {
		return nil, Errorf(EINVALID, "Only a prepared Bitcoin refund spends previous transactions.")
	}
	const without = "The PSBT cannot carry the transactions its coins come from"
	node, err := s.chainFor(ctx, Network{r.Chain, r.Network}, without)
	if err != nil {
		return nil, err
	}
	src, ok := node.(TransactionSource)
	if !ok {
		return nil, Errorf(ECONFLICT, "The %s/%s node cannot give transactions. %s.", r.Chain, r.Network, without)
	}
	prev := map[string][]byte{}
	for _, in := range r.Payout.Inputs {
		txid, _, _ := strings.Cut(in.Outpoint, ":")
		if _, ok := prev[txid]; ok {
			continue
		}
		raw, err := src.RawTransaction(ctx, txid)
		if err != nil {
			return nil, Errorf(ErrorCode(err), "%s: %s", without, ErrorMessage(err))
		}
		prev[txid] = raw
	}
	return prev, nil
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

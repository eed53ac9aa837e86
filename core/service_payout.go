package core

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// PrepareRefund builds an approved refund's unsigned transaction against
// the network's node and stores it with the facts it pays, claiming its
// coins (Bitcoin) or nonce (Ethereum) so no other refund spends them. A
// prepared refund not yet signed can be prepared again (new fees). The
// address is checked again: one revoked since the request is refused.
// Requires Refund or Sign Refund.
func (s *Service) PrepareRefund(ctx context.Context, id int64) (*Refund, error) {
	op, err := s.authorize(ctx, ActionPrepareRefund)
	if err != nil {
		return nil, err
	}
	r, err := s.refund(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Status != RefundApproved && r.Status != RefundPrepared:
		return nil, Errorf(EINVALID, "Only an approved refund, or a prepared one not yet signed, can be prepared; refund %d is %s.", r.ID, r.Status.Display())
	case r.Status == RefundPrepared && len(r.Payout.Earlier) > 0:
		return nil, Errorf(EINVALID, "Refund %d is a fee bump of a transaction that may still be mined: it keeps its inputs. Execute it, or bump it again once signed.", r.ID)
	}
	a, p, err := s.buildPayout(ctx, r, true, "The refund cannot be prepared")
	if err != nil {
		return nil, err
	}
	au := s.audit(op.Name, "refund.prepare", "refund", r.RecordNo)
	au.Before, au.After, au.Remarks = string(r.Status), string(RefundPrepared), fmt.Sprintf("refund %d: %s", r.ID, PayoutFacts(a, p))
	return s.Store.TransitionRefund(ctx, RefundTransition{ID: r.ID, From: r.Status, To: RefundPrepared, Payout: p, Network: a.Net(), Audit: au})
}

// EstimateRefund builds the transaction a refund would be paid with now,
// without storing or claiming anything: the fee, inputs and change the
// approver sees before approving. Requires a permission that sees refunds.
func (s *Service) EstimateRefund(ctx context.Context, id int64) (*Payout, error) {
	if _, err := s.authorize(ctx, ActionViewRefunds); err != nil {
		return nil, err
	}
	r, err := s.refund(ctx, id)
	if err != nil {
		return nil, err
	}
	_, p, err := s.buildPayout(ctx, r, false, "The fee cannot be estimated")
	return p, err
}

// buildPayout builds r's transaction against its network's node; checked
// also holds the refund's address to the customer's Verified ones (one
// revoked since the request is refused). without says what cannot be done
// without a node.
func (s *Service) buildPayout(ctx context.Context, r *Refund, checked bool, without string) (*Asset, *Payout, error) {
	if s.Payouts == nil {
		return nil, nil, Errorf(EINVALID, "This desk cannot build refund transactions.")
	}
	a, d, err := s.refundAsset(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	if checked {
		if err := s.checkRefundAddress(ctx, d, r.Address); err != nil {
			return nil, nil, err
		}
	}
	node, err := s.chainFor(ctx, a.Net(), without)
	if err != nil {
		return nil, nil, err
	}
	coins, held, err := s.payoutSources(ctx, a, d, r)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Payouts.Build(ctx, a, r, coins, held, node)
	return a, p, err
}

// payoutSources are what r's payout may spend: for Bitcoin the refunded
// deposit's own output first (the money goes back the way it came), then
// what r itself holds from an earlier Prepare, then the account's largest;
// for Ethereum the spends other live refunds hold on the network, among
// them the payer's claimed nonces (r's own is free for it to take again, or
// preparing anew would leave a gap no later nonce can pass).
func (s *Service) payoutSources(ctx context.Context, a *Asset, d *DepositRecord, r *Refund) ([]PayoutInput, []string, error) {
	var own []string
	if r.Status == RefundPrepared && r.Payout != nil {
		own = r.Payout.Spends(a.Net())
	}
	if a.Chain != ChainBitcoin {
		payer, err := s.Payouts.Payer(a)
		if err != nil {
			return nil, nil, err
		}
		held, err := s.Store.FindHeldSpends(ctx, SpendKey(a.Net(), payer+":"))
		return nil, slices.DeleteFunc(held, func(h string) bool { return slices.Contains(own, h) }), err
	}
	deposit := fmt.Sprintf("%s:%d", d.TxID, d.TxIndex)
	var mine []PayoutInput
	if len(own) > 0 {
		mine = r.Payout.Inputs
	}
	first, err := s.Store.FindPayoutCoins(ctx, PayoutCoinFilter{AssetID: a.ID, XPub: a.AccountXPub, Network: a.Net(), Outpoint: &deposit})
	if err != nil {
		return nil, nil, err
	}
	rest, err := s.Store.FindPayoutCoins(ctx, PayoutCoinFilter{AssetID: a.ID, XPub: a.AccountXPub, Network: a.Net(), Limit: maxPayoutCoins})
	if err != nil {
		return nil, nil, err
	}
	if i := slices.IndexFunc(mine, func(c PayoutInput) bool { return c.Outpoint == deposit }); i >= 0 {
		first = append(first, mine[i])
	}
	seen := map[string]bool{}
	var coins []PayoutInput
	for _, c := range slices.Concat(first, mine, rest) {
		if !seen[c.Outpoint] {
			seen[c.Outpoint] = true
			coins = append(coins, c)
		}
	}
	return coins, nil, nil
}

// maxPayoutCoins bounds the outputs one refund considers: the largest
// hundreds pay any refund a deposit can ask for, and a transaction of
// thousands of inputs would be refused for its size anyway.
const maxPayoutCoins = 200

// ExecuteRefund signs a prepared refund on this station: the refund's
// request and approval are read back from the audit log and must be the
// ones the refund shows, the prepared transaction is decoded and checked
// against them, and only then does the keyring's key sign it. The signed
// transaction and its hash are stored before anything is broadcast.
// Requires Sign Refund.
func (s *Service) ExecuteRefund(ctx context.Context, id int64) (*Refund, error) {
	op, err := s.authorize(ctx, ActionSignRefund)
	if err != nil {
		return nil, err
	}
	if s.Keys == nil {
		return nil, Errorf(EINVALID, "This desk has no signing keyring.")
	}
	r, a, err := s.preparedRefund(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.Payouts.Check(a, r, r.Payout); err != nil {
		return nil, err
	}
	raw, txid, err := s.Keys.Sign(a, r, r.Payout)
	if err != nil {
		return nil, err
	}
	au := s.audit(op.Name, "refund.sign", "refund", r.RecordNo)
	au.Before, au.After, au.Remarks = string(RefundPrepared), string(RefundSigned), fmt.Sprintf("refund %d: signed transaction %s", r.ID, txid)
	return s.Store.TransitionRefund(ctx, RefundTransition{ID: r.ID, From: RefundPrepared, To: RefundSigned, SignedTx: raw, TxID: txid, Audit: au})
}

// BroadcastRefund sends a signed refund's transaction to the network's
// node: the stored bytes, again and again if need be, never others. The
// first success moves it to Broadcast. Requires Refund or Sign Refund.
func (s *Service) BroadcastRefund(ctx context.Context, id int64) (*Refund, error) {
	op, err := s.authorize(ctx, ActionBroadcastRefund)
	if err != nil {
		return nil, err
	}
	r, err := s.refund(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status != RefundSigned && r.Status != RefundBroadcast {
		return nil, Errorf(EINVALID, "Only a signed refund can be broadcast; refund %d is %s.", r.ID, r.Status.Display())
	}
	node, err := s.chainFor(ctx, Network{r.Chain, r.Network}, "The refund cannot be broadcast")
	if err != nil {
		return nil, err
	}
	b, ok := node.(Broadcaster)
	if !ok {
		return nil, Errorf(ECONFLICT, "The %s/%s node cannot broadcast transactions.", r.Chain, r.Network)
	}
	txid, err := b.Send(ctx, r.SignedTx)
	if err != nil {
		return nil, err
	}
	if txid != r.TxID {
		return nil, Errorf(ECONFLICT, "The node names the transaction %s, the desk stored %s; nothing was recorded.", txid, r.TxID)
	}
	if r.Status == RefundBroadcast {
		return r, nil
	}
	au := s.audit(op.Name, "refund.broadcast", "refund", r.RecordNo)
	au.Before, au.After, au.Remarks = string(RefundSigned), string(RefundBroadcast), fmt.Sprintf("refund %d: transaction %s sent to the %s/%s node", r.ID, txid, r.Chain, r.Network)
	out, err := s.Store.TransitionRefund(ctx, RefundTransition{ID: r.ID, From: RefundSigned, To: RefundBroadcast, Audit: au})
	if ErrorCode(err) == ECONFLICT { // the watcher saw it first
		return s.refund(ctx, id)
	}
	return out, err
}

// NotifyRefund records how the customer was told of a confirmed refund
// (the guide's last step): by whom (the operator), when, how, and a note.
// Requires Refund.
func (s *Service) NotifyRefund(ctx context.Context, id int64, channel NoticeChannel, note string) (*Refund, error) {
	op, err := s.authorize(ctx, ActionNotifyRefund)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(NoticeChannels(), channel) {
		return nil, Errorf(EINVALID, "Say how the customer was told: phone, email, letter or in-person.")
	}
	note = strings.TrimSpace(note)
	if err := ValidateRemarks(note); err != nil {
		return nil, err
	}
	r, err := s.refund(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status != RefundConfirmed {
		return nil, Errorf(EINVALID, "The customer is notified once the refund is Refunded; refund %d is %s.", r.ID, r.Status.Display())
	}
	if r.Notice != nil {
		return nil, Errorf(ECONFLICT, "%s already recorded the customer's notice of refund %d.", r.Notice.By, r.ID)
	}
	n := RefundNotice{By: op.Name, At: s.now(), Channel: channel, Note: note}
	au := s.audit(op.Name, "refund.notify", "refund", r.RecordNo)
	au.Remarks = fmt.Sprintf("refund %d: customer notified by %s: %s", r.ID, channel, note)
	return s.Store.NotifyRefund(ctx, r.ID, n, au)
}

// ReplaceRefund lets a Failed refund be prepared again: a supervisor, not
// its requester, states why. The failed transaction can no longer confirm
// (the chain spent its coins or nonce otherwise), so a new one is no
// second payment. Requires Refund Approval.
func (s *Service) ReplaceRefund(ctx context.Context, id int64, remarks string) (*Refund, error) {
	op, r, err := s.refundWithRemarks(ctx, id, remarks)
	if err != nil {
		return nil, err
	}
	if r.Status != RefundFailed {
		return nil, Errorf(EINVALID, "Only a failed refund can be replaced; refund %d is %s.", r.ID, r.Status.Display())
	}
	if err := s.checkSecondPerson(ctx, r.RequestedBy, op, PermRefundApproval); err != nil {
		return nil, err
	}
	a, _, err := s.refundAsset(ctx, r)
	if err != nil {
		return nil, err
	}
	au := s.audit(op.Name, "refund.replace", "refund", r.RecordNo)
	au.Before, au.After, au.Remarks = string(RefundFailed), string(RefundApproved), remarks
	// The supervisor approves anew: their signature replaces the first
	// approver's, who no longer is the refund's.
	approvals := withApproval(r.Approvals, ApprovalApprove, s.signApproval(ctx, ApprovalApprove, op.Name, r, a))
	return s.Store.TransitionRefund(ctx, RefundTransition{ID: r.ID, From: RefundFailed, To: RefundApproved, ApprovedBy: op.Name,
		Approvals: approvals, Release: true, Remarks: remarks, Audit: au})
}

// refundAsset is the refunded deposit and its asset.
func (s *Service) refundAsset(ctx context.Context, r *Refund) (*Asset, *DepositRecord, error) {
	d, err := s.deposit(ctx, r.RecordNo)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.asset(ctx, d.AssetID)
	if err != nil {
		return nil, nil, err
	}
	return a, d, nil
}

// checkRefundAddress refuses an address that is no longer a Verified one
// of the deposit's customer on its network.
func (s *Service) checkRefundAddress(ctx context.Context, d *DepositRecord, address string) error {
	verified := AddressVerified
	ws, err := s.Store.FindWalletAddresses(ctx, WalletAddressFilter{CustomerID: &d.CustomerID, Chain: &d.Chain, Network: &d.Network, Status: &verified})
	if err != nil {
		return err
	}
	for _, w := range ws {
		if w.Address == address {
			return nil
		}
	}
	return Errorf(ECONFLICT, "%s is no longer a Verified address of customer %s on %s/%s; the refund cannot go there.", address, d.CustomerNo, d.Chain, d.Network)
}

// checkRefundLogged reads the refund's rows back from the audit log and
// refuses to sign unless the log shows this refund requested with exactly
// these facts, approved by another operator, and prepared with exactly
// this payout; each row must still hash to itself. Someone who can write
// the database but not rewrite the hash chain (whose checkpoints are
// signed) cannot make the station sign what nobody approved.
func (s *Service) checkRefundLogged(ctx context.Context, a *Asset, r *Refund) error {
	var requested, approved, prepared *AuditEntry
	for _, entity := range []string{"deposit", "refund"} {
		rows, err := s.Store.FindAudit(ctx, AuditFilter{Entity: &entity, EntityID: &r.RecordNo})
		if err != nil {
			return err
		}
		for _, row := range rows {
			if ChainHash(row.PrevHash, row) != row.Hash {
				return Errorf(ECONFLICT, "The audit row %d of record %s was altered; nothing was signed.", row.Seq, r.RecordNo)
			}
			switch {
			case row.Action == "refund.request":
				requested, approved, prepared = row, nil, nil
			case row.Action == "refund.approve" || row.Action == "refund.replace":
				approved = row
			case (row.Action == "refund.prepare" || row.Action == "refund.bump") && strings.HasPrefix(row.Remarks, fmt.Sprintf("refund %d: ", r.ID)):
				prepared = row
			}
		}
	}
	wrong := func(what string) error {
		return Errorf(ECONFLICT, "Refund %d does not match its %s in the audit log; it was changed outside the desk. Nothing was signed.", r.ID, what)
	}
	switch {
	case requested == nil || requested.Remarks != refundFacts(r):
		return wrong("request")
	case approved == nil || approved.Actor != r.ApprovedBy || strings.EqualFold(approved.Actor, r.RequestedBy):
		return wrong("approval")
	case prepared == nil || prepared.Action == "refund.prepare" && prepared.Remarks != fmt.Sprintf("refund %d: %s", r.ID, PayoutFacts(a, r.Payout)),
		prepared.Action == "refund.bump" && prepared.Remarks != bumpFacts(r, a, r.Payout, r.Remarks):
		return wrong("prepared transaction")
	}
	return nil
}

// PayoutFacts is a payout as its audit row and the operators read it.
func PayoutFacts(a *Asset, p *Payout) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s to %s, fee %s", FormatAmount(p.Amount.Big(), a.Decimals), a.Symbol, p.To, FormatFee(a.Chain, p.Fee.Big()))
	if p.Payer != "" {
		fmt.Fprintf(&b, " at most (%d gas at up to %s wei), from %s nonce %d", p.GasLimit, p.FeeRate.Big(), p.Payer, p.Nonce)
		return b.String()
	}
	fmt.Fprintf(&b, " (%s sat/vB); spends", p.FeeRate.Big())
	for i, in := range p.Inputs {
		sep := ","
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(&b, "%s %s (%s)", sep, in.Outpoint, FormatFee(a.Chain, in.Amount.Big()))
	}
	if p.Change != nil && p.Change.Sign() > 0 {
		fmt.Fprintf(&b, "; change %s to %s", FormatFee(a.Chain, p.Change.Big()), p.ChangeAddress)
	}
	return b.String()
}

// BumpRefundFee replaces a Bitcoin refund's unmined transaction by one
// paying rate (sat/vB): the same inputs and payment, the extra fee from the
// change, so only one of them can ever be mined. A supervisor (Refund
// Approval, not the requester) approves it with remarks; the refund is
// Prepared again and needs Execute Refund, and the watcher keeps following
// the earlier transaction until one of them is mined.
func (s *Service) BumpRefundFee(ctx context.Context, id int64, rate *big.Int, remarks string) (*Refund, error) {
	op, r, err := s.refundWithRemarks(ctx, id, remarks)
	if err != nil {
		return nil, err
	}
	if r.Status != RefundSigned && r.Status != RefundBroadcast {
		return nil, Errorf(EINVALID, "Only a signed or broadcast refund's fee can be bumped; refund %d is %s.", r.ID, r.Status.Display())
	}
	if err := s.checkSecondPerson(ctx, r.RequestedBy, op, PermRefundApproval); err != nil {
		return nil, err
	}
	if s.Payouts == nil {
		return nil, Errorf(EINVALID, "This desk cannot build refund transactions.")
	}
	a, _, err := s.refundAsset(ctx, r)
	if err != nil {
		return nil, err
	}
	node, err := s.chainFor(ctx, a.Net(), "The fee cannot be bumped")
	if err != nil {
		return nil, err
	}
	if tx, err := node.Transaction(ctx, r.TxID); err == nil && !tx.InMempool() {
		return nil, Errorf(EINVALID, "Refund %d's transaction is mined already (block %d); there is nothing to bump.", r.ID, tx.BlockHeight)
	} else if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	p, err := s.Payouts.Bump(a, r, rate)
	if err != nil {
		return nil, err
	}
	au := s.audit(op.Name, "refund.bump", "refund", r.RecordNo)
	au.Before, au.After, au.Remarks = string(r.Status), string(RefundPrepared), bumpFacts(r, a, p, remarks)
	return s.Store.TransitionRefund(ctx, RefundTransition{ID: r.ID, From: r.Status, To: RefundPrepared, Payout: p, Network: a.Net(),
		Remarks: remarks, Audit: au})
}

// bumpFacts is a fee bump's audit row: the prepared row's facts, then the
// supervisor's remarks.
func bumpFacts(r *Refund, a *Asset, p *Payout, remarks string) string {
	return fmt.Sprintf("refund %d: %s; fee bump approved: %s", r.ID, PayoutFacts(a, p), remarks)
}

// PayerBalance is what an Ethereum asset's refund payer holds: the
// network's coin (for fees, and ETH refunds) and, for a token, the token.
type PayerBalance struct {
	Address string
	Coin    *big.Int
	Token   *big.Int // nil for the network's own coin
}

// RefundPayer names the address an Ethereum asset's refunds are paid from
// and what it holds now, so operators can fund it before it falls short.
// Requires a permission that sees refunds.
func (s *Service) RefundPayer(ctx context.Context, symbol, network string) (*Asset, *PayerBalance, error) {
	if _, err := s.authorize(ctx, ActionViewRefunds); err != nil {
		return nil, nil, err
	}
	a, err := s.assetBySymbol(ctx, symbol, network)
	if err != nil {
		return nil, nil, err
	}
	if a.Chain != ChainEthereum {
		return nil, nil, Errorf(EINVALID, "%s refunds are paid from the account's own deposits, not a payer address.", a.Key())
	}
	if s.Payouts == nil {
		return nil, nil, Errorf(EINVALID, "This desk cannot build refund transactions.")
	}
	payer, err := s.Payouts.Payer(a)
	if err != nil {
		return nil, nil, err
	}
	node, err := s.chainFor(ctx, a.Net(), "The payer's balance cannot be read")
	if err != nil {
		return nil, nil, err
	}
	n, ok := node.(EthereumPayer)
	if !ok {
		return nil, nil, Errorf(ECONFLICT, "The %s node cannot give balances.", a.Net())
	}
	b := &PayerBalance{Address: payer}
	if b.Coin, err = n.Balance(ctx, payer); err != nil {
		return nil, nil, err
	}
	if a.ContractAddress != "" {
		if b.Token, err = n.TokenBalance(ctx, a.ContractAddress, payer); err != nil {
			return nil, nil, err
		}
	}
	return a, b, nil
}

package core

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SubmitApplication receives a client's deposit request and makes it a
// unique deposit record in "Wallet Address Under Verification". It is
// idempotent: the same ClientRequestKey with the same content, or the same
// (network, TXID, index), returns the existing record with created=false;
// the same key with different content is ECONFLICT. A source address the
// customer has not registered yet is registered as Pending so operators see
// it in the verification queue. The record keeps who sent it and how: an
// API client through ChannelAPI, an operator through the channel the
// application names (required, one of ManualChannels), with its remarks.
// Requires Deposit Application.
func (s *Service) SubmitApplication(ctx context.Context, app DepositApplication) (rec *DepositRecord, created bool, err error) {
	op, err := s.authorize(ctx, ActionSubmitApplication)
	if err != nil {
		return nil, false, err
	}
	client := actingClient(ctx)
	shownKey := app.ClientRequestKey // what the caller knows the request by
	if client != nil {
		if err := ValidateIdempotencyKey(app.ClientRequestKey); err != nil {
			return nil, false, err
		}
		app.ClientRequestKey = client.requestKeyPrefix() + app.ClientRequestKey
		app.Channel, app.Remarks = ChannelAPI, ""
	} else {
		if strings.HasPrefix(app.ClientRequestKey, clientKeyPrefix) {
			return nil, false, Errorf(EINVALID, "Request keys starting with %q are reserved for API clients.", clientKeyPrefix)
		}
		if app.Channel, err = ParseManualChannel(string(app.Channel)); err != nil {
			return nil, false, err
		}
		if app.Remarks = strings.TrimSpace(app.Remarks); app.Remarks != "" {
			if err := ValidateRemarks(app.Remarks); err != nil {
				return nil, false, err
			}
		}
	}
	d, err := s.buildDeposit(ctx, op.Name, app)
	if err != nil {
		return nil, false, err
	}
	d.SubmittedBy, d.Channel, d.Remarks = op.Name, app.Channel, app.Remarks
	a := s.audit(op.Name, "deposit.create", "deposit", "")
	a.After, a.Remarks = string(StatusVerifying), DepositFacts(d)+receivedNote(d)
	rec, created, err = s.Store.CreateDeposit(ctx, d, a)
	if err != nil {
		return nil, false, err
	}
	if !created && rec.RequestHash != d.RequestHash {
		if d.ClientRequestKey != "" && rec.ClientRequestKey == d.ClientRequestKey {
			return nil, false, Errorf(ECONFLICT, "Request key %q was already used for a different deposit request (%s).", truncate(shownKey, 64), rec.RecordNo)
		}
		// Matched by (network, txid, index): another request already claims
		// this transaction, so returning its record would tell this client
		// that its own, different request was recorded. A client is told
		// the record's number only when the record is its own.
		if client != nil && !client.Owns(rec) {
			return nil, false, Errorf(ECONFLICT, "Transaction %s is already recorded for another deposit request.", d.TxID)
		}
		return nil, false, Errorf(ECONFLICT, "Transaction %s is already recorded as %s for a different deposit request.", d.TxID, rec.RecordNo)
	}
	if client != nil && !client.Owns(rec) {
		// The same transaction, sent by another client or entered by an
		// operator: this client may not see that record.
		return nil, false, Errorf(ECONFLICT, "Transaction %s is already recorded for another deposit request.", d.TxID)
	}
	// Only an accepted request registers its source address, and a retry of
	// the same request registers it if an earlier attempt stopped short.
	if err := s.ensureSourceAddress(ctx, op.Name, d); err != nil {
		return nil, false, err
	}
	if client != nil && !created {
		// Every client call leaves an audit row; a replay writes nothing
		// else, so it is recorded here.
		if err := s.Store.AppendAudit(ctx, s.audit(op.Name, "deposit.resubmit", "deposit", rec.RecordNo)); err != nil {
			return nil, false, err
		}
	}
	return rec, created, nil
}

// receivedNote is what the creation's audit row says after the facts of
// an application an operator entered: the channel and their remarks.
// Replay reads the facts up to it (receivedVia).
func receivedNote(d *DepositRecord) string {
	if d.Channel == ChannelAPI || d.Channel == "" {
		return ""
	}
	note := receivedVia + string(d.Channel)
	if d.Remarks != "" {
		note += ": " + d.Remarks
	}
	return note
}

// receivedVia separates a creation row's facts from its channel note.
const receivedVia = "; received via "

// buildDeposit validates an application against the configuration and
// returns the record to insert. It changes nothing.
func (s *Service) buildDeposit(ctx context.Context, actor string, app DepositApplication) (*DepositRecord, error) {
	if len(app.ClientRequestKey) > 128 {
		return nil, Errorf(EINVALID, "Request key must be at most 128 characters.")
	}
	c, acct, err := s.applicant(ctx, app.CustomerNo, app.SecuritiesAccount)
	if err != nil {
		return nil, err
	}
	asset, err := s.assetBySymbol(ctx, app.AssetSymbol, app.Network)
	if err != nil {
		return nil, err
	}
	if !asset.Enabled {
		return nil, Errorf(EINVALID, "Deposits of %s on %s are disabled.", asset.Symbol, asset.Network)
	}
	amount, err := ParseAmount(strings.TrimSpace(app.Amount), asset.Decimals)
	if err != nil {
		return nil, err
	}
	if amount.Sign() <= 0 {
		return nil, Errorf(EINVALID, "Amount must be greater than zero.")
	}
	if amount.Cmp(asset.MinDeposit) < 0 {
		return nil, Errorf(EINVALID, "Amount %s %s is below the minimum deposit of %s.", FormatAmount(amount, asset.Decimals), asset.Symbol, FormatAmount(asset.MinDeposit, asset.Decimals))
	}
	v := s.addressValidator()
	src, err := v.NormalizeAddress(asset.Chain, asset.Network, app.SourceAddress)
	if err != nil {
		return nil, err
	}
	var dst string
	if strings.TrimSpace(app.DestinationAddress) != "" {
		if dst, err = v.NormalizeAddress(asset.Chain, asset.Network, app.DestinationAddress); err != nil {
			return nil, err
		}
	}
	var txid string
	if strings.TrimSpace(app.TxID) != "" {
		if txid, err = NormalizeTxID(asset.Chain, strings.TrimSpace(app.TxID)); err != nil {
			return nil, err
		}
	}
	if app.TxIndex < 0 || app.TxIndex > maxTxIndex {
		return nil, Errorf(EINVALID, "Transaction output/log index out of range.")
	}
	now := s.now()
	requested := app.RequestedAt
	if requested.IsZero() {
		requested = now
	}
	if requested.After(now.Add(5 * time.Minute)) {
		return nil, Errorf(EINVALID, "Request time is in the future.")
	}
	// Last, once the request is known good: assigning the customer's
	// deposit address is the one write building a record may make.
	if dst, err = s.destination(ctx, actor, c, asset, dst); err != nil {
		return nil, err
	}
	d := &DepositRecord{
		ClientRequestKey: app.ClientRequestKey, CustomerID: c.ID, CustomerNo: c.CustomerNo, SecuritiesAccount: acct,
		AssetID: asset.ID, AssetSymbol: asset.Symbol, Chain: asset.Chain, Network: asset.Network, Decimals: asset.Decimals,
		Amount: amount, SourceAddress: src, DestinationAddress: dst, TxID: txid, TxIndex: app.TxIndex,
		RequestedAt: requested.UTC().Truncate(time.Microsecond), CreatedAt: now, UpdatedAt: now,
		Status: StatusVerifying, ConfirmationsRequired: asset.ConfirmationsRequired,
	}
	d.RequestHash = requestHash(d)
	return d, nil
}

// applicant returns the customer an application names and their securities
// account, which must be that customer's. An operator is told which of the
// two is wrong; an API client gets one answer for an unknown number and for
// a known number with another account, so only a client that already knows
// a customer's number and account learns that the customer exists. Both
// are checked for form first, which does not depend on the customer.
func (s *Service) applicant(ctx context.Context, customerNo, account string) (*Customer, string, error) {
	acct := strings.ToUpper(strings.TrimSpace(account))
	if err := ValidateSecuritiesAccount(acct); err != nil {
		return nil, "", err
	}
	no, err := parseCustomerNo(customerNo)
	if err != nil {
		return nil, "", err
	}
	c, err := s.customer(ctx, no)
	if actingClient(ctx) != nil && (ErrorCode(err) == ENOTFOUND || err == nil && acct != c.SecuritiesAccount) {
		return nil, "", Errorf(ENOTFOUND, "No customer has that customer number and securities account.")
	}
	if err != nil {
		return nil, "", err
	}
	if acct != c.SecuritiesAccount {
		return nil, "", Errorf(EINVALID, "Securities account %q does not belong to customer %s.", acct, c.CustomerNo)
	}
	return c, acct, nil
}

// requestHash fingerprints what the client asked for (not when).
func requestHash(d *DepositRecord) string {
	b, _ := json.Marshal([]string{d.CustomerNo, d.SecuritiesAccount, d.AssetSymbol, d.Network, d.Amount.String(),
		d.SourceAddress, d.DestinationAddress, d.TxID, strconv.Itoa(d.TxIndex)})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (s *Service) ensureSourceAddress(ctx context.Context, actor string, d *DepositRecord) error {
	// An address, once registered, stays registered (its status changes,
	// never its existence), so it is looked up once per desk.
	key := strconv.FormatInt(d.CustomerID, 10) + "/" + d.Network + "/" + d.SourceAddress
	if _, ok := s.known.sourceAddresses.Load(key); ok {
		return nil
	}
	ws, err := s.Store.FindWalletAddresses(ctx, WalletAddressFilter{CustomerID: &d.CustomerID, Network: &d.Network, Address: &d.SourceAddress})
	if err != nil {
		return err
	}
	if len(ws) > 0 {
		s.known.sourceAddresses.Store(key, true)
		return nil
	}
	c := &Customer{ID: d.CustomerID, CustomerNo: d.CustomerNo}
	_, err = s.addWalletAddress(ctx, actor, c, d.Chain, d.Network, d.SourceAddress, "from deposit application")
	if ErrorCode(err) == ECONFLICT { // registered concurrently by another request
		return nil
	}
	return err
}

// DeleteApplication soft-deletes an abnormal application. Only records in
// "Wallet Address Under Verification" can be deleted; remarks are required
// and the deletion is audited. Requires Deposit Application.
func (s *Service) DeleteApplication(ctx context.Context, recordNo, remarks string) (*DepositRecord, error) {
	op, err := s.authorize(ctx, ActionDeleteApplication)
	if err != nil {
		return nil, err
	}
	return s.operatorTransition(ctx, op, recordNo, StatusDeleted, "deposit.delete", remarks, wrongStatusDelete)
}

// CanDelete says whether DeleteApplication would take recordNo now, with
// the same checks and the same refusal, short of the remarks: nil when it
// would. It changes nothing, so a desk can ask before it offers Delete.
func (s *Service) CanDelete(ctx context.Context, recordNo string) error {
	if _, err := s.authorize(ctx, ActionDeleteApplication); err != nil {
		return err
	}
	_, err := s.operatorCheck(ctx, recordNo, StatusDeleted, wrongStatusDelete)
	return err
}

// CancelDeposit cancels a record that never received funds. The operating
// guide allows it only in "Wallet Address Under Verification" (the chain has
// not begun confirming); remarks are required and the cancellation is logged
// with operator, time and remarks. A TXID the network's node already shows
// refuses the cancel (checkNotOnChain). Requires Cancel.
func (s *Service) CancelDeposit(ctx context.Context, recordNo, remarks string) (*DepositRecord, error) {
	op, err := s.authorize(ctx, ActionCancelDeposit)
	if err != nil {
		return nil, err
	}
	return s.operatorTransition(ctx, op, recordNo, StatusCancelled, "deposit.cancel", remarks, wrongStatusCancel)
}

// CanCancel says whether CancelDeposit would take recordNo now, with the
// same checks and the same refusal, short of the remarks: nil when it
// would. For a record with a TXID it asks for the network's node, so a
// desk that cannot check the chain says so before the operator writes
// remarks; it does not ask the node about the transaction, which can reach
// the chain before the cancel: CancelDeposit asks then. It changes nothing.
func (s *Service) CanCancel(ctx context.Context, recordNo string) error {
	if _, err := s.authorize(ctx, ActionCancelDeposit); err != nil {
		return err
	}
	d, err := s.operatorCheck(ctx, recordNo, StatusCancelled, wrongStatusCancel)
	if err != nil || d.TxID == "" {
		return err
	}
	_, err = s.chainFor(ctx, d.Net(), cannotCheckChain(d))
	return err
}

// The refusals of a cancel or delete in the wrong status.
const (
	wrongStatusCancel = "Only a record in %q can be cancelled; this one is %q."
	wrongStatusDelete = "Only an application in %q can be deleted; this one is %q."
)

// DecideHeld releases a held deposit back to Confirming or rejects it, with
// remarks. Requires Refund Approval (the supervisor's permission).
func (s *Service) DecideHeld(ctx context.Context, recordNo string, release bool, remarks string) (*DepositRecord, error) {
	op, err := s.authorize(ctx, ActionReviewHeld)
	if err != nil {
		return nil, err
	}
	to, action := StatusRejected, "deposit.reject"
	if release {
		to, action = StatusConfirming, "deposit.release"
	}
	return s.operatorTransition(ctx, op, recordNo, to, action, remarks,
		"Only a record in %q can be decided; this one is %q.")
}

// operatorTransition is the shared path of every operator-driven status
// change: remarks, current status check with the guide's message, chain
// re-check for cancels, then the guarded UPDATE with its audit row.
func (s *Service) operatorTransition(ctx context.Context, op *Operator, recordNo string, to DepositStatus, action, remarks, wrongStatus string) (*DepositRecord, error) {
	if err := ValidateRecordNo(recordNo); err != nil {
		return nil, err
	}
	if err := ValidateRemarks(remarks); err != nil {
		return nil, err
	}
	d, err := s.operatorCheck(ctx, recordNo, to, wrongStatus)
	if err != nil {
		return nil, err
	}
	from := d.Status
	if to == StatusCancelled && d.TxID != "" {
		if err := s.checkNotOnChain(ctx, d); err != nil {
			return nil, err
		}
	}
	a := s.audit(op.Name, action, "deposit", d.RecordNo)
	a.Before, a.After, a.Remarks = string(from), string(to), strings.TrimSpace(remarks)
	return s.Store.TransitionDeposit(ctx, DepositTransition{ID: d.ID, From: from, To: to, Remarks: a.Remarks, Audit: a})
}

// operatorCheck is the record recordNo when an operator may move it to
// "to" from its status now; else the refusal, wrongStatus naming the
// status it must be in and the one it is in.
func (s *Service) operatorCheck(ctx context.Context, recordNo string, to DepositStatus, wrongStatus string) (*DepositRecord, error) {
	if err := ValidateRecordNo(recordNo); err != nil {
		return nil, err
	}
	d, err := s.deposit(ctx, recordNo)
	if err != nil {
		return nil, err
	}
	if from := requiredFrom(to); d.Status != from {
		return nil, Errorf(EINVALID, wrongStatus, from.Display(), d.Status.Display())
	}
	return d, nil
}

// requiredFrom is the only status an operator action to "to" starts from.
func requiredFrom(to DepositStatus) DepositStatus {
	switch to {
	case StatusConfirming, StatusRejected:
		return StatusHeld
	}
	return StatusVerifying
}

// SearchDeposits runs a multi-condition search. Requires Deposit Records
// (or another permission that works on records).
func (s *Service) SearchDeposits(ctx context.Context, f DepositFilter) (DepositPage, error) {
	if searcher, session, ok := s.searcherAs(ctx, &f); ok {
		op, page, err := searcher.FindDepositsAs(ctx, session.ID, f)
		if err != nil {
			return DepositPage{}, err
		}
		if err := authorizeWith(session, op, ActionViewRecords); err != nil {
			return DepositPage{}, err
		}
		return page, nil
	}
	if _, err := s.authorize(ctx, ActionViewRecords); err != nil {
		return DepositPage{}, err
	}
	if err := f.Validate(); err != nil {
		return DepositPage{}, err
	}
	return s.Store.FindDeposits(ctx, f)
}

// CountDeposits counts the records SearchDeposits finds with f, all pages,
// up to DepositCountCap: past it the count says "more than", so counting
// never reads much more than a page does. Requires what searching does.
func (s *Service) CountDeposits(ctx context.Context, f DepositFilter) (DepositCount, error) {
	f.After = nil // every page
	if searcher, session, ok := s.searcherAs(ctx, &f); ok {
		op, n, more, err := searcher.CountDepositsAs(ctx, session.ID, f, DepositCountCap)
		if err != nil {
			return DepositCount{}, err
		}
		if err := authorizeWith(session, op, ActionViewRecords); err != nil {
			return DepositCount{}, err
		}
		return DepositCount{N: n, More: more}, nil
	}
	if _, err := s.authorize(ctx, ActionViewRecords); err != nil {
		return DepositCount{}, err
	}
	if err := f.Validate(); err != nil {
		return DepositCount{}, err
	}
	n, more, err := s.Store.CountDeposits(ctx, f, DepositCountCap)
	return DepositCount{N: n, More: more}, err
}

// DepositDetail returns a record with its source-address verification
// and audit trail, for the detail page.
func (s *Service) DepositDetail(ctx context.Context, recordNo string) (*DepositDetail, error) {
	if _, err := s.authorize(ctx, ActionViewRecords); err != nil {
		return nil, err
	}
	if err := ValidateRecordNo(recordNo); err != nil {
		return nil, err
	}
	d, err := s.deposit(ctx, recordNo)
	if err != nil {
		return nil, err
	}
	det := &DepositDetail{Record: d}
	ws, err := s.Store.FindWalletAddresses(ctx, WalletAddressFilter{CustomerID: &d.CustomerID, Network: &d.Network, Address: &d.SourceAddress})
	if err != nil {
		return nil, err
	}
	if len(ws) > 0 {
		det.SourceAddress = ws[0]
	}
	if det.Refunds, err = s.Store.FindRefunds(ctx, RefundFilter{DepositID: &d.ID}); err != nil {
		return nil, err
	}
	// The record's trail: its own status changes and its refunds' steps
	// (rows about a refund name the record it refunds), in log order.
	for _, entity := range []string{"deposit", "refund"} {
		rows, err := s.Store.FindAudit(ctx, AuditFilter{Entity: &entity, EntityID: &d.RecordNo})
		if err != nil {
			return nil, err
		}
		det.Trail = append(det.Trail, rows...)
	}
	slices.SortFunc(det.Trail, func(a, b *AuditEntry) int { return cmp.Compare(a.Seq, b.Seq) })
	return det, nil
}

func (s *Service) deposit(ctx context.Context, recordNo string) (*DepositRecord, error) {
	page, err := s.Store.FindDeposits(ctx, DepositFilter{RecordNo: &recordNo, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(page.Records) == 0 {
		return nil, Errorf(ENOTFOUND, "Deposit record %s not found.", recordNo)
	}
	return page.Records[0], nil
}

// SeedDeposits stores synthetic records in bulk for demos and benchmarks,
// each with its own audit row (action deposit.seed, by the seed, its status
// and facts), so seeded records replay from the log like any other. Only
// into a database without deposit records, so seeded numbers never mix
// with real ones. Requires Operator Admin.
func (s *Service) SeedDeposits(ctx context.Context, recs iter.Seq[*DepositRecord], count int) error {
	op, err := s.authorize(ctx, ActionManageOperators)
	if err != nil {
		return err
	}
	at := s.now()
	n, err := s.Store.BulkInsertDeposits(ctx, recs, func(d *DepositRecord) AuditEntry {
		a := s.audit(SeedActor, "deposit.seed", "deposit", d.RecordNo)
		a.At, a.After, a.Remarks = at, string(d.Status), FactsDigest(d)+"; seeded by "+op.Name
		return a
	})
	if err == nil && n != count {
		return Errorf(EINTERNAL, "Seeding stored %d of %d records.", n, count)
	}
	return err
}

// HasDeposits reports whether any deposit record exists.
func (s *Service) HasDeposits(ctx context.Context) (bool, error) {
	page, err := s.Store.FindDeposits(ctx, DepositFilter{Limit: 1})
	return len(page.Records) > 0, err
}

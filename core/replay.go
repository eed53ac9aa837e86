package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// DepositFacts is what a deposit's first audit row (deposit.create or
// deposit.seed) records of the facts that never change after it is made:
// amount, asset and network, the addresses, the customer and account. A
// reader of the log sees what was applied for; a replay compares it with
// the record as it stands.
func DepositFacts(d *DepositRecord) string {
	return fmt.Sprintf("%s %s on %s from %s to %s for customer %s, account %s",
		FormatAmount(d.Amount, d.Decimals), d.AssetSymbol, d.Net(), d.SourceAddress, d.DestinationAddress, d.CustomerNo, d.SecuritiesAccount)
}

// FactsDigest is the compact form of DepositFacts a seeded record's row
// carries: a million synthetic records need not spell their facts out.
func FactsDigest(d *DepositRecord) string {
	sum := sha256.Sum256([]byte(DepositFacts(d)))
	return factsDigestPrefix + hex.EncodeToString(sum[:16])
}

const factsDigestPrefix = "facts sha256:"

// replayedDeposit is what the log says of one record: its status after the
// last row that moved it, and a digest of the facts its first row recorded.
type replayedDeposit struct {
	status  DepositStatus
	facts   string // the first row's facts, in full or as FactsDigest
	created bool   // a deposit.create or deposit.seed row was seen
}

// maxReplayProblems bounds how many records a verification names one by one.
const maxReplayProblems = 20

// replayDeposits rebuilds every deposit's status and facts from the audit
// rows and compares them with the records: a record without a history, a
// status the log never gave it, or facts that differ from those recorded
// at creation is named. It reads the log and the records in batches; the
// replayed state is about a hundred bytes a record. It also returns the
// deposits' refund rows, for replayRefundsAndClients: the log is read once.
func (s *Service) replayDeposits(ctx context.Context) (checked int, refundRows []*AuditEntry, problems []string, err error) {
	entity := "deposit"
	state := map[string]*replayedDeposit{}
	more := 0
	note := func(format string, args ...any) {
		if len(problems) < maxReplayProblems {
			problems = append(problems, fmt.Sprintf(format, args...))
		} else {
			more++
		}
	}
	if err := s.eachAudit(ctx, entity, func(r *AuditEntry) {
		if strings.HasPrefix(r.Action, "refund.") {
			refundRows = append(refundRows, r)
		}
		if bad := replayRow(state, r); bad != "" {
			note("%s", bad)
		}
	}); err != nil {
		return 0, nil, nil, err
	}
	f := DepositFilter{Limit: MaxPageSize}
	for {
		page, err := s.Store.FindDeposits(ctx, f)
		if err != nil {
			return 0, nil, nil, err
		}
		for _, d := range page.Records {
			checked++
			r, ok := state[d.RecordNo]
			switch {
			case !ok || !r.created:
				note("record %s (%s) has no creation in the log", d.RecordNo, d.Status.Display())
			case r.status != d.Status:
				note("record %s is %s, but its history in the log ends at %s", d.RecordNo, d.Status.Display(), r.status.Display())
			case r.facts != "" && !factsMatch(r.facts, d):
				note("record %s no longer matches the facts recorded when it was made (amount, asset, addresses or customer)", d.RecordNo)
			}
		}
		if page.Next == nil {
			break
		}
		f.After = page.Next
	}
	if more > 0 {
		problems = append(problems, fmt.Sprintf("%d more records disagree with the log", more))
	}
	return checked, refundRows, problems, nil
}

// replayRow applies one deposit audit row to the replayed state and says
// what is wrong with it: a move from a status the record was not in, or
// one the transition table does not allow (a forged row written by hand).
func replayRow(state map[string]*replayedDeposit, r *AuditEntry) string {
	d := state[r.EntityID]
	if d == nil {
		d = &replayedDeposit{}
		state[r.EntityID] = d
	}
	switch r.Action {
	case "deposit.create", "deposit.seed":
		d.created = true
		d.facts, _, _ = strings.Cut(r.Remarks, "; seeded by ")
		d.facts, _, _ = strings.Cut(d.facts, receivedVia)
		d.status = DepositStatus(r.After)
		return ""
	}
	to := DepositStatus(r.After)
	if !to.Valid() {
		return "" // a read or an attachment: no move
	}
	from := DepositStatus(r.Before)
	var bad string
	switch {
	case !d.created:
	case from != d.status:
		bad = fmt.Sprintf("row %d moves record %s from %s, but the log had it at %s", r.Seq, r.EntityID, from.Display(), d.status.Display())
	case CheckTransition(from, to) != nil:
		bad = fmt.Sprintf("row %d moves record %s from %s to %s, which no rule allows", r.Seq, r.EntityID, from.Display(), to.Display())
	}
	d.status = to
	return bad
}

// factsMatch compares the facts a first row recorded with the record now.
func factsMatch(recorded string, d *DepositRecord) bool {
	if strings.HasPrefix(recorded, factsDigestPrefix) {
		return recorded == FactsDigest(d)
	}
	return recorded == DepositFacts(d)
}

// eachAudit calls fn with every audit row about entity, in order, reading
// the log in batches.
func (s *Service) eachAudit(ctx context.Context, entity string, fn func(*AuditEntry)) error {
	var after int64
	for {
		rows, err := s.Store.FindAudit(ctx, AuditFilter{Entity: &entity, AfterSeq: after, Limit: auditBatch})
		if err != nil || len(rows) == 0 {
			return err
		}
		for _, r := range rows {
			fn(r)
		}
		after = rows[len(rows)-1].Seq
	}
}

// replayConfiguration replays the assets and the operators: an asset's
// configuration is the After of its last create or update row; an
// operator's permissions the After of their last create or permissions row,
// and whether they are disabled the After of their last disable row.
func (s *Service) replayConfiguration(ctx context.Context) ([]string, error) {
	var problems []string
	assets := map[string]string{}
	if err := s.eachAudit(ctx, "asset", func(r *AuditEntry) {
		if r.Action == "asset.create" || r.Action == "asset.update" {
			assets[r.EntityID] = r.After
		}
	}); err != nil {
		return nil, err
	}
	as, err := s.Store.FindAssets(ctx, AssetFilter{})
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		logged, ok := assets[a.Key()]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("asset %s has no creation in the log", a.Key()))
		case asLoggedToday(logged) != assetText(a):
			problems = append(problems, fmt.Sprintf("asset %s is configured otherwise than its last change in the log says", a.Key()))
		}
	}
	type opState struct {
		perms    string
		disabled string
		created  bool
	}
	ops := map[string]*opState{}
	if err := s.eachAudit(ctx, "operator", func(r *AuditEntry) {
		o := ops[strings.ToLower(r.EntityID)]
		if o == nil {
			o = &opState{disabled: "enabled"}
			ops[strings.ToLower(r.EntityID)] = o
		}
		switch r.Action {
		case "operator.create":
			o.created, o.perms = true, r.After
		case "operator.permissions":
			o.perms = r.After
		case "operator.disable":
			o.disabled = r.After
		}
	}); err != nil {
		return nil, err
	}
	list, err := s.Store.FindOperators(ctx, OperatorFilter{})
	if err != nil {
		return nil, err
	}
	for _, op := range list {
		o := ops[strings.ToLower(op.Name)]
		switch {
		case o == nil || !o.created:
			problems = append(problems, fmt.Sprintf("operator %s has no creation in the log", op.Name))
		case samePermissions(o.perms, permissionsText(op.Permissions)) == false:
			problems = append(problems, fmt.Sprintf("operator %s holds permissions the log never gave (%s)", op.Name, permissionsText(op.Permissions)))
		case o.disabled != boolText(op.Disabled, "disabled", "enabled"):
			problems = append(problems, fmt.Sprintf("operator %s is %s, but the log last made them %s", op.Name, boolText(op.Disabled, "disabled", "enabled"), o.disabled))
		}
	}
	return problems, nil
}

// asLoggedToday is an asset row's text as assetText writes it now: without
// the node reference rows carried until the desk keyed nodes by network
// (migration 00008), with the refund fees rows lacked until 00013.
func asLoggedToday(text string) string {
	if i := strings.LastIndex(text, " rpc="); i >= 0 {
		text = text[:i]
	}
	if !strings.Contains(text, " refund_fee_rate=") { // logged before refund fees were configured
		text += " refund_fee_rate=- refund_fee_cap=-"
	}
	return text
}

// samePermissions compares two permission lists as sets.
func samePermissions(a, b string) bool {
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		out := strings.Split(s, ", ")
		slices.Sort(out)
		return out
	}
	return slices.Equal(split(a), split(b))
}

// replayRefundsAndClients replays each deposit's latest refund (its
// request row's facts, then the status its approve or reject rows left it
// in) and every API client (created, revoked or not).
func (s *Service) replayRefundsAndClients(ctx context.Context, depositRows []*AuditEntry) ([]string, error) {
	type refundState struct {
		facts  string
		status RefundStatus
	}
	refunds := map[string]*refundState{}
	apply := func(r *AuditEntry) {
		switch r.Action {
		case "refund.request":
			refunds[r.EntityID] = &refundState{facts: r.Remarks, status: RefundRequested}
		default: // approve, prepare, sign, broadcast, confirm, fail, replace, reject
			if st := refunds[r.EntityID]; st != nil && r.After != "" {
				st.status = RefundStatus(r.After)
			}
		}
	}
	// The request rows are about the deposit (depositRows, read by
	// replayDeposits) and the later ones about the refund; both name the
	// record, so apply them in log order together.
	rows := slices.Clone(depositRows)
	if err := s.eachAudit(ctx, "refund", func(r *AuditEntry) {
		if strings.HasPrefix(r.Action, "refund.") {
			rows = append(rows, r)
		}
	}); err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b *AuditEntry) int { return int(a.Seq - b.Seq) })
	for _, r := range rows {
		apply(r)
	}
	var problems []string
	all, err := s.Store.FindRefunds(ctx, RefundFilter{})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, r := range all { // newest first: the first of each record is its latest
		if seen[r.RecordNo] {
			continue
		}
		seen[r.RecordNo] = true
		st := refunds[r.RecordNo]
		switch {
		case st == nil:
			problems = append(problems, fmt.Sprintf("the refund of record %s has no request in the log", r.RecordNo))
		case st.status != r.Status:
			problems = append(problems, fmt.Sprintf("the refund of record %s is %s, but the log last made it %s", r.RecordNo, r.Status.Display(), st.status.Display()))
		case st.facts != refundFacts(r):
			problems = append(problems, fmt.Sprintf("the refund of record %s no longer matches its request in the log (amount, address or identity check)", r.RecordNo))
		}
	}
	clients := map[string]bool{} // name → revoked
	if err := s.eachAudit(ctx, "client", func(r *AuditEntry) {
		switch r.Action {
		case "client.create":
			clients[strings.ToLower(r.EntityID)] = false
		case "client.revoke":
			clients[strings.ToLower(r.EntityID)] = true
		}
	}); err != nil {
		return nil, err
	}
	cs, err := s.Store.FindAPIClients(ctx, APIClientFilter{})
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		revoked, ok := clients[strings.ToLower(c.Name)]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("API client %s has no creation in the log", c.Name))
		case revoked && !c.Revoked():
			problems = append(problems, fmt.Sprintf("API client %s was revoked in the log but works again", c.Name))
		}
	}
	return problems, nil
}

// replayAddresses replays every wallet address's verification status from
// its rows (added Pending, then each verification, rejection or
// revocation). An address two customers registered on one network has
// rows that cannot be told apart by their subject, so it is not judged.
func (s *Service) replayAddresses(ctx context.Context) ([]string, error) {
	type addrState struct {
		status AddressStatus
		adds   int
	}
	state := map[string]*addrState{}
	if err := s.eachAudit(ctx, "address", func(r *AuditEntry) {
		a := state[r.EntityID]
		if a == nil {
			a = &addrState{}
			state[r.EntityID] = a
		}
		if r.Action == "address.add" {
			a.adds++
			a.status = AddressPending
			return
		}
		if st := AddressStatus(r.After); strings.HasPrefix(r.Action, "address.") && st.Valid() {
			a.status = st
		}
	}); err != nil {
		return nil, err
	}
	ws, err := s.Store.FindWalletAddresses(ctx, WalletAddressFilter{})
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, w := range ws {
		a := state[w.Network+":"+w.Address]
		switch {
		case a == nil || a.adds == 0:
			problems = append(problems, fmt.Sprintf("wallet address %s of customer %s has no registration in the log", w.Address, w.CustomerNo))
		case a.adds > 1:
		case a.status != w.Status:
			problems = append(problems, fmt.Sprintf("wallet address %s of customer %s is %s, but the log last made it %s", w.Address, w.CustomerNo, w.Status.Display(), a.status.Display()))
		}
	}
	return problems, nil
}

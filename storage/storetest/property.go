package storetest

import (
	"context"
	"flag"
	"fmt"
	"math/big"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"depositdesk/core"
)

// Property sizes. A fresh store per rapid run is too slow on Postgres, so
// one store serves every run and each run works on its own customer.
const (
	propertyChecks = 30
	propertySteps  = 40
)

var propertyFlagsOnce sync.Once

// limitRapid lowers rapid's default checks and steps for this suite unless
// the developer chose them (flag or environment), e.g. -rapid.checks=500
// for a long soak.
func limitRapid() {
	propertyFlagsOnce.Do(func() {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, v := range map[string]int{"rapid.checks": propertyChecks, "rapid.steps": propertySteps} {
			env := "RAPID_" + strings.ToUpper(strings.TrimPrefix(name, "rapid."))
			if _, inEnv := os.LookupEnv(env); !set[name] && !inEnv && flag.Lookup(name) != nil {
				_ = flag.Set(name, fmt.Sprint(v))
			}
		}
	})
}

// RunProperty drives a real core.Service over one store made by newStore
// with random sequences of intake, operator, watcher and refund actions,
// checking after every step that storage agrees with a simple model: one
// status per record equal to the model's, never both Cancelled and
// Credited, a live refund exactly while a record is Refunding, an intact
// audit chain with exactly one row per status change, unique record numbers.
func RunProperty(t *testing.T, newStore func(t *testing.T) core.Store) {
	limitRapid()
	w := newPropertyWorld(t, newStore(t))
	rapid.Check(t, func(rt *rapid.T) { w.run(rt) })
}

// propertyWorld is what outlives one rapid run: the store, the service and
// the ever-advancing clock.
type propertyWorld struct {
	store    core.Store
	svc      *core.Service
	ctx      context.Context
	approver context.Context // a second operator, with Refund Approval
	now      time.Time
	runs     int
	recordNo map[string]bool // every record number ever seen, across runs
}

func newPropertyWorld(t *testing.T, store core.Store) *propertyWorld {
	t.Helper()
	w := &propertyWorld{store: store, now: T0, recordNo: map[string]bool{}}
	w.svc = &core.Service{Store: store, Now: func() time.Time { return w.now },
		PasswordCost: core.Argon2Params{Memory: 64, Time: 1, Threads: 1}, Nodes: EmptyNodes()}
	admin, err := w.svc.Bootstrap(context.Background(), "prop-admin", "property test password")
	require.NoError(t, err)
	w.ctx = core.NewContextWithOperator(context.Background(), admin)
	// A second administrator empowers the approver: the admin could not have
	// its own refunds approved by an operator it empowered.
	hr, err := w.svc.CreateOperator(w.ctx, "prop-hr", "property test password", []core.Permission{core.PermOperatorAdmin})
	require.NoError(t, err)
	approver, err := w.svc.CreateOperator(core.NewContextWithOperator(context.Background(), hr), "prop-approver", "property test password", []core.Permission{core.PermRefundApproval})
	require.NoError(t, err)
	w.approver = core.NewContextWithOperator(context.Background(), approver)
	for _, a := range []*core.Asset{
		{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, MinDeposit: big.NewInt(1000), ConfirmationsRequired: 3, Enabled: true},
		{Chain: core.ChainEthereum, Network: "dev", Symbol: "ETH", Decimals: 18, MinDeposit: big.NewInt(1), ConfirmationsRequired: 12, Enabled: true},
	} {
		require.NoError(t, w.svc.CreateAsset(w.ctx, a))
	}
	return w
}

// tick advances the clock so every action has its own timestamp; a second
// per step keeps all runs inside T0's UTC day.
func (w *propertyWorld) tick() { w.now = w.now.Add(time.Second) }

// modelRecord is what the model knows about one record.
type modelRecord struct {
	rec     *core.DepositRecord
	status  core.DepositStatus
	refund  *core.Refund         // the live refund, nil when none
	history []core.DepositStatus // every status it has been in, in order
	app     core.DepositApplication
}

// propertyRun is the state of one rapid run.
type propertyRun struct {
	*propertyWorld
	customer *core.Customer
	refundTo map[string]int64 // network → the customer's Verified address that refunds go to
	records  []*modelRecord
	byNo     map[string]*modelRecord
	txids    []string // txids submitted in this run, for duplicates
	startSeq int64    // audit rows of this run come after it
	keys     int
}

var propertySources = map[string][]string{
	"BTC": {"mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "n3GNqMveyvaPvUbH469vDRadqpJMPc84JA", "bcrt1qs758ursh4q9z627kt3pp5yysm78ddny6txaqgw"},
	"ETH": {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"},
}

var propertyDestinations = map[string]string{
	"BTC": "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080",
	"ETH": "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
}

func (w *propertyWorld) run(rt *rapid.T) {
	w.runs++
	w.tick()
	r := &propertyRun{propertyWorld: w, byNo: map[string]*modelRecord{}}
	r.customer = &core.Customer{CustomerNo: fmt.Sprintf("PROP-%05d", w.runs), SecuritiesAccount: fmt.Sprintf("PA-%05d", w.runs), Name: "Property customer"}
	if err := w.svc.CreateCustomer(w.ctx, r.customer); err != nil {
		rt.Fatalf("create customer: %v", err)
	}
	last, err := w.store.FindAudit(w.ctx, core.AuditFilter{})
	if err != nil {
		rt.Fatalf("find audit: %v", err)
	}
	r.refundTo = map[string]int64{}
	for symbol, net := range map[string][2]string{"BTC": {core.ChainBitcoin, "regtest"}, "ETH": {core.ChainEthereum, "dev"}} {
		a, err := w.svc.AddWalletAddress(w.ctx, r.customer.CustomerNo, net[0], net[1], propertySources[symbol][0], "refunds")
		if err != nil {
			rt.Fatalf("add address: %v", err)
		}
		if _, err := w.store.SetWalletAddressStatus(w.ctx, core.AddressStatusChange{ID: a.ID, From: core.AddressPending,
			To: core.AddressVerified, Method: core.ProofManual, Evidence: "property", Operator: "prop-admin"},
			core.AuditEntry{At: w.now, Actor: "prop-admin", Action: "address.verified", Entity: "address", EntityID: a.Network + ":" + a.Address,
				Before: string(core.AddressPending), After: string(core.AddressVerified)}); err != nil {
			rt.Fatalf("verify address: %v", err)
		}
		r.refundTo[net[1]] = a.ID
	}
	r.startSeq = last[len(last)-1].Seq
	rt.Repeat(map[string]func(*rapid.T){
		"submit":          r.submit,
		"resubmit":        r.resubmit,
		"reuseKey":        r.reuseKeyWithOtherBody,
		"reuseTxID":       r.reuseTxID,
		"cancel":          r.cancel,
		"delete":          r.delete,
		"decideHeld":      r.decideHeld,
		"watcher":         r.watcher,
		"staleTransition": r.staleTransition,
		"credit":          r.credit,
		"refund":          r.refund,
		"decideRefund":    r.decideRefund,
		"search":          r.search,
		"":                r.check,
	})
}

func (r *propertyRun) pick(rt *rapid.T) *modelRecord {
	if len(r.records) == 0 {
		rt.Skip("no records yet")
	}
	return rapid.SampledFrom(r.records).Draw(rt, "record")
}

// submit sends a new application, with or without a txid and a key.
func (r *propertyRun) submit(rt *rapid.T) {
	symbol := rapid.SampledFrom([]string{"BTC", "ETH"}).Draw(rt, "asset")
	app := core.DepositApplication{Channel: core.ChannelBranch, CustomerNo: r.customer.CustomerNo, SecuritiesAccount: r.customer.SecuritiesAccount,
		AssetSymbol: symbol, Amount: fmt.Sprintf("%d.%d", rapid.IntRange(1, 1000).Draw(rt, "whole"), rapid.IntRange(0, 99).Draw(rt, "frac")),
		SourceAddress: rapid.SampledFrom(propertySources[symbol]).Draw(rt, "source"), DestinationAddress: propertyDestinations[symbol]}
	if rapid.Bool().Draw(rt, "withKey") {
		r.keys++
		app.ClientRequestKey = fmt.Sprintf("%s-key-%d", r.customer.CustomerNo, r.keys)
	}
	if rapid.Bool().Draw(rt, "withTxID") {
		// Unique per run and world: runs share one store.
		app.TxID = fmt.Sprintf("%016x%048x", r.runs, len(r.txids)+1)
		if symbol == "ETH" {
			app.TxID = "0x" + strings.ToUpper(app.TxID)
		}
	}
	r.send(rt, app)
}

// resubmit repeats an earlier application exactly (a client retry).
func (r *propertyRun) resubmit(rt *rapid.T) {
	r.send(rt, r.pick(rt).app)
}

// reuseKeyWithOtherBody sends another amount under an earlier request key.
func (r *propertyRun) reuseKeyWithOtherBody(rt *rapid.T) {
	m := r.pick(rt)
	if m.app.ClientRequestKey == "" {
		rt.Skip("record has no request key")
	}
	app := m.app
	app.Amount += "1"
	r.send(rt, app)
}

// reuseTxID sends an application without a key naming an earlier txid:
// the same body returns the live record, another body is ECONFLICT while
// a live record holds the txid, and either makes a new record once the
// earlier one was cancelled or deleted.
func (r *propertyRun) reuseTxID(rt *rapid.T) {
	if len(r.txids) == 0 {
		rt.Skip("no txids yet")
	}
	tx := rapid.SampledFrom(r.txids).Draw(rt, "txid")
	var orig *modelRecord
	for _, m := range r.records {
		if m.rec.TxID == tx {
			orig = m
			break
		}
	}
	app := orig.app
	app.ClientRequestKey = ""
	if rapid.Bool().Draw(rt, "otherBody") {
		app.Amount += "1"
	}
	r.send(rt, app)
}

// send submits app and checks the outcome against the intake rules: the
// same key returns its record; otherwise a live record with the same
// (network, txid, index) is returned instead of a second one; either is
// ECONFLICT when the body differs; otherwise a new record in Verifying.
func (r *propertyRun) send(rt *rapid.T, app core.DepositApplication) {
	r.tick()
	want := r.existing(app)
	rec, created, err := r.svc.SubmitApplication(r.ctx, app)
	if want != nil && !sameBody(want.app, app) {
		if core.ErrorCode(err) != core.ECONFLICT {
			rt.Fatalf("%+v claims the key or txid of %s with another body: got %v, want ECONFLICT", app, want.rec.RecordNo, err)
		}
		return
	}
	if err != nil {
		rt.Fatalf("submit %+v: %v", app, err)
	}
	if want != nil {
		if created || rec.RecordNo != want.rec.RecordNo {
			rt.Fatalf("duplicate of %s made %s (created=%t)", want.rec.RecordNo, rec.RecordNo, created)
		}
		return
	}
	if !created {
		rt.Fatalf("new application returned existing %s", rec.RecordNo)
	}
	if rec.Status != core.StatusVerifying {
		rt.Fatalf("new record %s is %s", rec.RecordNo, rec.Status)
	}
	if err := core.ValidateRecordNo(rec.RecordNo); err != nil {
		rt.Fatalf("record number %q: %v", rec.RecordNo, err)
	}
	if r.recordNo[rec.RecordNo] {
		rt.Fatalf("record number %s issued twice", rec.RecordNo)
	}
	r.recordNo[rec.RecordNo] = true
	m := &modelRecord{rec: rec, status: core.StatusVerifying, history: []core.DepositStatus{core.StatusVerifying}, app: app}
	r.records = append(r.records, m)
	r.byNo[rec.RecordNo] = m
	if rec.TxID != "" {
		r.txids = append(r.txids, rec.TxID)
	}
}

// existing is the record the model expects an intake of app to return.
func (r *propertyRun) existing(app core.DepositApplication) *modelRecord {
	if app.ClientRequestKey != "" {
		for _, m := range r.records {
			if m.app.ClientRequestKey == app.ClientRequestKey {
				return m
			}
		}
	}
	if app.TxID == "" {
		return nil
	}
	chain, network := core.ChainBitcoin, "regtest"
	if app.AssetSymbol == "ETH" {
		chain, network = core.ChainEthereum, "dev"
	}
	tx, err := core.NormalizeTxID(chain, app.TxID)
	if err != nil {
		return nil
	}
	for _, m := range r.records {
		if m.rec.Network == network && m.rec.TxID == tx && m.rec.TxIndex == app.TxIndex && live(m.status) {
			return m
		}
	}
	return nil
}

// sameBody reports whether two applications ask for the same deposit,
// whatever their request keys.
func sameBody(a, b core.DepositApplication) bool {
	a.ClientRequestKey, b.ClientRequestKey = "", ""
	a.TxID, b.TxID = strings.ToLower(a.TxID), strings.ToLower(b.TxID)
	return a == b
}

func live(s core.DepositStatus) bool { return s != core.StatusCancelled && s != core.StatusDeleted }

func (m *modelRecord) move(to core.DepositStatus) {
	m.status = to
	m.history = append(m.history, to)
}

// operatorMove checks an operator action against the model: allowed only
// from the one status the guide names, EINVALID otherwise.
func (r *propertyRun) operatorMove(rt *rapid.T, m *modelRecord, from, to core.DepositStatus, do func() (*core.DepositRecord, error)) {
	r.tick()
	got, err := do()
	if m.status != from {
		if core.ErrorCode(err) != core.EINVALID {
			rt.Fatalf("%s %s → %s: got %v, want EINVALID", m.rec.RecordNo, m.status, to, err)
		}
		return
	}
	if err != nil {
		rt.Fatalf("%s %s → %s: %v", m.rec.RecordNo, m.status, to, err)
	}
	if got.Status != to {
		rt.Fatalf("%s became %s, want %s", m.rec.RecordNo, got.Status, to)
	}
	m.move(to)
}

func (r *propertyRun) cancel(rt *rapid.T) {
	m := r.pick(rt)
	r.operatorMove(rt, m, core.StatusVerifying, core.StatusCancelled, func() (*core.DepositRecord, error) {
		return r.svc.CancelDeposit(r.ctx, m.rec.RecordNo, "customer withdrew the request")
	})
}

func (r *propertyRun) delete(rt *rapid.T) {
	m := r.pick(rt)
	r.operatorMove(rt, m, core.StatusVerifying, core.StatusDeleted, func() (*core.DepositRecord, error) {
		return r.svc.DeleteApplication(r.ctx, m.rec.RecordNo, "abnormal application")
	})
}

func (r *propertyRun) decideHeld(rt *rapid.T) {
	m := r.pick(rt)
	release := rapid.Bool().Draw(rt, "release")
	to := core.StatusRejected
	if release {
		to = core.StatusConfirming
	}
	r.operatorMove(rt, m, core.StatusHeld, to, func() (*core.DepositRecord, error) {
		return r.svc.DecideHeld(r.ctx, m.rec.RecordNo, release, "supervisor reviewed the evidence")
	})
}

// watcher moves a record through the store as the watcher does: usually
// along an edge of the state machine, sometimes along one that does not
// exist (which must be refused and change nothing).
func (r *propertyRun) watcher(rt *rapid.T) {
	m := r.pick(rt)
	if m.status == core.StatusCredited || m.status == core.StatusRefunding {
		rt.Skip("refunds, not the watcher, move a credited record") // and a Refunding one has a refund row
	}
	var next []core.DepositStatus
	for _, tr := range core.Transitions {
		if tr.From == m.status {
			next = append(next, tr.To)
		}
	}
	to := rapid.SampledFrom(core.AllDepositStatuses()).Draw(rt, "anyTo")
	if len(next) > 0 && rapid.IntRange(0, 3).Draw(rt, "edge") > 0 {
		to = rapid.SampledFrom(next).Draw(rt, "to")
	}
	r.tick()
	got, err := r.store.TransitionDeposit(r.ctx, core.DepositTransition{ID: m.rec.ID, From: m.status, To: to, Remarks: "watcher",
		Audit: core.AuditEntry{At: r.now, Actor: "watcher", Action: "deposit.watch", Entity: "deposit"}})
	if !core.CanTransition(m.status, to) {
		if core.ErrorCode(err) != core.EINVALID {
			rt.Fatalf("%s %s → %s: got %v, want EINVALID", m.rec.RecordNo, m.status, to, err)
		}
		return
	}
	if err != nil {
		rt.Fatalf("%s %s → %s: %v", m.rec.RecordNo, m.status, to, err)
	}
	if got.Status != to || got.RecordNo != m.rec.RecordNo {
		rt.Fatalf("transition returned %s %s, want %s %s", got.RecordNo, got.Status, m.rec.RecordNo, to)
	}
	m.move(to)
}

// staleTransition asks for an edge that exists but from a status the record
// is no longer in: someone else moved it first, so ECONFLICT.
func (r *propertyRun) staleTransition(rt *rapid.T) {
	m := r.pick(rt)
	var stale []core.Transition
	for _, tr := range core.Transitions {
		if tr.From != m.status {
			stale = append(stale, tr)
		}
	}
	tr := rapid.SampledFrom(stale).Draw(rt, "stale")
	r.tick()
	_, err := r.store.TransitionDeposit(r.ctx, core.DepositTransition{ID: m.rec.ID, From: tr.From, To: tr.To, Remarks: "late watcher",
		Audit: core.AuditEntry{At: r.now, Actor: "watcher", Action: "deposit.watch", Entity: "deposit"}})
	if core.ErrorCode(err) != core.ECONFLICT {
		rt.Fatalf("%s is %s; stale %s → %s: got %v, want ECONFLICT", m.rec.RecordNo, m.status, tr.From, tr.To, err)
	}
}

// search pages through this run's records with a random status filter and
// page size and compares the set with the model.
func (r *propertyRun) search(rt *rapid.T) {
	f := core.DepositFilter{CustomerNo: &r.customer.CustomerNo, Limit: rapid.IntRange(1, 7).Draw(rt, "limit")}
	var status core.DepositStatus
	if rapid.Bool().Draw(rt, "byStatus") {
		status = rapid.SampledFrom(core.AllDepositStatuses()).Draw(rt, "status")
		f.Status = &status
	}
	want := map[string]bool{}
	for _, m := range r.records {
		if status == "" || m.status == status {
			want[m.rec.RecordNo] = true
		}
	}
	got := map[string]bool{}
	for pages := 0; ; pages++ {
		if pages > len(r.records)+1 {
			rt.Fatalf("paging does not end")
		}
		page, err := r.svc.SearchDeposits(r.ctx, f)
		if err != nil {
			rt.Fatalf("search: %v", err)
		}
		for _, d := range page.Records {
			if got[d.RecordNo] {
				rt.Fatalf("%s appears on two pages", d.RecordNo)
			}
			got[d.RecordNo] = true
		}
		if page.Next == nil {
			break
		}
		f.After = page.Next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		rt.Fatalf("search status=%q: got %v, want %v", status, got, want)
	}
}

// check is the invariant after every step.
func (r *propertyRun) check(rt *rapid.T) {
	page, err := r.svc.SearchDeposits(r.ctx, core.DepositFilter{CustomerNo: &r.customer.CustomerNo, Limit: core.MaxPageSize})
	if err != nil {
		rt.Fatalf("list: %v", err)
	}
	if len(page.Records) != len(r.records) {
		rt.Fatalf("store has %d records for %s, model %d", len(page.Records), r.customer.CustomerNo, len(r.records))
	}
	for _, d := range page.Records {
		m := r.byNo[d.RecordNo]
		if m == nil {
			rt.Fatalf("store has unknown record %s", d.RecordNo)
		}
		if d.Status != m.status {
			rt.Fatalf("%s is %s in the store, %s in the model", d.RecordNo, d.Status, m.status)
		}
		var cancelled, credited bool
		for _, s := range m.history {
			cancelled = cancelled || s == core.StatusCancelled
			credited = credited || s == core.StatusCredited
		}
		if cancelled && credited {
			rt.Fatalf("%s was both Cancelled and Credited: %v", d.RecordNo, m.history)
		}
		r.checkRefunds(rt, d, m)
	}

	// Every record's status and facts replay from the log, whatever the
	// random actions were.
	v, err := r.svc.VerifyAudit(r.ctx, core.AuditAnchors{State: true})
	if err != nil || !v.Intact() {
		rt.Fatalf("audit chain: %s %+v, %v", v.Summary(), v, err)
	}

	entity := "deposit"
	rows, err := r.store.FindAudit(r.ctx, core.AuditFilter{Entity: &entity, AfterSeq: r.startSeq})
	if err != nil {
		rt.Fatalf("find audit: %v", err)
	}
	trail := map[string][]core.DepositStatus{}
	for _, a := range rows {
		m := r.byNo[a.EntityID]
		if m == nil {
			continue
		}
		if a.Action == "deposit.create" {
			if len(trail[a.EntityID]) > 0 {
				rt.Fatalf("%s has a second create row", a.EntityID)
			}
			trail[a.EntityID] = []core.DepositStatus{core.DepositStatus(a.After)}
			continue
		}
		prev := trail[a.EntityID]
		if len(prev) == 0 || string(prev[len(prev)-1]) != a.Before {
			rt.Fatalf("%s audit row %d says %s → %s after %v", a.EntityID, a.Seq, a.Before, a.After, prev)
		}
		trail[a.EntityID] = append(prev, core.DepositStatus(a.After))
	}
	for _, m := range r.records {
		if fmt.Sprint(trail[m.rec.RecordNo]) != fmt.Sprint(m.history) {
			rt.Fatalf("%s audit trail %v, model history %v", m.rec.RecordNo, trail[m.rec.RecordNo], m.history)
		}
	}
}

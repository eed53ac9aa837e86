package ui

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/wire"
	"depositdesk/storage/sqlite"
	"depositdesk/storage/storetest"
)

const adminPW = "admin-password-1"

type bundle struct {
	svc   *core.Service
	store core.Store
	dsn   string // the store's file or URL, for a second desk on it
	admin context.Context
	ui    *UI
}

// setup opens a real SQLite store and a desk on a test app.
func setup(t *testing.T) *bundle {
	t.Helper()
	path := filepath.Join(t.TempDir(), "desk.db")
	st, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	return setupOn(t, st, path)
}

// setupOn is setup on store st, opened from dsn.
func setupOn(t testing.TB, st core.Store, dsn string) *bundle {
	t.Helper()
	test.NewTempApp(t)
	t.Cleanup(func() { st.Close() })
	svc := wire.NewService(st) // the desktop's own Service: real address rules and proof verifier
	svc.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	svc.Nodes = storetest.EmptyNodes() // nothing on chain: records with a TXID may be cancelled
	b := &bundle{svc: svc, store: st, dsn: dsn, ui: New(test.NewTempApp(t), svc)}
	t.Cleanup(b.stop) // before the store closes
	return b
}

// stop ends the desk's session and waits for its calls, so none outlives
// the test's store. It ends it as the Fyne thread would, between answers:
// an answer may end the session too.
func (b *bundle) stop() {
	b.meanwhile(b.ui.endSession)
	select {
	case <-b.ui.calls.settled():
	case <-time.After(10 * time.Second):
	}
}

func (b *bundle) settle(t testing.TB) {
	t.Helper()
	settle(t, &b.ui.calls)
}

// meanwhile runs f as the Fyne thread would while the desk's calls are in
// flight (see meanwhile).
func (b *bundle) meanwhile(f func()) { meanwhile(&b.ui.calls, f) }

// tap taps o as the operator would, on the Fyne thread between answers,
// and waits for what it started.
func (b *bundle) tap(t testing.TB, o fyne.Tappable) {
	t.Helper()
	b.meanwhile(func() { test.Tap(o) })
	b.settle(t)
}

// choose chooses option in s as the operator would, on the Fyne thread
// between answers, and waits for what it started (a filter searches at once).
func (b *bundle) choose(t testing.TB, s *widget.Select, option string) {
	t.Helper()
	b.meanwhile(func() { s.SetSelected(option) })
	b.settle(t)
}

// withData bootstraps the admin and submits n applications; every third is
// credited by the store as the watcher would.
func (b *bundle) withData(t *testing.T, n int) []*core.DepositRecord {
	t.Helper()
	op, err := b.svc.Bootstrap(context.Background(), "admin", adminPW)
	require.NoError(t, err)
	b.admin = core.NewContextWithOperator(context.Background(), op)
	require.NoError(t, b.svc.CreateAsset(b.admin, &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8,
		MinDeposit: big.NewInt(1000), ConfirmationsRequired: 3, Enabled: true}))
	for _, c := range []string{"C10001", "C10002"} {
		require.NoError(t, b.svc.CreateCustomer(b.admin, &core.Customer{CustomerNo: c, SecuritiesAccount: "SA-" + c, Name: "Customer " + c}))
	}
	var out []*core.DepositRecord
	for i := range n {
		c := []string{"C10001", "C10002"}[i%2]
		rec, _, err := b.svc.SubmitApplication(b.admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: fmt.Sprint("k", i), CustomerNo: c,
			SecuritiesAccount: "SA-" + c, AssetSymbol: "BTC", Network: "regtest", Amount: fmt.Sprintf("0.%04d", i+1),
			SourceAddress: regtestAddress(t), DestinationAddress: regtestAddress(t), TxID: fmt.Sprintf("%064x", i+1)})
		require.NoError(t, err)
		if i%3 == 0 {
			for _, to := range []core.DepositStatus{core.StatusConfirming, core.StatusCredited} {
				rec, err = b.store.TransitionDeposit(context.Background(), core.DepositTransition{ID: rec.ID, From: rec.Status, To: to,
					Audit: core.AuditEntry{At: time.Now(), Actor: "watcher", Action: "deposit." + string(to), Entity: "deposit"}})
				require.NoError(t, err)
			}
		}
		out = append(out, rec)
	}
	return out
}

func regtestAddress(t *testing.T) string {
	h := make([]byte, 20)
	_, _ = rand.Read(h)
	a, err := btcutil.NewAddressWitnessPubKeyHash(h, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	return a.EncodeAddress()
}

// loginAs starts the desk and logs in through the login page.
func (b *bundle) loginAs(t testing.TB, name, pw string) *recordsPage {
	t.Helper()
	b.ui.Start()
	b.settle(t)
	require.NotNil(t, b.ui.login)
	test.Type(b.ui.login.name, name)
	test.Type(b.ui.login.pw, pw)
	b.tap(t, b.ui.login.submit)
	require.NotNil(t, b.ui.records, b.ui.login)
	return b.ui.records
}

// selectRow selects, as a tap would, the first row of table that is what.
func selectRow[T any](t *testing.T, table *widget.Table, rows []T, what string, is func(T) bool) {
	t.Helper()
	for i, r := range rows {
		if is(r) {
			table.Select(widget.TableCellID{Row: i})
			return
		}
	}
	t.Fatalf("%s not on the page", what)
}

// selectRecord selects recordNo's row and waits for what that asks (core's
// word on Cancel and Delete).
func (p *recordsPage) selectRecord(t *testing.T, recordNo string) {
	t.Helper()
	selectRow(t, &p.table.Table, p.records, recordNo, func(d *core.DepositRecord) bool { return d.RecordNo == recordNo })
	settle(t, p.w.calls)
}

func TestWizardCreatesTheAdministratorThenLogsIn(t *testing.T) {
	b := setup(t)
	b.ui.Start()
	b.settle(t)
	w := b.ui.wizard
	require.NotNil(t, w, "an empty database opens the first-run wizard")
	test.Type(w.name, "admin")
	test.Type(w.pw, adminPW)
	test.Type(w.confirm, adminPW)
	b.tap(t, w.create)
	require.Contains(t, w.message.Text, "firm's name must be 2 to 100 characters")
	need, err := b.svc.NeedsBootstrap(context.Background())
	require.NoError(t, err)
	require.True(t, need, "no administrator without the firm's name")
	test.Type(w.firm, "Example Securities")
	w.pw.SetText("")
	w.confirm.SetText("")
	test.Type(w.pw, adminPW)
	test.Type(w.confirm, "something-else")
	b.tap(t, w.create)
	require.Equal(t, "The two passwords differ.", w.message.Text)

	w.confirm.SetText("")
	w.pw.SetText("")
	test.Type(w.pw, "short")
	test.Type(w.confirm, "short")
	b.tap(t, w.create)
	require.Contains(t, w.message.Text, "at least 10 characters")

	w.pw.SetText(adminPW)
	w.confirm.SetText(adminPW)
	b.tap(t, w.create)
	require.NotNil(t, b.ui.login)
	require.Contains(t, b.ui.login.message.Text, "Administrator admin created")

	test.Type(b.ui.login.name, "admin")
	test.Type(b.ui.login.pw, "wrong-password")
	b.tap(t, b.ui.login.submit)
	require.Equal(t, "Wrong operator name or password.", b.ui.login.message.Text)
	require.Empty(t, b.ui.login.pw.Text)

	test.Type(b.ui.login.pw, adminPW)
	b.tap(t, b.ui.login.submit)
	require.NotNil(t, b.ui.records)
	firm, err := b.svc.FirmName(core.NewContextWithOperator(context.Background(), b.ui.operator))
	require.NoError(t, err)
	require.Equal(t, "Example Securities", firm)
}

func TestRecordsSearchFiltersAndPages(t *testing.T) {
	b := setup(t)
	b.withData(t, 60)
	p := b.loginAs(t, "admin", adminPW)
	require.Len(t, p.records, 50)
	require.True(t, p.nextBtn.Disabled() == false)
	require.True(t, p.prevBtn.Disabled())
	require.Equal(t, "Page 1 · 50 per page · records 1–50", p.pageInfo.Text)

	b.tap(t, p.nextBtn)
	require.Len(t, p.records, 10)
	require.Equal(t, "Page 2 · 50 per page · records 51–60", p.pageInfo.Text)
	require.True(t, p.nextBtn.Disabled())
	b.tap(t, p.prevBtn)
	require.Len(t, p.records, 50)

	// Choosing a status searches at once.
	b.choose(t, p.status, core.StatusCredited.Display())
	test.Type(p.customerNo, "c10001")
	b.tap(t, p.searchBtn)
	require.NotEmpty(t, p.records)
	for _, d := range p.records {
		require.Equal(t, core.StatusCredited, d.Status)
		require.Equal(t, "C10001", d.CustomerNo)
	}
	require.Equal(t, 10, len(p.records), "C10001 has records 0,2,4…; every third of all is credited")

	test.Type(p.from, "25-11-2026")
	b.tap(t, p.searchBtn)
	require.Equal(t, "Created from must be a date like 2026-11-25.", p.message.Text)

	b.tap(t, p.resetBtn)
	require.Len(t, p.records, 50)
	require.Empty(t, p.message.Text)
}

func TestCancelAsksForRemarksAndConfirmsTwice(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 6)
	p := b.loginAs(t, "admin", adminPW)
	target := recs[1] // under verification

	p.selectRecord(t, recs[0].RecordNo) // credited
	require.True(t, p.cancelBtn.Disabled(), "only Wallet Address Under Verification can be cancelled")
	p.selectRecord(t, target.RecordNo)
	require.False(t, p.cancelBtn.Disabled())

	b.tap(t, p.cancelBtn)
	d := p.remarks
	require.NotNil(t, d)
	require.True(t, d.confirm.Disabled(), "no remarks, no confirmation")
	test.Type(d.remarks, "   ")
	require.True(t, d.confirm.Disabled())
	d.remarks.SetText("")
	test.Type(d.remarks, "Duplicate user request")
	require.False(t, d.confirm.Disabled())
	b.tap(t, d.confirm)
	require.NotNil(t, d.again, "a second confirmation is asked")
	require.Equal(t, "Cancel record "+target.RecordNo+"? This cannot be undone.", d.question)
	require.Equal(t, core.StatusVerifying, mustStatus(t, b, target.RecordNo), "nothing changes before the second confirmation")
	b.tap(t, d.again)
	require.True(t, d.succeeded, d.message.Text)

	det, err := b.svc.DepositDetail(b.admin, target.RecordNo)
	require.NoError(t, err)
	require.Equal(t, core.StatusCancelled, det.Record.Status)
	last := det.Trail[len(det.Trail)-1]
	require.Equal(t, "admin", last.Actor)
	require.Equal(t, "deposit.cancel", last.Action)
	require.Equal(t, "Duplicate user request", last.Remarks)
	require.Contains(t, p.message.Text, "cancelled")
}

func TestOperatorWithoutCancelSeesNoCancel(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	_, err := b.svc.CreateOperator(b.admin, "viewer", "viewer-password-1", []core.Permission{core.PermDepositRecords})
	require.NoError(t, err)
	p := b.loginAs(t, "viewer", "viewer-password-1")
	p.selectRecord(t, recs[1].RecordNo)
	require.Equal(t, core.StatusVerifying, p.current().Status)
	require.False(t, p.cancelBtn.Visible())
	require.True(t, p.cancelBtn.Disabled())
	require.False(t, p.deleteBtn.Visible())
	require.True(t, p.deleteBtn.Disabled())
	require.False(t, p.detailsBtn.Disabled())
}

func TestDeleteAbnormalApplication(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	p := b.loginAs(t, "admin", adminPW)
	p.selectRecord(t, recs[2].RecordNo)
	b.tap(t, p.deleteBtn)
	test.Type(p.remarks.remarks, "Abnormal application")
	b.tap(t, p.remarks.confirm)
	b.tap(t, p.remarks.again)
	require.True(t, p.remarks.succeeded, p.remarks.message.Text)
	page, err := b.svc.SearchDeposits(b.admin, core.DepositFilter{RecordNo: &recs[2].RecordNo})
	require.NoError(t, err)
	require.Equal(t, core.StatusDeleted, page.Records[0].Status)
}

func TestDetailShowsVerificationProgressAndTrail(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 1)
	p := b.loginAs(t, "admin", adminPW)
	p.selectRecord(t, recs[0].RecordNo)
	b.tap(t, p.detailsBtn)
	v := p.detail
	require.NotNil(t, v)
	defer v.win.Close()
	require.Equal(t, "Credited", v.values["Status"].Text)
	require.Equal(t, 3, v.progress.required)
	require.Zero(t, v.progress.ratio(), "the watcher has not recorded confirmations for this record")
	require.Contains(t, v.verification.Text, "Pending")
	var trail []string
	for i := range v.entries {
		trail = append(trail, v.trailLine(i))
	}
	require.Len(t, trail, 3, "create, confirming, credited")
	require.Contains(t, trail[0], "admin · Application received")
	require.Contains(t, trail[2], "watcher · deposit.credited", "a code the desk never writes stays as it is")
	require.Len(t, v.trail.Objects, 3)
}

func TestDetailShowsConfirmationProgress(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 2)
	// A record the watcher has seen 2 of 3 confirmations for.
	d := *recs[1]
	d.ID, d.RecordNo, d.ClientRequestKey, d.TxID = 0, "D20261120-000001", "", fmt.Sprintf("%064x", 999)
	d.Status, d.Confirmations, d.BlockHeight, d.BlockHash = core.StatusConfirming, 2, 120, fmt.Sprintf("%064x", 7)
	n, err := b.store.BulkInsertDeposits(context.Background(), func(yield func(*core.DepositRecord) bool) { yield(&d) },
		storetest.SeedAudit(time.Now()))
	require.NoError(t, err)
	require.Equal(t, 1, n)

	p := b.loginAs(t, "admin", adminPW)
	p.selectRecord(t, d.RecordNo)
	require.True(t, p.cancelBtn.Disabled(), "a confirming record cannot be cancelled")
	b.tap(t, p.detailsBtn)
	v := p.detail
	defer v.win.Close()
	require.Equal(t, "Confirming", v.values["Status"].Text)
	require.Equal(t, 2, v.progress.seen)
	require.Equal(t, 3, v.progress.required)
	require.Equal(t, "2 of 3", v.progressText.Text)
	b.tap(t, v.refreshBtn)
	require.Contains(t, v.message.Text, "Updated")
}

func TestInternalErrorsShowAReference(t *testing.T) {
	msg := errorText(fmt.Errorf("disk on fire"))
	require.Regexp(t, `^Internal error \(reference [0-9a-f]{8}\)`, msg)
	require.NotContains(t, msg, "disk on fire", "details stay in the log")
	require.Equal(t, "Created from must be a date like 2026-11-25.", errorText(core.Errorf(core.EINVALID, "Created from must be a date like 2026-11-25.")))
}

func TestIdleLockReturnsToLogin(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	b.loginAs(t, "admin", adminPW)
	b.ui.lastInput = time.Now().Add(-DefaultIdleLock - time.Minute)
	b.ui.checkIdle()
	require.NotNil(t, b.ui.login)
	require.Contains(t, b.ui.login.message.Text, "Locked after")
}

func TestRecordColumnsFitTheWindow(t *testing.T) {
	test.NewTempApp(t)
	var total float32
	for _, c := range recordColumns {
		total += columnWidth(c.title, c.sample)
	}
	t.Log("table width", total)
	require.Less(t, total+float32(len(recordColumns))*4, float32(1280-2*8))
}

func mustStatus(t *testing.T, b *bundle, recordNo string) core.DepositStatus {
	t.Helper()
	det, err := b.svc.DepositDetail(b.admin, recordNo)
	require.NoError(t, err)
	return det.Record.Status
}

func TestTypingInAFilterKeepsTheDeskUnlocked(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	p := b.loginAs(t, "admin", adminPW)
	b.ui.IdleLock = time.Minute
	b.ui.lastInput = time.Now().Add(-2 * time.Minute)
	test.Type(p.customerNo, "C1")
	b.ui.checkIdle()
	require.NotNil(t, b.ui.records, "typing is activity")
	require.Nil(t, b.ui.login)
}

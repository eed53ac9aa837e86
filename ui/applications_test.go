package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/testkeys"
)

// withApplications is withData with the BTC asset's account key set, as a
// desk taking applications has it: the desk derives each customer's
// deposit address, which neither the intake API nor the form asks for.
func (b *bundle) withApplications(t *testing.T, n int) []*core.DepositRecord {
	t.Helper()
	recs := b.withData(t, n)
	_, xpub, err := testkeys.Account("deposit desk ui applications test seed", 84, 1, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	_, err = b.svc.UpdateAsset(b.admin, recs[0].AssetID, core.AssetUpdate{AccountXPub: &xpub})
	require.NoError(t, err)
	return recs
}

// applicationsAs logs name in and opens Deposit Application.
func (b *bundle) applicationsAs(t *testing.T, name, pw string) *applicationsPage {
	t.Helper()
	b.loginAs(t, name, pw)
	require.NotNil(t, b.ui.nav[pageApps], "the menu offers Deposit Application")
	b.tap(t, b.ui.nav[pageApps])
	require.NotNil(t, b.ui.apps)
	return b.ui.apps
}

// fill enters an application as an operator at a branch would.
func (f *applicationForm) fill(t *testing.T, channel, customerNo, amount, source string) {
	t.Helper()
	if channel != "" {
		f.channel.SetSelected(channel)
	}
	f.asset.SetSelected("BTC@regtest")
	test.Type(f.customerNo, customerNo)
	test.Type(f.account, "SA-"+customerNo)
	test.Type(f.amount, amount)
	test.Type(f.source, source)
}

// countRecords is how many deposit records the desk holds.
func (b *bundle) countRecords(t *testing.T) int {
	t.Helper()
	page, err := b.svc.SearchDeposits(b.admin, core.DepositFilter{Limit: core.MaxPageSize})
	require.NoError(t, err)
	return len(page.Records)
}

func (b *bundle) auditOf(t *testing.T, recordNo, action string) []*core.AuditEntry {
	t.Helper()
	entity := "deposit"
	rows, err := b.store.FindAudit(context.Background(), core.AuditFilter{Entity: &entity, EntityID: &recordNo})
	require.NoError(t, err)
	var out []*core.AuditEntry
	for _, r := range rows {
		if r.Action == action {
			out = append(out, r)
		}
	}
	return out
}

func TestApplicationsShowWhatArrivesThroughTheIntakeAPI(t *testing.T) {
	b := setup(t)
	recs := b.withApplications(t, 2)
	client, _, err := b.svc.CreateAPIClient(b.admin, "crm", []core.Scope{core.ScopeIntake})
	require.NoError(t, err)
	p := b.applicationsAs(t, "admin", adminPW)
	require.Len(t, p.records, 2)
	require.Equal(t, recs[1].RecordNo, p.records[0].RecordNo, "newest first")
	p.table.Select(widget.TableCellID{Row: 1})
	require.Equal(t, recs[0].RecordNo, p.current().RecordNo)

	// The intake API's own Service call, under the client's name.
	rec, created, err := b.svc.SubmitApplication(core.NewContextWithClient(context.Background(), client), core.DepositApplication{
		ClientRequestKey: "crm-2026-0001", CustomerNo: "C10002", SecuritiesAccount: "SA-C10002", AssetSymbol: "BTC", Network: "regtest",
		Amount: "0.5", SourceAddress: regtestAddress(t), TxID: "ab" + recs[0].TxID[2:]})
	require.NoError(t, err)
	require.True(t, created)
	b.meanwhile(func() { b.ui.DepositsChanged("*") })
	b.settle(t)
	require.Len(t, p.records, 3, "it shows up without a search")
	require.Equal(t, rec.RecordNo, p.records[0].RecordNo)
	require.Equal(t, recs[0].RecordNo, p.current().RecordNo, "the operator's selection stays")

	p.table.Select(widget.TableCellID{Row: 0})
	require.Equal(t, "API client crm", p.fields["Sent by"].Text)
	require.Equal(t, "api", p.fields["Channel"].Text)
	require.Equal(t, "crm-2026-0001", p.fields["Request key"].Text, "the key as the client sent it")
	require.Equal(t, rec.SourceAddress, p.fields["Source address"].Text)
	require.Equal(t, rec.TxID, p.fields["TXID"].Text, "the whole TXID, which the table shortens")
	require.Equal(t, "0.5 BTC", p.fields["Amount"].Text)
	require.Equal(t, "Wallet Address Under Verification", p.fields["Status"].Text)
	require.Equal(t, "API · crm", applicationColumns[1].text(p.records[0]))

	// Changes in a burst are read at most once a live gap, and the last is
	// never lost.
	quiet, _, err := b.svc.SubmitApplication(core.NewContextWithClient(context.Background(), client), core.DepositApplication{
		ClientRequestKey: "crm-2026-0002", CustomerNo: "C10001", SecuritiesAccount: "SA-C10001", AssetSymbol: "BTC", Network: "regtest",
		Amount: "0.7", SourceAddress: regtestAddress(t)})
	require.NoError(t, err)
	b.meanwhile(func() {
		b.ui.DepositsChanged("*")
		require.True(t, p.live.later.pending(), "a second change within the live gap waits")
		b.ui.DepositsChanged("*")
	})
	b.settle(t)
	require.Equal(t, quiet.RecordNo, p.records[0].RecordNo)
	require.Equal(t, rec.RecordNo, p.current().RecordNo)
	b.tap(t, b.ui.nav[pageRecords])
	require.False(t, p.showing, "a page not on screen reads the queue when shown")

	b.tap(t, p.detailsBtn)
	require.NotNil(t, p.detail, "the record it became opens in its Details window")
	defer p.detail.win.Close()
	require.Equal(t, rec.RecordNo, p.detail.values["Record No"].Text)
	require.Equal(t, "API client crm", p.detail.values["Sent By"].Text)
}

func TestManualApplicationGoesThroughTheIntakeChecks(t *testing.T) {
	b := setup(t)
	b.withApplications(t, 1)
	p := b.applicationsAs(t, "admin", adminPW)
	b.tap(t, p.newBtn)
	f := p.form
	require.NotNil(t, f)
	require.Regexp(t, `^desk-[0-9a-f]{16}$`, f.key, "the form's request key is made when it opens")
	require.Equal(t, []string{"BTC@regtest"}, f.asset.Options, "the configured assets")
	source := regtestAddress(t)

	// Without a channel: the Service's refusal, under the form, and nothing made.
	f.fill(t, "", "C10001", "0.25", source)
	b.tap(t, f.save)
	require.Equal(t, "Say how the application reached the firm (branch, phone, email or letter).", f.message.Text)
	require.Equal(t, 1, b.countRecords(t))

	// Too many decimals, an unknown customer: the intake's own checks.
	f.channel.SetSelected("Phone")
	f.amount.SetText("0.123456789")
	b.tap(t, f.save)
	require.Contains(t, f.message.Text, "decimal")
	f.amount.SetText("0.25")
	f.customerNo.SetText("C99999")
	b.tap(t, f.save)
	require.Contains(t, f.message.Text, "C99999")
	require.Equal(t, 1, b.countRecords(t), "a refused application makes nothing")

	f.customerNo.SetText("C10001")
	test.Type(f.remarks, "Customer called from the registered number")
	b.tap(t, f.save)
	require.Empty(t, f.message.Text)
	require.Equal(t, 2, b.countRecords(t))
	rec := p.records[0]
	require.Equal(t, "admin", rec.SubmittedBy)
	require.Equal(t, core.ChannelPhone, rec.Channel)
	require.Equal(t, f.key, rec.ClientRequestKey)
	require.Equal(t, "Phone · admin", applicationColumns[1].text(rec))
	p.table.Select(widget.TableCellID{Row: 0})
	require.Equal(t, "operator admin (phone)", p.fields["Sent by"].Text)
	require.Equal(t, "Customer called from the registered number", p.fields["Remarks"].Text)
	require.Equal(t, "Application recorded as "+rec.RecordNo+".", p.message.Text)
	created := b.auditOf(t, rec.RecordNo, "deposit.create")
	require.Len(t, created, 1)
	require.Equal(t, "admin", created[0].Actor)
	require.Contains(t, created[0].Remarks, "; received via phone: Customer called from the registered number")
	v, err := b.svc.VerifyAudit(b.admin, core.AuditAnchors{})
	require.NoError(t, err)
	require.True(t, v.Intact(), "the creation row with its channel replays")
}

func TestManualApplicationSavedTwiceMakesOneRecord(t *testing.T) {
	b := setup(t)
	b.withApplications(t, 1)
	p := b.applicationsAs(t, "admin", adminPW)
	b.tap(t, p.newBtn)
	f := p.form
	f.fill(t, "Branch", "C10002", "0.3", regtestAddress(t))

	// A double click: the second tap finds Save held by the first call.
	b.meanwhile(func() {
		test.Tap(f.save)
		test.Tap(f.save)
	})
	b.settle(t)
	require.Equal(t, 2, b.countRecords(t))

	// Even a second call that gets through sends the same request key.
	b.tap(t, p.newBtn)
	g := p.form
	g.fill(t, "Letter", "C10002", "0.4", regtestAddress(t))
	b.meanwhile(func() {
		g.save.OnTapped()
		g.save.OnTapped()
	})
	b.settle(t)
	require.Equal(t, 3, b.countRecords(t), "one record for two calls")
	require.Equal(t, g.key, p.records[0].ClientRequestKey)
	require.Len(t, b.auditOf(t, p.records[0].RecordNo, "deposit.create"), 1)
	// Whichever answer came last says so: recorded, or already recorded.
	require.Contains(t, p.message.Text, "recorded as "+p.records[0].RecordNo+".")

	// The same form saved again after its answer: the desk says it has it.
	b.tap(t, p.newBtn)
	h := p.form
	h.fill(t, "Email", "C10001", "0.6", regtestAddress(t))
	b.tap(t, h.save)
	b.tap(t, h.save) // the dialog is closed, as after a timeout the operator could still press it
	require.Equal(t, 4, b.countRecords(t))
	require.Equal(t, "This application was already recorded as "+p.records[0].RecordNo+".", p.message.Text)
}

func TestDeleteAbnormalApplicationFromTheQueue(t *testing.T) {
	b := setup(t)
	recs := b.withApplications(t, 3) // the first is credited
	p := b.applicationsAs(t, "admin", adminPW)
	selectRow(t, &p.table.Table, p.records, "the credited one", func(d *core.DepositRecord) bool { return d.RecordNo == recs[0].RecordNo })
	require.True(t, p.deleteBtn.Disabled(), "only an application under verification is deleted")

	selectRow(t, &p.table.Table, p.records, "an application", func(d *core.DepositRecord) bool { return d.RecordNo == recs[1].RecordNo })
	require.False(t, p.deleteBtn.Disabled())
	b.tap(t, p.deleteBtn)
	require.True(t, p.remarks.confirm.Disabled(), "remarks are required")
	test.Type(p.remarks.remarks, "Duplicate of a branch application")
	b.tap(t, p.remarks.confirm)
	b.tap(t, p.remarks.again)
	require.Equal(t, recs[1].RecordNo+" deleted.", p.message.Text)
	require.Equal(t, core.StatusDeleted, p.records[1].Status, "it stays in the queue as Deleted")
	rows := b.auditOf(t, recs[1].RecordNo, "deposit.delete")
	require.Len(t, rows, 1)
	require.Equal(t, "admin", rows[0].Actor)
	require.Equal(t, "Duplicate of a branch application", rows[0].Remarks)
}

func TestApplicationsPageNeedsDepositApplication(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	_, err := b.svc.CreateOperator(b.admin, "viewer", "viewer-password-1", []core.Permission{core.PermDepositRecords})
	require.NoError(t, err)
	_, err = b.svc.CreateOperator(b.admin, "clerk", "clerk-password-1", []core.Permission{core.PermDepositApplication})
	require.NoError(t, err)

	b.loginAs(t, "viewer", "viewer-password-1")
	require.Nil(t, b.ui.apps)
	require.NotContains(t, b.ui.titles, pageApps)

	b.ui.showLogin("")
	p := b.applicationsAs(t, "clerk", "clerk-password-1")
	require.Equal(t, []string{pageHome, pageApps}, b.ui.titles[:2], "the guide's menu comes first after Home")
	require.True(t, p.newBtn.Visible())
	require.True(t, p.deleteBtn.Visible())
}

package ui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// applicationColumns are what the queue shows of each application: who sent
// it and under which key, what it asks for, and the record it became.
var applicationColumns = []tableColumn[*core.DepositRecord]{
	{"Received", "2026-11-24 23:30", func(d *core.DepositRecord) string { return d.CreatedAt.Local().Format("2006-01-02 15:04") }},
	{"Sent by", "Branch · admin1", sentBy},
	{"Request Key", "crm-20…0018", func(d *core.DepositRecord) string { return shorten(orDash(d.SentRequestKey()), 6, 4) }},
	{"Record No", "D20261124-000034", func(d *core.DepositRecord) string { return d.RecordNo }},
	{"Customer\nNo", "C0000024", func(d *core.DepositRecord) string { return d.CustomerNo }},
	{"Securities\nAccount", "SA10000161", func(d *core.DepositRecord) string { return d.SecuritiesAccount }},
	{"Asset", "ETH@mainnet", func(d *core.DepositRecord) string { return d.AssetSymbol + "@" + d.Network }},
	{"Amount", "62139.9475", func(d *core.DepositRecord) string { return d.AmountText() }},
	{"Source\nAddress", "0x9E…a150B", func(d *core.DepositRecord) string { return shorten(d.SourceAddress, 4, 5) }},
	{"TXID", "0x8d…b1df", func(d *core.DepositRecord) string { return shorten(orDash(d.TxID), 4, 4) }},
	{"Status", "Wallet Address Under Verification", func(d *core.DepositRecord) string { return d.Status.Display() }},
}

// sentBy is who sent d in the queue's few characters: "API · crm",
// "Phone · alice"; the panel says it in full (core's Submitter).
func sentBy(d *core.DepositRecord) string {
	switch {
	case d.SubmittedBy == "":
		return "—"
	case d.Channel == core.ChannelAPI:
		return "API · " + strings.TrimPrefix(d.SubmittedBy, "client:")
	case d.Channel == "":
		return d.SubmittedBy
	}
	return channelNames[d.Channel] + " · " + d.SubmittedBy
}

// applicationFields are the selected application's fields, every one as
// the desk received and keeps it, in the panel below the queue.
var applicationFields = [][]string{
	{"Record No", "Status", "Sent by", "Channel", "Request key", "Received", "Request time", "Remarks"},
	{"Customer No", "Securities account", "Asset", "Amount", "Source address", "Destination address", "TXID", "Output/log index"},
}

// applicationsPage is the guide's Deposit Application: the live queue of
// applications as they arrive, newest first, with every field as
// received, the record each became, Delete abnormal application, and a
// form for an application that reached the firm another way.
type applicationsPage struct {
	*recordActions // the queue, its paging, Details and Delete
	op             *core.Operator

	fields     map[string]*widget.Label
	selection  *widget.Label
	newBtn     *widget.Button
	detailsBtn *widget.Button
	deleteBtn  *widget.Button
	form       *applicationForm // the open New application form, for tests

	showing bool // the page is the one on screen
}

func newApplicationsPage(w *worker, svc *core.Service, op *core.Operator, win fyne.Window, ws windows) *applicationsPage {
	p := &applicationsPage{recordActions: newRecordActions(newDepositList(w, svc, applicationColumns), win, ws), op: op,
		fields: map[string]*widget.Label{}, selection: widget.NewLabel("")}
	// The queue is every application, newest first: the records as they
	// were created, whatever became of them since.
	p.filterFunc = func() (core.DepositFilter, error) { return core.DepositFilter{Limit: core.DefaultPageSize}, nil }
	p.shownFunc = p.updateActions
	p.newBtn = widget.NewButton("New application…", p.onNewTapped)
	p.newBtn.Importance = widget.HighImportance
	p.detailsBtn = widget.NewButton("Open record", p.onDetailsTapped)
	p.deleteBtn = widget.NewButton("Delete abnormal application", func() { p.deleteApplication(p.deleteBtn) })
	for _, col := range applicationFields {
		for _, f := range col {
			l := widget.NewLabel("—")
			l.Wrapping = fyne.TextWrapBreak
			l.Selectable = true
			p.fields[f] = l
		}
	}
	p.shown()
	return p
}

func (p *applicationsPage) build() fyne.CanvasObject {
	columns := container.NewGridWithColumns(2)
	for _, col := range applicationFields {
		form := widget.NewForm()
		for _, f := range col {
			form.Append(f, p.fields[f])
		}
		columns.Add(form)
	}
	intro := wrapped("Applications as they arrive, newest first: from client systems through the intake API, and those entered here.")
	top := container.NewVBox(container.NewBorder(nil, nil, nil, p.newBtn, intro), p.found, widget.NewSeparator())
	actions := container.NewHBox(p.selection, p.detailsBtn, p.deleteBtn)
	paging := container.NewHBox(p.prevBtn, p.pageInfo, p.nextBtn)
	// The message shares the actions' row: what an action did is said
	// beside its buttons, and the fields keep the height.
	panel := container.NewBorder(container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, actions, paging, p.message)),
		nil, nil, nil, container.NewVScroll(columns))
	split := container.NewVSplit(p.table, panel)
	split.Offset = 0.42
	return container.NewBorder(top, nil, nil, nil, split)
}

// load reads the first page of the queue.
func (p *applicationsPage) load() { p.depositList.load(nil, nil, "") }

// updateActions shows the selected application's fields and enables what
// the guide allows on it: Delete only while its source address is under
// verification, as on the records page; core refuses the rest anyway.
func (p *applicationsPage) updateActions() {
	d := p.current()
	if d == nil {
		p.selection.SetText("Select an application")
	} else {
		p.selection.SetText("Selected: " + d.RecordNo)
	}
	p.showFields(d)
	enable(p.detailsBtn, d != nil)
	enable(p.deleteBtn, d != nil && d.Status == core.StatusVerifying && p.op.Can(core.ActionDeleteApplication))
	hideUnless(p.op.Can(core.ActionDeleteApplication), p.deleteBtn)
	hideUnless(p.op.Can(core.ActionSubmitApplication), p.newBtn)
}

// showFields puts d's fields in the panel, each in full.
func (p *applicationsPage) showFields(d *core.DepositRecord) {
	values := map[string]string{}
	if d != nil {
		channel := string(d.Channel)
		if channel == "" {
			channel = "not recorded"
		}
		values = map[string]string{
			"Record No": d.RecordNo, "Status": d.Status.Display(), "Sent by": d.Submitter(), "Channel": channel,
			"Request key": orDash(d.SentRequestKey()), "Received": stamp(d.CreatedAt), "Request time": stamp(d.RequestedAt),
			"Remarks": orDash(d.Remarks), "Customer No": d.CustomerNo, "Securities account": d.SecuritiesAccount,
			"Asset": d.AssetSymbol + " on " + d.Chain + " " + d.Network, "Amount": d.AmountText() + " " + d.AssetSymbol,
			"Source address": d.SourceAddress, "Destination address": orDash(d.DestinationAddress), "TXID": orDash(d.TxID),
			"Output/log index": strconv.Itoa(d.TxIndex),
		}
	}
	for f, l := range p.fields {
		l.SetText(orDash(values[f]))
	}
}

// changed reads the queue on screen again after applications arrived or
// changed elsewhere (the intake API, another desk, the watcher), as the
// records page does (reloadFor: at most once per live gap, keeping the
// selected application selected); open record windows read themselves
// again at once. A page not on screen reads the queue when it is shown.
func (p *applicationsPage) changed() {
	if p.showing {
		p.recordActions.changed("*")
		return
	}
	for v := range p.open {
		v.load()
	}
}

// onNewTapped opens the form for an application that reached the firm
// another way.
func (p *applicationsPage) onNewTapped() {
	p.activityFunc()
	p.form = newApplicationForm(p.win, p.w, p.svc, func(rec *core.DepositRecord, created bool) {
		note := "Application recorded as " + rec.RecordNo + "."
		if !created {
			note = "This application was already recorded as " + rec.RecordNo + "."
		}
		p.depositList.load(nil, nil, note)
	})
}

// applicationForm is an application the firm received another way (at a
// branch, by phone, email or letter), entered by an operator. It goes
// through the same Service call and checks as the intake API's, under a
// request key made when the form opens: saving twice makes one record.
type applicationForm struct {
	*formDialog
	key                            string
	customerNo, account, amount    *widget.Entry
	source, txid, txIndex, remarks *widget.Entry
	asset, channel                 *widget.Select
	assets                         []*core.Asset
}

// The channels as the form offers them.
var channelNames = map[core.ApplicationChannel]string{
	core.ChannelBranch: "Branch", core.ChannelPhone: "Phone", core.ChannelEmail: "Email", core.ChannelLetter: "Letter",
}

func newApplicationForm(win fyne.Window, w *worker, svc *core.Service, done func(*core.DepositRecord, bool)) *applicationForm {
	f := &applicationForm{key: newRequestKey(), customerNo: entry("e.g. C0000123"), account: entry("e.g. SA10000161"),
		amount: entry("e.g. 0.015"), source: entry("the customer's wallet address it is sent from"),
		txid: entry("optional: the transaction hash, if already sent"), txIndex: entry("0"), remarks: widget.NewMultiLineEntry(),
		asset: widget.NewSelect(nil, nil)}
	f.txIndex.SetText("0")
	f.remarks.SetPlaceHolder("optional, e.g. called from the registered number, call ref. 5521")
	f.remarks.Wrapping = fyne.TextWrapWord
	f.remarks.SetMinRowsVisible(2)
	var names []string
	for _, c := range core.ManualChannels() {
		names = append(names, channelNames[c])
	}
	f.channel = widget.NewSelect(names, nil)
	f.channel.PlaceHolder = "(choose how it reached the firm)"
	f.asset.PlaceHolder = "(reading the configured assets…)"
	form := widget.NewForm(
		widget.NewFormItem("Request key", widget.NewLabel(f.key)),
		widget.NewFormItem("Received by", f.channel),
		widget.NewFormItem("Customer number", f.customerNo),
		widget.NewFormItem("Securities account", f.account),
		widget.NewFormItem("Asset", f.asset),
		widget.NewFormItem("Amount", f.amount),
		widget.NewFormItem("Source address", f.source),
		widget.NewFormItem("TXID", f.txid),
		widget.NewFormItem("Output/log index", f.txIndex),
		widget.NewFormItem("Remarks", f.remarks),
	)
	f.formDialog = newFormDialog(win, w, "New deposit application", "Submit application", 640, form, func() error {
		app, err := f.application()
		if err != nil {
			return err
		}
		submit(f.formDialog, func(ctx context.Context) (applied, error) {
			rec, created, err := svc.SubmitApplication(ctx, app)
			return applied{rec, created}, err
		}, func(a applied) { done(a.rec, a.created) })
		return nil
	})
	run(w, task[[]*core.Asset]{
		controls: []fyne.Disableable{f.save},
		line:     f.message,
		call:     func(ctx context.Context) ([]*core.Asset, error) { return svc.ListAssets(ctx, core.AssetFilter{}) },
		done: func(as []*core.Asset, err error) {
			if err != nil {
				f.message.SetText(errorText(err))
				return
			}
			for _, a := range as {
				if a.Enabled {
					f.assets = append(f.assets, a)
					f.asset.Options = append(f.asset.Options, a.Key())
				}
			}
			f.asset.PlaceHolder = "(choose the asset and network)"
			if len(f.assets) == 0 {
				f.asset.PlaceHolder = "(no asset is enabled for deposits)"
			}
			f.asset.Refresh()
		},
	})
	return f
}

// applied is SubmitApplication's answer.
type applied struct {
	rec     *core.DepositRecord
	created bool
}

// application reads the form. Only what the Service cannot read is checked
// here (a choice not made, an index that is no number); everything else is
// the Service's to refuse, in its own words.
func (f *applicationForm) application() (core.DepositApplication, error) {
	app := core.DepositApplication{ClientRequestKey: f.key, CustomerNo: f.customerNo.Text, SecuritiesAccount: f.account.Text,
		Amount: f.amount.Text, SourceAddress: strings.TrimSpace(f.source.Text), TxID: strings.TrimSpace(f.txid.Text),
		Remarks: f.remarks.Text}
	for c, name := range channelNames {
		if name == f.channel.Selected {
			app.Channel = c
		}
	}
	if i := f.asset.SelectedIndex(); i >= 0 {
		app.AssetSymbol, app.Network = f.assets[i].Symbol, f.assets[i].Network
	} else {
		return app, core.Errorf(core.EINVALID, "Choose the asset and network.")
	}
	if s := strings.TrimSpace(f.txIndex.Text); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return app, core.Errorf(core.EINVALID, "Output/log index must be a whole number.")
		}
		app.TxIndex = n
	}
	return app, nil
}

// newRequestKey is the key of one manual entry: random, so two operators'
// entries never meet, and shown on the form.
func newRequestKey() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "desk-" + hex.EncodeToString(b)
}

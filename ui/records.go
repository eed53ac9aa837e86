package ui

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

const allOption = "All"

// recordColumns are the guide's record fields. Cells use half a label's side
// padding and columns are sized to their text so all fit the 1280 px window.
var recordColumns = []tableColumn[*core.DepositRecord]{
	{"Record No", "D20261124-000034", func(d *core.DepositRecord) string { return d.RecordNo }},
	{"Customer No", "C0000024", func(d *core.DepositRecord) string { return d.CustomerNo }},
	{"Securities\nAccount", "SA10000161", func(d *core.DepositRecord) string { return d.SecuritiesAccount }},
	{"Asset", "USDC", func(d *core.DepositRecord) string { return d.AssetSymbol }},
	{"Network", "mainnet", func(d *core.DepositRecord) string { return d.Network }},
	{"Amount", "62139.9475", func(d *core.DepositRecord) string { return d.AmountText() }},
	{"Destination\nAddress", "0x9E5b…a150B", func(d *core.DepositRecord) string { return shorten(d.DestinationAddress, 6, 5) }},
	{"TXID", "000000…0000", func(d *core.DepositRecord) string { return shorten(d.TxID, 6, 4) }},
	{"Request Time", "2026-11-24 23:30", func(d *core.DepositRecord) string { return d.RequestedAt.Local().Format("2006-01-02 15:04") }},
	{"Status", "Wallet Address Under Verification", func(d *core.DepositRecord) string { return d.Status.Display() }},
	{"Confirmations", "12 of 12 ✓", func(d *core.DepositRecord) string {
		return confirmationsText(d.Confirmations, d.ConfirmationsRequired)
	}},
}

// recordsPage is Deposit Records: multi-condition search, paging, and the
// actions the operator's permissions allow on the selected record.
type recordsPage struct {
	*recordActions // the table of results, its paging, and Details and the remarks dialogs on its records
	op             *core.Operator
	onActivity     func()

	recordNo, customerNo, account, txid, from, to *widget.Entry
	status, asset                                 *widget.Select
	searchBtn, resetBtn                           *widget.Button
	detailsBtn, cancelBtn, deleteBtn, refundBtn   *widget.Button
	releaseBtn, rejectBtn                         *widget.Button
	selection                                     *widget.Label
	guard                                         *recordGuard // Cancel and Delete as core would answer, and why not

	assets []*core.Asset

	order     core.DepositOrder // the sort: the Record No (creation) or Request Time column's
	typing    later             // the search after the operator pauses typing
	typePause time.Duration     // typePause; tests shorten it

	refund *refundForm // the open Request Refund dialog, for tests
}

func newRecordsPage(w *worker, svc *core.Service, op *core.Operator, win fyne.Window, ws windows) *recordsPage {
	p := &recordsPage{recordActions: newRecordActions(newDepositList(w, svc, recordColumns), win, ws), op: op, onActivity: func() {},
		typePause: typePause}
	p.filterFunc, p.shownFunc = p.filter, p.updateActions
	p.headerFunc, p.titleFunc = p.onHeaderTapped, p.columnTitle
	p.activityFunc = func() { p.onActivity() } // the UI sets onActivity after the page is built
	p.recordNo, p.customerNo, p.account = entry("e.g. D20261125-000123"), entry("e.g. C0000123"), entry("e.g. SA10000161")
	p.txid, p.from, p.to = entry("first 8+ hex digits, or as shown"), entry("YYYY-MM-DD"), entry("YYYY-MM-DD")
	statuses := []string{allOption}
	for _, s := range core.AllDepositStatuses() {
		statuses = append(statuses, s.Display())
	}
	p.status = widget.NewSelect(statuses, nil)
	p.status.SetSelected(allOption)
	p.asset = widget.NewSelect([]string{allOption}, nil)
	p.asset.SetSelected(allOption)
	p.loadAssets()
	for _, e := range []*widget.Entry{p.recordNo, p.customerNo, p.account, p.txid, p.from, p.to} {
		e.OnSubmitted = func(string) { p.onSearchTapped() }
		e.OnChanged = func(string) {
			if !p.quiet {
				p.filterTyped()
			}
		}
	}
	p.status.OnChanged = func(string) { p.filterChosen() }
	p.asset.OnChanged = func(string) { p.filterChosen() }
	p.searchBtn = widget.NewButton("Search", p.onSearchTapped)
	p.searchBtn.Importance = widget.HighImportance
	p.resetBtn = widget.NewButton("Reset", p.onResetTapped)
	p.detailsBtn = widget.NewButton("Details", p.onDetailsTapped)
	p.cancelBtn = widget.NewButton("Cancel", p.onCancelTapped)
	p.deleteBtn = widget.NewButton("Delete abnormal application", p.onDeleteTapped)
	p.refundBtn = widget.NewButton("Request Refund", p.onRefundTapped)
	p.releaseBtn = widget.NewButton("Release", p.onReleaseTapped)
	p.rejectBtn = widget.NewButton("Reject", p.onRejectTapped)
	p.selection = widget.NewLabel("Select a record")
	p.controls = []fyne.Disableable{p.searchBtn, p.resetBtn}
	p.guard = newRecordGuard(p.w, p.svc, op, p.cancelBtn, p.deleteBtn)
	p.shown()
	return p
}

// loadAssets fills the Asset filter with the configured assets; an asset
// that is gone resets the filter to All.
func (p *recordsPage) loadAssets() {
	run(p.w, task[[]*core.Asset]{
		call: func(ctx context.Context) ([]*core.Asset, error) { return p.svc.ListAssets(ctx, core.AssetFilter{}) },
		done: func(as []*core.Asset, err error) {
			if err != nil {
				return // an operator who may not list assets filters without them
			}
			p.assets = as
			opts := []string{allOption}
			for _, a := range as {
				opts = append(opts, a.Key())
			}
			p.asset.Options = opts
			if !slices.Contains(opts, p.asset.Selected) {
				p.asset.SetSelected(allOption)
			}
			p.asset.Refresh()
		},
	})
}

func entry(placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	return e
}

func (p *recordsPage) build() fyne.CanvasObject {
	filters := container.NewGridWithColumns(4,
		labeled("Record number", p.recordNo), labeled("Customer number", p.customerNo), labeled("Securities account", p.account), labeled("Status", p.status),
		labeled("Asset", p.asset), labeled("TXID", p.txid), labeled("Created from", p.from), labeled("Created to (inclusive)", p.to),
	)
	// The action buttons come first and keep their places whatever is
	// selected; the rows wrap below 1280 px instead of leaving the window.
	top := container.NewVBox(filters, newFlow(p.searchBtn, p.resetBtn, p.found), widget.NewSeparator())
	bar := newFlow(p.detailsBtn, p.cancelBtn, p.deleteBtn, p.refundBtn, p.releaseBtn, p.rejectBtn,
		container.NewHBox(p.prevBtn, p.pageInfo, p.nextBtn))
	bottom := container.NewVBox(widget.NewSeparator(), bar, p.guard.line, container.NewBorder(nil, nil, p.selection, nil, p.hover), p.message)
	return container.NewBorder(top, bottom, nil, nil, p.table)
}

// filter reads the filter fields; a bad date is an error for the operator.
func (p *recordsPage) filter() (core.DepositFilter, error) {
	// Operators type the start of a number or the table's shortened TXID.
	f := core.DepositFilter{Limit: core.DefaultPageSize, Prefix: true, Order: p.order}
	p.typing.stop(p.w) // whatever was typed is searched now
	set := func(e *widget.Entry, dst **string) {
		if v := strings.TrimSpace(e.Text); v != "" {
			*dst = &v
		}
	}
	set(p.recordNo, &f.RecordNo)
	set(p.customerNo, &f.CustomerNo)
	set(p.account, &f.SecuritiesAccount)
	set(p.txid, &f.TxID)
	if p.status.Selected != allOption && p.status.Selected != "" {
		st, err := core.ParseDepositStatus(p.status.Selected)
		if err != nil {
			return f, err
		}
		f.Status = &st
	}
	for _, a := range p.assets {
		if a.Key() == p.asset.Selected {
			f.AssetID = &a.ID
		}
	}
	var err error
	if f.CreatedFrom, err = parseDay("Created from", p.from.Text, false); err != nil {
		return f, err
	}
	if f.CreatedTo, err = parseDay("Created to", p.to.Text, true); err != nil {
		return f, err
	}
	return f, nil
}

// parseDay reads YYYY-MM-DD in local time; "to" days include the whole day.
func parseDay(field, s string, endOfDay bool) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "%s must be a date like 2026-11-25.", field)
	}
	if endOfDay {
		t = t.AddDate(0, 0, 1)
	}
	return &t, nil
}

// updateActions enables what the policy table and the guide allow on the
// selected record; core refuses the rest anyway.
func (p *recordsPage) updateActions() {
	d := p.current()
	if d == nil {
		p.selection.SetText("Select a record")
	} else {
		p.selection.SetText("Selected: " + d.RecordNo)
	}
	enable(p.detailsBtn, d != nil)
	verifying := d != nil && d.Status == core.StatusVerifying
	enable(p.cancelBtn, verifying && p.op.Can(core.ActionCancelDeposit))
	enable(p.deleteBtn, verifying && p.op.Can(core.ActionDeleteApplication))
	hideUnless(p.op.Can(core.ActionCancelDeposit), p.cancelBtn)
	hideUnless(p.op.Can(core.ActionDeleteApplication), p.deleteBtn)
	enable(p.refundBtn, d != nil && d.Status == core.StatusCredited)
	hideUnless(p.op.Can(core.ActionRequestRefund), p.refundBtn)
	held := d != nil && d.Status == core.StatusHeld
	enable(p.releaseBtn, held)
	enable(p.rejectBtn, held)
	hideUnless(p.op.Can(core.ActionReviewHeld), p.releaseBtn, p.rejectBtn)
	p.guard.update(d)
}

func shorten(s string, head, tail int) string {
	if len(s) <= head+tail+1 {
		return s
	}
	return s[:head] + "…" + s[len(s)-tail:]
}

package ui

import (
	"context"
	"fmt"
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
	{"TXID", "0x8dba…b1df", func(d *core.DepositRecord) string { return shorten(d.TxID, 6, 4) }},
	{"Request Time", "2026-11-24 23:30", func(d *core.DepositRecord) string { return d.RequestedAt.Local().Format("2006-01-02 15:04") }},
	{"Status", "Wallet Address Under Verification", func(d *core.DepositRecord) string { return d.Status.Display() }},
	{"Confirmations", "779 / 12", func(d *core.DepositRecord) string {
		return fmt.Sprintf("%d / %d", d.Confirmations, d.ConfirmationsRequired)
	}},
}

// recordsPage is Deposit Records: multi-condition search, paging, and the
// actions the operator's permissions allow on the selected record.
type recordsPage struct {
	w          *worker
	svc        *core.Service
	op         *core.Operator
	win        fyne.Window
	windows    windows // the session's, which the detail windows join
	onActivity func()

	recordNo, customerNo, account, txid, from, to *widget.Entry
	status, asset                                 *widget.Select
	searchBtn, resetBtn, prevBtn, nextBtn         *widget.Button
	detailsBtn, cancelBtn, deleteBtn, refundBtn   *widget.Button
	releaseBtn, rejectBtn                         *widget.Button
	table                                         *widget.Table
	pageInfo, message, selection                  *widget.Label

	assets   []*core.Asset
	records  []*core.DepositRecord
	next     *core.DepositCursor
	cursors  []*core.DepositCursor // cursor that opened each page; nil for the first
	selected int
	applied  *core.DepositFilter // the filter of the page on screen, not what the fields say now
	quiet    bool                // selecting on the operator's behalf, not their activity
	reads    lane                // the page's searches and reloads
	stale    bool                // a change was announced while a read was in flight

	remarks *remarksDialog // the open cancel/delete dialog, for tests
	refund  *refundForm    // the open Request Refund dialog, for tests
	detail  *detailView    // the last detail window opened, for tests
	open    map[*detailView]bool
}

func newRecordsPage(w *worker, svc *core.Service, op *core.Operator, win fyne.Window, ws windows) *recordsPage {
	p := &recordsPage{w: w, svc: svc, op: op, win: win, windows: ws, selected: -1, onActivity: func() {}}
	p.recordNo, p.customerNo, p.account = entry("e.g. D20261125-000123"), entry("e.g. C0000123"), entry("e.g. SA10000161")
	p.txid, p.from, p.to = entry("transaction hash (TXID)"), entry("YYYY-MM-DD"), entry("YYYY-MM-DD")
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
		e.OnChanged = func(string) { p.onActivity() } // typing in a field counts against the idle lock
	}
	p.status.OnChanged = func(string) { p.onActivity() }
	p.asset.OnChanged = func(string) { p.onActivity() }
	p.searchBtn = widget.NewButton("Search", p.onSearchTapped)
	p.searchBtn.Importance = widget.HighImportance
	p.resetBtn = widget.NewButton("Reset", p.onResetTapped)
	p.prevBtn = widget.NewButton("‹ Previous", p.onPrevTapped)
	p.nextBtn = widget.NewButton("Next ›", p.onNextTapped)
	p.detailsBtn = widget.NewButton("Details", p.onDetailsTapped)
	p.cancelBtn = widget.NewButton("Cancel", p.onCancelTapped)
	p.deleteBtn = widget.NewButton("Delete abnormal application", p.onDeleteTapped)
	p.refundBtn = widget.NewButton("Request Refund", p.onRefundTapped)
	p.releaseBtn = widget.NewButton("Release", p.onReleaseTapped)
	p.rejectBtn = widget.NewButton("Reject", p.onRejectTapped)
	p.pageInfo, p.message, p.selection = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("Select a record")
	p.message.Wrapping = fyne.TextWrapWord
	p.table = p.newTable()
	p.updateActions()
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

func (p *recordsPage) newTable() *widget.Table {
	t := newTable(recordColumns, func() []*core.DepositRecord { return p.records }, func(row int) {
		if !p.quiet {
			p.onActivity()
		}
		p.selected = row
		p.updateActions()
	})
	oneLineRows(t, core.DefaultPageSize)
	return t
}

func (p *recordsPage) build() fyne.CanvasObject {
	filters := container.NewGridWithColumns(4,
		labeled("Record number", p.recordNo), labeled("Customer number", p.customerNo), labeled("Securities account", p.account), labeled("Status", p.status),
		labeled("Asset", p.asset), labeled("TXID", p.txid), labeled("Created from", p.from), labeled("Created to (inclusive)", p.to),
	)
	buttons := container.NewHBox(p.searchBtn, p.resetBtn)
	actions := container.NewHBox(p.selection, p.detailsBtn, p.cancelBtn, p.deleteBtn, p.refundBtn, p.releaseBtn, p.rejectBtn)
	paging := container.NewHBox(p.prevBtn, p.pageInfo, p.nextBtn)
	top := container.NewVBox(filters, container.NewBorder(nil, nil, buttons, nil), widget.NewSeparator())
	bottom := container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, actions, paging), p.message)
	return container.NewBorder(top, bottom, nil, nil, p.table)
}

func labeled(text string, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Italic: true}), nil, nil, nil, o)
}

// filter reads the filter fields; a bad date is an error for the operator.
func (p *recordsPage) filter() (core.DepositFilter, error) {
	f := core.DepositFilter{Limit: core.DefaultPageSize}
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

func (p *recordsPage) onSearchTapped() {
	p.onActivity()
	p.load(nil, nil, "")
}

// search runs the current filters from the first page.
func (p *recordsPage) search() { p.onSearchTapped() }

// showStatus searches the records in status alone, the other filters
// cleared: the Home page's Held for Review queue.
func (p *recordsPage) showStatus(s core.DepositStatus) {
	for _, e := range []*widget.Entry{p.recordNo, p.customerNo, p.account, p.txid, p.from, p.to} {
		e.SetText("")
	}
	p.asset.SetSelected(allOption)
	p.status.SetSelected(s.Display())
	p.onSearchTapped()
}

func (p *recordsPage) onResetTapped() {
	for _, e := range []*widget.Entry{p.recordNo, p.customerNo, p.account, p.txid, p.from, p.to} {
		e.SetText("")
	}
	p.status.SetSelected(allOption)
	p.asset.SetSelected(allOption)
	p.onSearchTapped()
}

func (p *recordsPage) onNextTapped() {
	p.onActivity()
	if p.next != nil {
		p.load(p.cursors, p.next, "")
	}
}

func (p *recordsPage) onPrevTapped() {
	p.onActivity()
	if len(p.cursors) < 2 {
		return
	}
	n := len(p.cursors)
	p.load(p.cursors[:n-2], p.cursors[n-2], "")
}

// load searches with the filter fields for the page that starts after
// cursor (nil: the first page), back being the cursors of the pages before
// it, and shows note once the page is on screen. A refused search leaves
// the page on screen as it was.
func (p *recordsPage) load(back []*core.DepositCursor, after *core.DepositCursor, note string) {
	f, err := p.filter()
	if err != nil {
		p.message.SetText(errorText(err))
		return
	}
	f.After = after
	run(p.w, task[core.DepositPage]{
		controls: []fyne.Disableable{p.searchBtn, p.resetBtn, p.prevBtn, p.nextBtn},
		line:     p.message,
		lane:     &p.reads,
		call:     func(ctx context.Context) (core.DepositPage, error) { return p.svc.SearchDeposits(ctx, f) },
		done: func(page core.DepositPage, err error) {
			defer p.reloadIfStale()
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			applied := f
			applied.After = nil
			p.applied = &applied
			p.cursors = append(back[:len(back):len(back)], after)
			p.records, p.next = page.Records, page.Next
			p.message.SetText(note)
			p.selected = -1
			p.table.UnselectAll()
			p.table.Refresh()
			first := (len(p.cursors) - 1) * core.DefaultPageSize
			switch {
			case len(p.records) == 0:
				p.pageInfo.SetText("No records match")
			default:
				p.pageInfo.SetText(fmt.Sprintf("Page %d · %d per page · records %d–%d", len(p.cursors), core.DefaultPageSize, first+1, first+len(p.records)))
			}
			p.updateActions()
		},
	})
}

// refresh reloads the page on screen after a change and then says note.
func (p *recordsPage) refresh(note string) {
	n := len(p.cursors)
	if n == 0 {
		p.load(nil, nil, note)
		return
	}
	p.load(p.cursors[:n-1], p.cursors[n-1], note)
}

func (p *recordsPage) current() *core.DepositRecord {
	if p.selected < 0 || p.selected >= len(p.records) {
		return nil
	}
	return p.records[p.selected]
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
	enable(p.prevBtn, len(p.cursors) > 1)
	enable(p.nextBtn, p.next != nil)
}

func shorten(s string, head, tail int) string {
	if len(s) <= head+tail+1 {
		return s
	}
	return s[:head] + "…" + s[len(s)-tail:]
}

// changed reloads what shows recordNo ("*": any record) after the watcher
// or another desk changed it: the page when the record is on it, and its
// open detail windows.
func (p *recordsPage) changed(recordNo string) {
	for v := range p.open {
		if recordNo == "*" || v.recordNo == recordNo {
			v.load()
		}
	}
	for _, r := range p.records {
		if recordNo == "*" || r.RecordNo == recordNo {
			p.reloadInPlace()
			return
		}
	}
}

// reloadInPlace reads the page on screen again with the filter it was
// searched with (not whatever the operator is typing now) and keeps the
// selected record selected, so a change elsewhere never pulls the record
// out from under an operator about to act on it. While a read is in
// flight it waits for it: a reload started now would supersede a search
// the operator asked for with the filter of the page it replaces.
func (p *recordsPage) reloadInPlace() {
	if p.applied == nil {
		return
	}
	if p.reads.busy() {
		p.stale = true
		return
	}
	f := *p.applied
	f.After = p.cursors[len(p.cursors)-1]
	run(p.w, task[core.DepositPage]{
		lane: &p.reads,
		call: func(ctx context.Context) (core.DepositPage, error) { return p.svc.SearchDeposits(ctx, f) },
		done: func(page core.DepositPage, err error) {
			defer p.reloadIfStale()
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			keep := ""
			if d := p.current(); d != nil {
				keep = d.RecordNo
			}
			p.records, p.next = page.Records, page.Next
			p.selected = -1
			p.table.UnselectAll()
			p.table.Refresh()
			for i, r := range p.records {
				if r.RecordNo == keep {
					p.quiet = true
					p.table.Select(widget.TableCellID{Row: i, Col: 0})
					p.quiet = false
				}
			}
			p.updateActions()
		},
	})
}

// reloadIfStale reloads for a change announced while a read was in
// flight, which that read may have missed.
func (p *recordsPage) reloadIfStale() {
	if p.stale && !p.reads.busy() {
		p.stale = false
		p.reloadInPlace()
	}
}

package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

var refundColumns = []tableColumn[*core.Refund]{
	{"Refund", "100000", func(r *core.Refund) string { return strconv.FormatInt(r.ID, 10) }},
	{"Record No", "D20261124-000034", func(r *core.Refund) string { return r.RecordNo }},
	{"Amount", "62139.9475 USDT", func(r *core.Refund) string { return r.AmountText() + " " + r.AssetSymbol }},
	{"Refund Address", "0x9E5b…a150B", func(r *core.Refund) string { return shorten(r.Address, 6, 5) }},
	{"Network", "mainnet", func(r *core.Refund) string { return r.Network }},
	{"Status", "Requested", func(r *core.Refund) string { return r.Status.Display() }},
	{"Requested\nBy", "seed-checker", func(r *core.Refund) string { return r.RequestedBy }},
	{"Approved\nBy", "seed-checker", func(r *core.Refund) string { return r.ApprovedBy }},
	{"Requested At", "2026-11-24 23:30", func(r *core.Refund) string { return r.CreatedAt.Local().Format("2006-01-02 15:04") }},
	{"Kind", "Customer", refundKind},
	{"Identity Check", "video call, ticket 4471", func(r *core.Refund) string { return r.IdentityCheck }},
	{"Adjustment Reason", "customer keeps part of it", func(r *core.Refund) string { return r.AdjustmentReason }},
}

// refundKind is the Kind column: who wants the refund. Refunds requested
// before the kind was recorded show nothing.
func refundKind(r *core.Refund) string {
	switch {
	case r.IdentityCheck == "":
		return ""
	case r.Forced:
		return "Forced"
	}
	return "Customer"
}

// refundsPage lists refunds, newest first, and lets a second operator with
// Refund Approval approve or reject what another requested.
type refundsPage struct {
	w   *worker
	svc *core.Service
	op  *core.Operator
	win fyne.Window

	status                           *widget.Select
	searchBtn, approveBtn, rejectBtn *widget.Button
	table                            *widget.Table
	message, selection               *widget.Label
	refunds                          []*core.Refund
	selected                         int
	remarks                          *remarksDialog // the open reject dialog, for tests
	approve                          *approveDialog // the open approve dialog, for tests
	reads                            lane
}

func newRefundsPage(w *worker, svc *core.Service, op *core.Operator, win fyne.Window) *refundsPage {
	p := &refundsPage{w: w, svc: svc, op: op, win: win, selected: -1}
	opts := []string{allOption}
	for _, s := range core.RefundStatuses() {
		opts = append(opts, s.Display())
	}
	p.status = widget.NewSelect(opts, nil)
	p.status.SetSelected(allOption)
	p.searchBtn = widget.NewButton("Search", p.load)
	p.searchBtn.Importance = widget.HighImportance
	p.approveBtn = widget.NewButton("Approve", p.onApproveTapped)
	p.rejectBtn = widget.NewButton("Reject", p.onRejectTapped)
	p.message, p.selection = widget.NewLabel(""), widget.NewLabel("Select a refund")
	p.message.Wrapping = fyne.TextWrapWord
	p.table = newTable(refundColumns, func() []*core.Refund { return p.refunds }, func(row int) {
		p.selected = row
		p.updateActions()
	})
	hideUnless(op.Can(core.ActionApproveRefund), p.approveBtn, p.rejectBtn)
	p.updateActions()
	return p
}

func (p *refundsPage) build() fyne.CanvasObject {
	intro := wrapped("Refunds of credited deposits, newest first. Request one from Deposit Records (Request Refund); " +
		"another operator with Refund Approval approves or rejects it.")
	top := container.NewVBox(intro, container.NewGridWithColumns(4, labeled("Status", p.status)), container.NewHBox(p.searchBtn),
		widget.NewSeparator())
	bottom := container.NewVBox(widget.NewSeparator(), container.NewHBox(p.selection, p.approveBtn, p.rejectBtn), p.message)
	return container.NewBorder(top, bottom, nil, nil, p.table)
}

func (p *refundsPage) load() {
	var keep int64 = -1
	if r := p.current(); r != nil {
		keep = r.ID
	}
	f := core.RefundFilter{Limit: 500}
	for _, s := range core.RefundStatuses() {
		if p.status.Selected == s.Display() {
			f.Status = &s
		}
	}
	run(p.w, task[[]*core.Refund]{
		controls: []fyne.Disableable{p.searchBtn},
		line:     p.message,
		lane:     &p.reads,
		call:     func(ctx context.Context) ([]*core.Refund, error) { return p.svc.Refunds(ctx, f) },
		done: func(rs []*core.Refund, err error) {
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			p.refunds, p.selected = rs, -1
			oneLineRows(p.table, len(rs))
			p.table.UnselectAll()
			for i, r := range rs {
				if r.ID == keep {
					p.table.Select(widget.TableCellID{Row: i})
				}
			}
			p.table.Refresh()
			p.updateActions()
		},
	})
}

// saved says what was done and reloads the list; the message stays.
func (p *refundsPage) saved(what string) {
	p.message.SetText(what)
	p.load()
}

func (p *refundsPage) current() *core.Refund {
	if p.selected >= 0 && p.selected < len(p.refunds) {
		return p.refunds[p.selected]
	}
	return nil
}

func (p *refundsPage) updateActions() {
	r := p.current()
	enable(p.approveBtn, r != nil && r.Status == core.RefundRequested && r.RequestedBy != p.op.Name)
	enable(p.rejectBtn, r != nil && core.CanTransitionRefund(r.Status, core.RefundRejected))
	if r != nil {
		p.selection.SetText("Selected: refund " + strconv.FormatInt(r.ID, 10) + " of " + r.RecordNo)
	} else {
		p.selection.SetText("Select a refund")
	}
}

func (p *refundsPage) onApproveTapped() {
	if r := p.current(); r != nil {
		p.approve = newApproveDialog(p, r)
	}
}

func (p *refundsPage) onRejectTapped() {
	r := p.current()
	if r == nil {
		return
	}
	id := strconv.FormatInt(r.ID, 10)
	p.remarks = newRemarksDialog(p.win, p.w, remarksAction{
		title: "Reject refund " + id,
		explain: "The refund of " + r.AmountText() + " " + r.AssetSymbol + " to " + r.Address + " will not be made; record " + r.RecordNo +
			" is Credited again. Enter the reason.",
		confirm: "Reject refund", question: "Reject refund " + id + " of " + r.RecordNo + "?",
		call: func(ctx context.Context, reason string) error {
			_, err := p.svc.RejectRefund(ctx, r.ID, reason)
			return err
		},
		ok:   func() { p.saved("Refund " + id + " of " + r.RecordNo + " rejected; the record is Credited again.") },
		hold: []fyne.Disableable{p.rejectBtn, p.approveBtn},
	})
}

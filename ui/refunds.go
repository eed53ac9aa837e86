package ui

import (
	"context"
	"strconv"
	"time"

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
	{"Status", "Refunded — customer not yet notified", func(r *core.Refund) string { return r.Progress() }},
	{"TXID", "8dba1c…b1df", func(r *core.Refund) string { return shorten(r.TxID, 6, 4) }},
	{"Fee", "0.00000282 BTC", refundFee},
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

// refundFee is the Fee column: the prepared transaction's network fee
// (Ethereum's most), empty before it is prepared.
func refundFee(r *core.Refund) string {
	if r.Payout == nil || r.Payout.Fee == nil {
		return ""
	}
	return core.FormatFee(r.Chain, r.Payout.Fee.Big())
}

// refundRefresh is how often the page re-reads its refunds while one of
// them is on its way on chain (Signed or Broadcast), so confirmations move
// even when no change notification reaches this desk.
var refundRefresh = 10 * time.Second

// refundsPage lists refunds, newest first, and takes each through its
// life: a second operator with Refund Approval approves or rejects what
// another requested (and replaces a failed one); Prepare builds the
// transaction, Execute Refund signs it on this station, Broadcast sends it,
// and once it is Refunded the customer's notice is recorded. Each button is
// shown to the operators whose permissions allow it, enabled when the
// refund's transition table allows the move from the selected refund's status.
type refundsPage struct {
	w   *worker
	svc *core.Service
	op  *core.Operator
	win fyne.Window

	status                                          *widget.Select
	searchBtn, approveBtn, rejectBtn, replaceBtn    *widget.Button
	prepareBtn, executeBtn, broadcastBtn, notifyBtn *widget.Button
	bumpBtn                                         *widget.Button
	exportBtn, importBtn                            *widget.Button // the air-gapped station's file, out and back
	table                                           *widget.Table
	message, selection                              *widget.Label
	payer                                           *widget.Label // what an Ethereum refund's payer holds
	payerReads                                      lane
	refunds                                         []*core.Refund
	selected                                        int
	applied                                         *core.RefundFilter // the filter of the list on screen
	reads                                           lane
	stale                                           bool // a change was announced while a read was in flight

	remarks *remarksDialog // the open reject or replace dialog, for tests
	approve *approveDialog // the open approve dialog, for tests
	execute *executeDialog // the open Execute Refund dialog, for tests
	notify  *notifyForm    // the open Notify customer dialog, for tests
	bump    *bumpForm      // the open Bump fee dialog, for tests
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
	p.replaceBtn = widget.NewButton("Replace", p.onReplaceTapped)
	p.bumpBtn = widget.NewButton("Bump fee", p.onBumpTapped)
	p.prepareBtn = widget.NewButton("Prepare", p.onPrepareTapped)
	p.executeBtn = widget.NewButton("Execute Refund", p.onExecuteTapped)
	p.executeBtn.Importance = widget.DangerImportance
	p.broadcastBtn = widget.NewButton("Broadcast", p.onBroadcastTapped)
	p.exportBtn = widget.NewButton("Export for station", p.onExportTapped)
	p.importBtn = widget.NewButton("Import signed", p.onImportTapped)
	p.notifyBtn = widget.NewButton("Notify customer", p.onNotifyTapped)
	p.message, p.selection = widget.NewLabel(""), widget.NewLabel("Select a refund")
	p.message.Wrapping = fyne.TextWrapWord
	p.payer = wrapped("")
	p.payer.Hide()
	p.table = newTable(refundColumns, func() []*core.Refund { return p.refunds }, func(row int) {
		p.selected = row
		p.updateActions()
		p.showPayer()
	})
	hideUnless(op.Can(core.ActionApproveRefund), p.approveBtn, p.rejectBtn, p.replaceBtn, p.bumpBtn)
	hideUnless(op.Can(core.ActionPrepareRefund), p.prepareBtn, p.exportBtn, p.importBtn)
	hideUnless(op.Can(core.ActionSignRefund), p.executeBtn)
	hideUnless(op.Can(core.ActionBroadcastRefund), p.broadcastBtn)
	hideUnless(op.Can(core.ActionNotifyRefund), p.notifyBtn)
	p.updateActions()
	go p.w.every(refundRefresh, p.onTick)
	return p
}

func (p *refundsPage) build() fyne.CanvasObject {
	intro := wrapped("Refunds of credited deposits, newest first. Request one from Deposit Records (Request Refund); " +
		"another operator with Refund Approval approves it. Prepare builds its transaction, Execute Refund signs it on this " +
		"station (or Export for station and Import signed take it to an air-gapped one), Broadcast sends it; once Refunded, record how the customer was told.")
	top := container.NewVBox(intro, container.NewGridWithColumns(4, labeled("Status", p.status)), container.NewHBox(p.searchBtn),
		widget.NewSeparator())
	actions := container.NewHBox(p.selection, p.approveBtn, p.rejectBtn, p.prepareBtn, p.executeBtn, p.exportBtn, p.importBtn,
		p.broadcastBtn, p.notifyBtn, p.replaceBtn, p.bumpBtn)
	bottom := container.NewVBox(widget.NewSeparator(), actions, p.payer, p.message)
	return container.NewBorder(top, bottom, nil, nil, p.table)
}

// showStatus sets the Status filter to s; showing the page loads it.
func (p *refundsPage) showStatus(s core.RefundStatus) { p.status.SetSelected(s.Display()) }

// load searches with the Status filter.
func (p *refundsPage) load() {
	f := core.RefundFilter{Limit: 500}
	for _, s := range core.RefundStatuses() {
		if p.status.Selected == s.Display() {
			f.Status = &s
		}
	}
	p.read(f, p.message, p.searchBtn)
}

// reload reads the list on screen again, with the filter it was searched
// with, keeping the selection: for changes made elsewhere (the watcher's
// confirmations, another desk). While a read is in flight it waits for it.
func (p *refundsPage) reload() {
	if p.applied == nil {
		return
	}
	if p.reads.busy() {
		p.stale = true
		return
	}
	p.read(*p.applied, nil)
}

func (p *refundsPage) read(f core.RefundFilter, line *widget.Label, controls ...fyne.Disableable) {
	run(p.w, task[[]*core.Refund]{
		controls: controls,
		line:     line,
		lane:     &p.reads,
		call:     func(ctx context.Context) ([]*core.Refund, error) { return p.svc.Refunds(ctx, f) },
		done: func(rs []*core.Refund, err error) {
			defer p.reloadIfStale()
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			var keep int64 = -1
			if r := p.current(); r != nil {
				keep = r.ID
			}
			p.applied = &f
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

// reloadIfStale reloads for a change announced while a read was in flight.
func (p *refundsPage) reloadIfStale() {
	if p.stale && !p.reads.busy() {
		p.stale = false
		p.reload()
	}
}

// changed reloads the list after records changed elsewhere: the watcher's
// pass (new blocks, a refund confirmed) or another desk.
func (p *refundsPage) changed() { p.reload() }

// onTick re-reads the list every refundRefresh while a listed refund is
// Signed or Broadcast.
func (p *refundsPage) onTick() {
	if p.onChain() && !p.reads.busy() {
		p.reload()
	}
}

// onChain says whether a listed refund's transaction is being followed.
func (p *refundsPage) onChain() bool {
	for _, r := range p.refunds {
		if r.Status == core.RefundSigned || r.Status == core.RefundBroadcast {
			return true
		}
	}
	return false
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

// updateActions enables what the refund's transition table allows from the
// selected refund's status; core refuses the rest anyway. Moves into one
// status can be different actions (into Approved: approval or a
// replacement; Prepared: Prepare or a supervisor's fee bump; Broadcast:
// Broadcast or the watcher seeing an earlier transaction mined), so each
// button also names the status its own action starts from.
func (p *refundsPage) updateActions() {
	r := p.current()
	from := func(s core.RefundStatus) bool { return r != nil && r.Status == s }
	can := func(to core.RefundStatus) bool { return r != nil && core.CanTransitionRefund(r.Status, to) }
	other := r != nil && r.RequestedBy != p.op.Name // nobody approves their own request
	// A fee bump keeps its inputs until one of its transactions is mined:
	// it is executed, neither prepared anew nor rejected.
	bump := from(core.RefundPrepared) && r.Payout != nil && len(r.Payout.Earlier) > 0
	enable(p.approveBtn, from(core.RefundRequested) && can(core.RefundApproved) && other)
	enable(p.rejectBtn, can(core.RefundRejected) && !bump)
	enable(p.replaceBtn, from(core.RefundFailed) && can(core.RefundApproved) && other)
	enable(p.prepareBtn, (from(core.RefundApproved) || from(core.RefundPrepared)) && can(core.RefundPrepared) && !bump)
	enable(p.executeBtn, from(core.RefundPrepared) && can(core.RefundSigned))
	// The station signs what Export writes; Import stores it, Signed.
	enable(p.exportBtn, from(core.RefundPrepared) && can(core.RefundSigned))
	enable(p.importBtn, from(core.RefundPrepared) && can(core.RefundSigned))
	// A broadcast refund's transaction may be sent again: the same bytes.
	enable(p.broadcastBtn, (from(core.RefundSigned) || from(core.RefundBroadcast)) && can(core.RefundBroadcast))
	enable(p.notifyBtn, from(core.RefundConfirmed) && r.Notice == nil)
	// A fee bump is Bitcoin's, of a signed transaction, by a supervisor
	// other than the requester; core asks the node whether it is mined.
	enable(p.bumpBtn, (from(core.RefundSigned) || from(core.RefundBroadcast)) && can(core.RefundPrepared) && other &&
		r.Chain == core.ChainBitcoin && r.Confirmations == 0)
	if r != nil {
		p.selection.SetText("Selected: refund " + strconv.FormatInt(r.ID, 10) + " of " + r.RecordNo)
	} else {
		p.selection.SetText("Select a refund")
	}
}

// actions are the page's refund buttons, held while one of their calls runs.
func (p *refundsPage) actions() []fyne.Disableable {
	return []fyne.Disableable{p.approveBtn, p.rejectBtn, p.replaceBtn, p.prepareBtn, p.executeBtn, p.exportBtn, p.importBtn, p.broadcastBtn,
		p.notifyBtn, p.bumpBtn}
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
		hold: p.actions(),
	})
}

// onReplaceTapped lets a supervisor send a Failed refund back to Approved,
// to be prepared anew, with remarks.
func (p *refundsPage) onReplaceTapped() {
	r := p.current()
	if r == nil {
		return
	}
	id := strconv.FormatInt(r.ID, 10)
	why := ""
	if r.Remarks != "" {
		why = " It failed: " + r.Remarks
	}
	p.remarks = newRemarksDialog(p.win, p.w, remarksAction{
		title: "Replace refund " + id,
		explain: "Transaction " + orDash(r.TxID) + " can no longer pay this refund." + why + " Replacing approves the refund of " +
			r.AmountText() + " " + r.AssetSymbol + " to " + r.Address + " again, to be prepared anew. Enter why.",
		confirm: "Replace refund", question: "Replace failed refund " + id + " of " + r.RecordNo + " with a new transaction?",
		call: func(ctx context.Context, remarks string) error {
			_, err := p.svc.ReplaceRefund(ctx, r.ID, remarks)
			return err
		},
		ok: func() {
			p.saved("Refund " + id + " of " + r.RecordNo + " approved again; Prepare builds its new transaction.")
		},
		hold: p.actions(),
	})
}

// showPayer says, for a selected Ethereum refund, which address pays it and
// what that address holds, so the operator can have it funded before
// Prepare refuses for a shortfall.
func (p *refundsPage) showPayer() {
	r := p.current()
	if r == nil || r.Chain != core.ChainEthereum {
		p.payer.SetText("")
		p.payer.Hide() // no empty line where Bitcoin refunds have nothing to say
		return
	}
	p.payer.Show()
	p.payer.SetText("Refund payer: " + working)
	run(p.w, task[payerAnswer]{
		lane: &p.payerReads,
		call: func(ctx context.Context) (payerAnswer, error) {
			a, b, err := p.svc.RefundPayer(ctx, r.AssetSymbol, r.Network)
			return payerAnswer{a, b}, err
		},
		done: func(got payerAnswer, err error) {
			if err != nil {
				p.payer.SetText("Refund payer: " + errorText(err))
				return
			}
			sym, dec := core.Coin(got.asset.Chain)
			text := "Refund payer " + got.balance.Address + " holds " + core.FormatAmount(got.balance.Coin, dec) + " " + sym
			if got.balance.Token != nil {
				text += " and " + core.FormatAmount(got.balance.Token, got.asset.Decimals) + " " + got.asset.Symbol
			}
			p.payer.SetText(text + ".")
		},
	})
}

type payerAnswer struct {
	asset   *core.Asset
	balance *core.PayerBalance
}

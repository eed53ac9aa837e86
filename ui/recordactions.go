package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// recordActions are what a page showing deposit records in a depositList
// does on the selected one, the same way wherever it is shown: open its
// Details window, and an action the guide wants justified with remarks
// and confirmed twice (cancel, delete, a held record's decision).
type recordActions struct {
	*depositList
	win     fyne.Window
	windows windows // the session's, which the detail windows join

	remarks *remarksDialog // the open remarks dialog, for tests
	detail  *detailView    // the last detail window opened, for tests
	open    map[*detailView]bool
}

func newRecordActions(l *depositList, win fyne.Window, ws windows) *recordActions {
	p := &recordActions{depositList: l, win: win, windows: ws, open: map[*detailView]bool{}}
	l.activateFunc = func(int) { p.onDetailsTapped() }
	return p
}

// onDetailsTapped opens the selected record's Details window.
func (p *recordActions) onDetailsTapped() {
	p.activityFunc()
	if d := p.current(); d != nil {
		v := openDetail(p.w, p.svc, p.windows, d.RecordNo)
		p.detail, p.open[v] = v, true
		v.onClosed = func() { delete(p.open, v) }
	}
}

// changed reloads what shows recordNo ("*": any record) after the
// watcher, the intake or another desk changed it: its open detail windows,
// and the page when the record is on it or could join it (reloadFor).
func (p *recordActions) changed(recordNo string) {
	for v := range p.open {
		if recordNo == "*" || v.recordNo == recordNo {
			v.load()
		}
	}
	p.reloadFor(recordNo)
}

// onRefundTapped opens Request Refund for the selected Credited record.
func (p *recordsPage) onRefundTapped() {
	p.onActivity()
	d := p.current()
	if d == nil {
		return
	}
	p.refund = newRefundForm(p.win, p.w, p.svc, d, func(r *core.Refund) {
		p.refresh("Refund of " + r.AmountText() + " " + r.AssetSymbol + " to " + r.Address + " requested for " + r.RecordNo +
			"; it waits for a second operator's approval.")
	})
}

func (p *recordsPage) onReleaseTapped() {
	p.askRemarks(recordAction{
		title:    "Release held record %s",
		explain:  "The record goes back to Confirming and the watcher follows it again. Say what you checked (amount, asset, destination, source).",
		confirm:  "Confirm release",
		question: "Release record %s to Confirming?",
		done:     "%s released to Confirming.",
		do: func(ctx context.Context, recordNo, remarks string) (*core.DepositRecord, error) {
			return p.svc.DecideHeld(ctx, recordNo, true, remarks)
		},
		control: p.releaseBtn,
	})
}

func (p *recordsPage) onRejectTapped() {
	p.askRemarks(recordAction{
		title:    "Reject held record %s",
		explain:  "Rejected is final: the deposit will not be credited. Say why.",
		confirm:  "Confirm rejection",
		question: "Reject record %s? This cannot be undone.",
		done:     "%s rejected.",
		do: func(ctx context.Context, recordNo, remarks string) (*core.DepositRecord, error) {
			return p.svc.DecideHeld(ctx, recordNo, false, remarks)
		},
		control: p.rejectBtn,
	})
}

// recordAction is an operator action on one record that the guide wants
// justified with remarks and confirmed twice: cancel and delete.
type recordAction struct {
	title, explain, confirm, question, done string
	do                                      func(ctx context.Context, recordNo, remarks string) (*core.DepositRecord, error)
	control                                 *widget.Button // the page's button that starts it
	// check, when set, asks core first whether it would refuse the action
	// (CanCancel, CanDelete): a refusal is said before remarks are asked.
	check func(ctx context.Context, recordNo string) error
}

func (p *recordsPage) onCancelTapped() {
	p.askRemarks(recordAction{
		title:    "Cancel deposit record %s",
		explain:  "Only records in “Wallet Address Under Verification” can be cancelled. The cancellation is logged with your name, the time and these remarks.",
		confirm:  "Confirm cancellation",
		question: "Cancel record %s? This cannot be undone.",
		done:     "%s cancelled.",
		do:       p.svc.CancelDeposit,
		control:  p.cancelBtn,
		check:    p.svc.CanCancel,
	})
}

func (p *recordsPage) onDeleteTapped() { p.deleteApplication(p.deleteBtn) }

// deleteApplication asks remarks and confirmation to delete the selected
// abnormal application, which control started.
func (p *recordActions) deleteApplication(control *widget.Button) {
	p.askRemarks(recordAction{
		title:    "Delete abnormal application %s",
		explain:  "Deleting removes an abnormal or problematic application from processing. It stays in the audit log with your remarks.",
		confirm:  "Confirm deletion",
		question: "Delete application %s? This cannot be undone.",
		done:     "%s deleted.",
		do:       p.svc.DeleteApplication,
		control:  control,
		check:    p.svc.CanDelete,
	})
}

// askRemarks opens the remarks dialog for a on the selected record and,
// once confirmed twice, runs it and refreshes the page. When core would
// refuse a anyway (no node to check the chain with), the page says why
// and asks for nothing.
func (p *recordActions) askRemarks(a recordAction) {
	p.activityFunc()
	d := p.current()
	if d == nil {
		return
	}
	if a.check == nil {
		p.openRemarks(a, d)
		return
	}
	run(p.w, task[struct{}]{
		controls: []fyne.Disableable{a.control},
		line:     p.message,
		call:     func(ctx context.Context) (struct{}, error) { return struct{}{}, a.check(ctx, d.RecordNo) },
		done: func(_ struct{}, err error) {
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			p.openRemarks(a, d)
		},
	})
}

func (p *recordActions) openRemarks(a recordAction, d *core.DepositRecord) {
	p.remarks = newRemarksDialog(p.win, p.w, remarksAction{
		title: fmt.Sprintf(a.title, d.RecordNo), explain: a.explain, confirm: a.confirm, question: fmt.Sprintf(a.question, d.RecordNo),
		call: func(ctx context.Context, remarks string) error {
			_, err := a.do(ctx, d.RecordNo, remarks)
			return err
		},
		ok:   func() { p.refresh(fmt.Sprintf(a.done, d.RecordNo)) },
		hold: []fyne.Disableable{a.control},
	})
}

// recordGuard greys out Cancel and Delete when core would refuse them for
// the selected record, and says why on a line under the buttons, before
// the operator writes remarks: a record in another status, or one with a
// TXID whose network has no usable node (the desk cannot check that the
// chain has not seen it). It asks core (CanCancel, CanDelete) with the
// rule core applies at the call, so the words are the same.
type recordGuard struct {
	w                    *worker
	svc                  *core.Service
	op                   *core.Operator
	cancelBtn, deleteBtn *widget.Button
	line                 *widget.Label // under the buttons
	checks               lane
}

// recordVerdict is what core said of cancelling and deleting a record.
type recordVerdict struct{ cancel, delete error }

func newRecordGuard(w *worker, svc *core.Service, op *core.Operator, cancelBtn, deleteBtn *widget.Button) *recordGuard {
	return &recordGuard{w: w, svc: svc, op: op, cancelBtn: cancelBtn, deleteBtn: deleteBtn, line: reasonLine()}
}

// update asks about d, the selected record (nil: none), once the page has
// enabled its buttons by status and permission: a button the page enabled
// stays disabled until core agrees.
func (g *recordGuard) update(d *core.DepositRecord) {
	canCancel, canDelete := g.op.Can(core.ActionCancelDeposit), g.op.Can(core.ActionDeleteApplication)
	if d == nil || !canCancel && !canDelete {
		g.line.SetText("")
		g.checks.drop() // an answer still coming is about another record
		return
	}
	offered := map[*widget.Button]bool{g.cancelBtn: !g.cancelBtn.Disabled(), g.deleteBtn: !g.deleteBtn.Disabled()}
	g.line.SetText("")
	g.cancelBtn.Disable()
	g.deleteBtn.Disable()
	run(g.w, task[recordVerdict]{
		lane: &g.checks,
		call: func(ctx context.Context) (recordVerdict, error) {
			var v recordVerdict
			if canCancel {
				v.cancel = g.svc.CanCancel(ctx, d.RecordNo)
			}
			if canDelete {
				v.delete = g.svc.CanDelete(ctx, d.RecordNo)
			}
			return v, nil
		},
		done: func(v recordVerdict, _ error) { g.apply(v, offered, canCancel, canDelete) },
	})
}

// apply enables the buttons the page offered that core allows, and says
// on the line why the others are not.
func (g *recordGuard) apply(v recordVerdict, offered map[*widget.Button]bool, canCancel, canDelete bool) {
	enable(g.cancelBtn, offered[g.cancelBtn] && v.cancel == nil)
	enable(g.deleteBtn, offered[g.deleteBtn] && v.delete == nil)
	var why []string
	if canCancel && v.cancel != nil {
		why = append(why, "Cancel: "+errorText(v.cancel))
	}
	if canDelete && v.delete != nil {
		why = append(why, "Delete: "+errorText(v.delete))
	}
	g.line.SetText(strings.Join(why, "\n"))
}

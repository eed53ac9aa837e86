package ui

import (
	"context"
	"fmt"

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
	})
}

// askRemarks opens the remarks dialog for a on the selected record and,
// once confirmed twice, runs it and refreshes the page.
func (p *recordActions) askRemarks(a recordAction) {
	p.activityFunc()
	d := p.current()
	if d == nil {
		return
	}
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

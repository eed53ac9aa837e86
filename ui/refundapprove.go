package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// approveDialog is Approve on the Refunds page: every fact of the request
// the second operator vouches for, with the network fee the refund would
// pay now, then a second confirmation, as Cancel asks. The refund moves
// money; one tap must not approve it.
type approveDialog struct {
	facts                *widget.Form
	fee                  *widget.Label // the fee estimate, filled in when the node answers
	confirm, back, again *widget.Button
	message              *widget.Label
	dlg                  dialog.Dialog
}

func newApproveDialog(p *refundsPage, r *core.Refund) *approveDialog {
	a := &approveDialog{message: wrapped(""), fee: wrapped("Estimating…")}
	id := strconv.FormatInt(r.ID, 10)
	adjustment := "none (the deposit's amount)"
	if r.AdjustmentReason != "" {
		adjustment = r.AdjustmentReason
	}
	identity := r.IdentityCheck
	if identity == "" {
		identity = "not recorded (requested before identity checks were recorded)"
	}
	a.facts = widget.NewForm(
		widget.NewFormItem("Record", widget.NewLabel(r.RecordNo+" · customer "+r.CustomerNo)),
		widget.NewFormItem("Amount", widget.NewLabel(r.AmountText()+" "+r.AssetSymbol)),
		widget.NewFormItem("Refund address", wrapped(r.Address)),
		widget.NewFormItem("Network", widget.NewLabel(r.Chain+" "+r.Network)),
		widget.NewFormItem("Adjustment", wrapped(adjustment)),
		widget.NewFormItem("Identity check", wrapped(identity)),
		widget.NewFormItem("Kind", widget.NewLabel(r.Kind())),
		widget.NewFormItem("Requested by", widget.NewLabel(r.RequestedBy+" on "+stamp(r.CreatedAt))),
		widget.NewFormItem("Fee estimate", a.fee),
	)
	a.back = widget.NewButton("Back", func() { a.dlg.Hide() })
	a.confirm = widget.NewButton("Approve refund", func() { a.askAgain(p, r, id) })
	a.confirm.Importance = widget.DangerImportance
	content := container.NewBorder(a.facts, container.NewHBox(a.back, a.confirm), nil, nil, container.NewVScroll(a.message))
	a.dlg = dialog.NewCustomWithoutButtons("Approve refund "+id, container.NewGridWrap(fyne.NewSize(680, 520), content), p.win)
	a.dlg.Show()
	a.estimate(p, r)
	return a
}

// estimate builds the transaction the refund would be paid with now, to
// show its fee; when it cannot (no node, a shortfall, no fee cap) it says
// why, and approving is still possible: Prepare builds it anew anyway.
func (a *approveDialog) estimate(p *refundsPage, r *core.Refund) {
	run(p.w, task[*core.Payout]{
		call: func(ctx context.Context) (*core.Payout, error) { return p.svc.EstimateRefund(ctx, r.ID) },
		done: func(pay *core.Payout, err error) {
			if err != nil {
				a.fee.SetText("Cannot be estimated now: " + errorText(err) + " Approving is still possible; Prepare builds the transaction.")
				return
			}
			a.fee.SetText(feeText(r.Chain, pay) + sourceText(r.Chain, pay) + " (if prepared now)")
		},
	})
}

// askAgain is the second confirmation; its Yes approves.
func (a *approveDialog) askAgain(p *refundsPage, r *core.Refund, id string) {
	a.again = confirmAgain(p.win, "Approve refund "+id+": "+r.AmountText()+" "+r.AssetSymbol+" to "+r.Address+"?",
		"Yes, approve", func() { a.approve(p, r, id) })
}

// approve asks the Service; a refusal stays in the dialog.
func (a *approveDialog) approve(p *refundsPage, r *core.Refund, id string) {
	run(p.w, task[*core.Refund]{
		controls: append([]fyne.Disableable{a.confirm, a.back}, p.actions()...),
		line:     a.message,
		call:     func(ctx context.Context) (*core.Refund, error) { return p.svc.ApproveRefund(ctx, r.ID) },
		done: func(_ *core.Refund, err error) {
			if err != nil {
				a.message.SetText(errorText(err))
				return
			}
			a.dlg.Hide()
			p.saved("Refund " + id + " of " + r.RecordNo + " approved.")
		},
	})
}

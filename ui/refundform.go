package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// refundForm is the guide's Request Refund: the refund address (only the
// customer's Verified addresses on the deposit's network are offered), the
// network (the deposit's, shown, not chosen), and the amount, which starts
// as the deposit's; another amount needs the reason for the adjustment. The
// operator also records how the customer's identity and the request were
// verified, and whether the customer asked or the firm requires the refund.
type refundForm struct {
	*formDialog
	address  *widget.Select
	amount   *escEntry
	reason   *escEntry
	identity *escEntry
	kind     *widget.RadioGroup
	choices  []*core.WalletAddress
}

// The kinds of refund, as the form offers them.
const (
	kindRequested = "At the customer's request"
	kindForced    = "Forced by the firm (e.g. compliance)"
)

// newRefundForm shows the form at once and fills the refund addresses in
// when they are read; Save waits for them.
func newRefundForm(win fyne.Window, w *worker, svc *core.Service, d *core.DepositRecord, done func(*core.Refund)) *refundForm {
	f := &refundForm{address: widget.NewSelect(nil, nil), amount: newEscEntry(""),
		reason:   newEscMultiLineEntry("required when the amount differs from the deposit's"),
		identity: newEscEntry("method and reference, e.g. video call, ticket 4471"),
		kind:     widget.NewRadioGroup([]string{kindRequested, kindForced}, nil)}
	f.kind.SetSelected(kindRequested)
	f.kind.Required = true
	f.amount.SetText(d.AmountText())
	f.reason.SetMinRowsVisible(2)
	form := widget.NewForm(
		widget.NewFormItem("Record", widget.NewLabel(d.RecordNo+" · "+d.CustomerNo+" · "+d.SecuritiesAccount)),
		widget.NewFormItem("Deposited", widget.NewLabel(d.AmountText()+" "+d.AssetSymbol)),
		widget.NewFormItem("Network", widget.NewLabel(d.Chain+" "+d.Network+" (the deposit's)")),
		widget.NewFormItem("Refund address", f.address),
		widget.NewFormItem("Amount", f.amount),
		widget.NewFormItem("Reason for adjustment", f.reason),
		widget.NewFormItem("Identity check", f.identity),
		widget.NewFormItem("Kind", f.kind),
	)
	f.formDialog = newFormDialog(win, w, "Request refund of "+d.RecordNo, "Request refund", 640, form, func() error {
		i := f.address.SelectedIndex()
		if i < 0 {
			return core.Errorf(core.EINVALID, "Choose the refund address.")
		}
		req := core.RefundRequest{AddressID: f.choices[i].ID, Amount: f.amount.Text, Reason: f.reason.Text,
			IdentityCheck: f.identity.Text, Forced: f.kind.Selected == kindForced}
		submit(f.formDialog, func(ctx context.Context) (*core.Refund, error) { return svc.RequestRefund(ctx, d.RecordNo, req) }, done)
		return nil
	}, f.amount, f.reason, f.identity)
	run(w, task[[]*core.WalletAddress]{
		controls: []fyne.Disableable{f.save},
		line:     f.message,
		call:     func(ctx context.Context) ([]*core.WalletAddress, error) { return svc.RefundAddresses(ctx, d.RecordNo) },
		done:     func(ws []*core.WalletAddress, err error) { f.offer(d, ws, err) },
	})
	return f
}

// offer puts the refund addresses ws in the form, or says why there are none.
func (f *refundForm) offer(d *core.DepositRecord, ws []*core.WalletAddress, err error) {
	for _, w := range ws {
		label := w.Address
		if w.Label != "" {
			label += " (" + w.Label + ")"
		}
		f.address.Options = append(f.address.Options, label)
		f.choices = append(f.choices, w)
	}
	if len(f.choices) == 1 {
		f.address.SetSelectedIndex(0)
	}
	switch {
	case err != nil:
		f.message.SetText(errorText(err))
	case len(ws) == 0:
		f.message.SetText(d.CustomerNo + " has no Verified address on " + d.Chain + " " + d.Network +
			"; verify the customer's address on Customer Wallet Address first.")
		f.save.Disable()
	}
	f.address.Refresh()
}

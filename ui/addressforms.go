package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// formDialog is a form with a message line and Close/Save buttons: save
// checks the entries and sends the action with submit, which closes the
// dialog only when it succeeds, so a refused entry stays on screen with
// what is wrong.
type formDialog struct {
	save, close *widget.Button
	message     *widget.Label
	dlg         dialog.Dialog
	w           *worker
}

// newFormDialog shows the form. save runs on the Fyne thread: it returns
// what is wrong with the entries, or calls submit. Escape typed anywhere,
// entries included, is Close.
func newFormDialog(win fyne.Window, w *worker, title, saveText string, width float32, form fyne.CanvasObject, save func() error,
	entries ...*escEntry) *formDialog {
	d := &formDialog{message: widget.NewLabel(""), w: w}
	d.message.Wrapping = fyne.TextWrapWord
	d.save = widget.NewButton(saveText, func() {
		d.message.SetText("")
		if err := save(); err != nil {
			d.message.SetText(errorText(err))
		}
	})
	d.save.Importance = widget.HighImportance
	d.close = widget.NewButton("Close", func() { d.dlg.Hide() })
	d.dlg = newMessageDialog(win, title, width, form, d.message, d.close, d.save)
	closeOnEscape(win, d.dlg, d.close, entries...)
	d.dlg.Show()
	return d
}

// submit sends the form's Service call. Save and Close wait for the
// answer, so a refusal is never left on a closed dialog; on success the
// dialog closes and ok gets the answer.
func submit[T any](d *formDialog, call func(context.Context) (T, error), ok func(T)) {
	run(d.w, task[T]{
		controls: []fyne.Disableable{d.save, d.close},
		line:     d.message,
		call:     call,
		done: func(v T, err error) {
			if err != nil {
				d.message.SetText(errorText(err))
				return
			}
			d.dlg.Hide()
			ok(v)
		},
	})
}

// customerForm adds a customer of the firm.
type customerForm struct {
	*formDialog
	customerNo, account, name, identity *escEntry
}

func newCustomerForm(win fyne.Window, w *worker, svc *core.Service, saved func(string)) *customerForm {
	f := &customerForm{customerNo: newEscEntry("e.g. C0000123"), account: newEscEntry("e.g. SA10000161"),
		name: newEscEntry("as on the identity documents"), identity: newEscEntry("optional: the KYC reference")}
	form := widget.NewForm(widget.NewFormItem("Customer number", f.customerNo), widget.NewFormItem("Securities account", f.account),
		widget.NewFormItem("Name", f.name), widget.NewFormItem("Identity reference", f.identity))
	f.formDialog = newFormDialog(win, w, "Add customer", "Add customer", 520, form, func() error {
		c := &core.Customer{CustomerNo: strings.ToUpper(strings.TrimSpace(f.customerNo.Text)),
			SecuritiesAccount: strings.ToUpper(strings.TrimSpace(f.account.Text)),
			Name:              strings.TrimSpace(f.name.Text), IdentityRef: strings.TrimSpace(f.identity.Text)}
		submit(f.formDialog, func(ctx context.Context) (*core.Customer, error) { return c, svc.CreateCustomer(ctx, c) },
			func(c *core.Customer) { saved("Customer " + c.CustomerNo + " (" + c.SecuritiesAccount + ") added.") })
		return nil
	}, f.customerNo, f.account, f.name, f.identity)
	win.Canvas().Focus(f.customerNo)
	return f
}

// addressForm registers a customer's own wallet address, Pending until proved.
type addressForm struct {
	*formDialog
	customerNo, address, label *escEntry
	chain, network             *widget.Select
}

func newAddressForm(win fyne.Window, w *worker, svc *core.Service, customerNo string, saved func(string)) *addressForm {
	f := &addressForm{customerNo: newEscEntry("e.g. C0000123"), address: newEscEntry("the customer's own address on that network"),
		label: newEscEntry("optional, e.g. cold wallet"), network: widget.NewSelect(nil, nil)}
	f.customerNo.SetText(customerNo)
	f.chain = widget.NewSelect([]string{core.ChainBitcoin, core.ChainEthereum}, func(chain string) {
		f.network.Options = core.ChainNetworks(chain)
		f.network.SetSelected(f.network.Options[0])
	})
	f.chain.SetSelected(core.ChainBitcoin)
	form := widget.NewForm(widget.NewFormItem("Customer number", f.customerNo), widget.NewFormItem("Chain", f.chain),
		widget.NewFormItem("Network", f.network), widget.NewFormItem("Address", f.address), widget.NewFormItem("Label", f.label))
	f.formDialog = newFormDialog(win, w, "Add wallet address", "Add address", 640, form, func() error {
		customerNo, chain, network := f.customerNo.Text, f.chain.Selected, f.network.Selected
		address, label := strings.TrimSpace(f.address.Text), strings.TrimSpace(f.label.Text)
		submit(f.formDialog, func(ctx context.Context) (*core.WalletAddress, error) {
			return svc.AddWalletAddress(ctx, customerNo, chain, network, address, label)
		}, func(w *core.WalletAddress) {
			saved(w.Address + " added for " + w.CustomerNo + " (" + w.Network + "); it is Pending until its owner proves it.")
		})
		return nil
	}, f.customerNo, f.address, f.label)
	return f
}

// approvalDialog is the second operator's look at documentary evidence.
type approvalDialog struct {
	approve, back *widget.Button
	info, message *widget.Label
	dlg           dialog.Dialog
}

// newApprovalDialog shows mv; approve runs off the Fyne thread, then ok on
// it once the dialog closed.
func newApprovalDialog(win fyne.Window, wk *worker, w *core.WalletAddress, mv *core.ManualVerification,
	approve func(context.Context) error, ok func()) *approvalDialog {
	d := &approvalDialog{message: widget.NewLabel("")}
	d.info = widget.NewLabel("Address: " + w.Address + " (" + w.Chain + " " + w.Network + ")\nCustomer: " + w.CustomerNo +
		"\nDocument: " + mv.Evidence + "\nSubmitted by " + mv.RequestedBy + " on " + mv.RequestedAt.Local().Format("2006-01-02 15:04") +
		"\n\nApprove only after checking the document yourself: the address becomes Verified.")
	d.info.Wrapping = fyne.TextWrapWord
	d.message.Wrapping = fyne.TextWrapWord
	d.approve = widget.NewButton("Approve", func() {
		run(wk, task[struct{}]{
			controls: []fyne.Disableable{d.approve, d.back},
			line:     d.message,
			call:     func(ctx context.Context) (struct{}, error) { return struct{}{}, approve(ctx) },
			done: func(_ struct{}, err error) {
				if err != nil {
					d.message.SetText(errorText(err))
					return
				}
				d.dlg.Hide()
				ok()
			},
		})
	})
	d.approve.Importance = widget.HighImportance
	d.back = widget.NewButton("Back", func() { d.dlg.Hide() })
	d.dlg = newMessageDialog(win, "Approve document", 560, d.info, d.message, d.back, d.approve)
	closeOnEscape(win, d.dlg, d.back)
	d.dlg.Show()
	return d
}

package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// addressColumns fit their samples until the list is in; then each fits
// what it holds (fitColumns), and a longer text ends in "…", shown whole
// on the line under the table while the pointer is over it.
var addressColumns = []tableColumn[*core.WalletAddress]{
	{"Customer No", "C0000024", func(w *core.WalletAddress) string { return w.CustomerNo }},
	{"Network", "ethereum mainnet", func(w *core.WalletAddress) string { return w.Chain + " " + w.Network }},
	{"Address", "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", func(w *core.WalletAddress) string { return w.Address }},
	{"Label", "hardware wallet", func(w *core.WalletAddress) string { return w.Label }},
	{"Status", "Pending", func(w *core.WalletAddress) string { return w.Status.Display() }},
	{"Proof", "Document awaiting approval", proofText},
	{"Verified By", "seed-checker", func(w *core.WalletAddress) string { return w.VerifiedBy }},
}

// proofText is the Proof column: how the address was proved, or the
// document that waits for a second operator's approval.
func proofText(w *core.WalletAddress) string {
	if w.DocumentBy != "" {
		return "Document awaiting approval (from " + w.DocumentBy + ")"
	}
	return proofMethodText(w.VerificationMethod)
}

// proofMethodText is a proof method in words.
func proofMethodText(method string) string {
	switch method {
	case core.ProofEIP191:
		return "Signed message (EIP-191)"
	case core.ProofBIP137:
		return "Signed message (BIP-137)"
	case core.ProofBIP322:
		return "Signed message (BIP-322)"
	case core.ProofMicroDeposit:
		return "Micro-deposit"
	case core.ProofManual:
		return "Document"
	case core.ProofSeed:
		return "Seeded (no proof)"
	}
	return method
}

// awaitingOption is the Status filter's choice of the Pending addresses
// whose document waits for a second operator.
const awaitingOption = "Pending, document awaiting approval"

// addressPageSize is how many addresses the page lists at most.
const addressPageSize = 500

// addressesPage is Customer Wallet Address: the customers' own addresses
// and their verification. An address is a deposit source or a refund
// destination only once Verified, and it becomes Verified only by a proof:
// a signed challenge, a micro-deposit seen on chain, or a document that a
// second operator approves.
type addressesPage struct {
	w   *worker
	svc *core.Service
	op  *core.Operator
	win fyne.Window

	customerNo                    *widget.Entry
	status                        *widget.Select
	searchBtn                     *widget.Button
	addCustomerBtn, addAddressBtn *widget.Button
	proveBtn, approveBtn          *widget.Button
	rejectBtn, revokeBtn          *widget.Button
	table                         *widget.Table
	message, selection            *widget.Label
	// hover shows the whole text of the cut-short cell under the pointer;
	// reason says why the greyed-out buttons are.
	hover, reason *widget.Label

	addresses []*core.WalletAddress
	selected  int
	reads     lane // the page's searches

	// The open dialogs, for tests.
	customerForm *customerForm
	addressForm  *addressForm
	proof        *proofDialog
	remarks      *remarksDialog
	approval     *approvalDialog
}

func newAddressesPage(w *worker, svc *core.Service, op *core.Operator, win fyne.Window) *addressesPage {
	p := &addressesPage{w: w, svc: svc, op: op, win: win, selected: -1}
	p.customerNo = entry("e.g. C0000123")
	p.customerNo.OnSubmitted = func(string) { p.load() }
	statuses := []string{allOption}
	for _, s := range []core.AddressStatus{core.AddressPending, core.AddressVerified, core.AddressRejected, core.AddressRevoked} {
		statuses = append(statuses, s.Display())
		if s == core.AddressPending {
			statuses = append(statuses, awaitingOption)
		}
	}
	p.status = widget.NewSelect(statuses, nil)
	p.status.SetSelected(core.AddressPending.Display()) // the work queue
	p.searchBtn = widget.NewButton("Search", p.load)
	p.searchBtn.Importance = widget.HighImportance
	p.addCustomerBtn = widget.NewButton("Add customer", func() { p.customerForm = newCustomerForm(p.win, p.w, p.svc, p.saved) })
	p.addAddressBtn = widget.NewButton("Add address", func() {
		p.addressForm = newAddressForm(p.win, p.w, p.svc, strings.TrimSpace(p.customerNo.Text), p.saved)
	})
	p.proveBtn = widget.NewButton("Prove ownership", p.onProveTapped)
	p.approveBtn = widget.NewButton("Approve document", p.onApproveTapped)
	p.rejectBtn = widget.NewButton("Reject", p.onRejectTapped)
	p.revokeBtn = widget.NewButton("Revoke", p.onRevokeTapped)
	p.message, p.selection = widget.NewLabel(""), wrapped("Select an address")
	p.message.Wrapping = fyne.TextWrapWord
	p.hover, p.reason = widget.NewLabel(""), reasonLine()
	p.hover.Truncation = fyne.TextTruncateEllipsis
	p.table = newHoverTable(addressColumns, func() []*core.WalletAddress { return p.addresses }, func(row int) {
		p.selected = row
		p.updateActions()
	}, hoverInto(p.hover))
	hideUnless(p.op.Can(core.ActionManageCustomers), p.addCustomerBtn, p.addAddressBtn)
	hideUnless(p.op.Can(core.ActionVerifyAddress), p.proveBtn, p.approveBtn, p.rejectBtn, p.revokeBtn)
	p.updateActions()
	return p
}

func (p *addressesPage) build() fyne.CanvasObject {
	intro := wrapped("Verify a customer's own wallet address before deposits from it confirm or refunds go to it: " +
		"a signed challenge, a micro-deposit, or a document that a second operator approves.")
	filters := container.NewGridWithColumns(4, labeled("Customer number", p.customerNo), labeled("Status", p.status))
	top := container.NewVBox(intro, filters, container.NewHBox(p.searchBtn, p.addCustomerBtn, p.addAddressBtn), widget.NewSeparator())
	actions := container.NewHBox(p.proveBtn, p.approveBtn, p.rejectBtn, p.revokeBtn)
	bottom := container.NewVBox(p.hover, widget.NewSeparator(), p.selection, actions, p.reason, p.message)
	return container.NewBorder(top, bottom, nil, nil, p.table)
}

// showStatus sets the filters to every customer's addresses in status;
// showing the page loads them.
func (p *addressesPage) showStatus(s core.AddressStatus) {
	p.customerNo.SetText("")
	p.status.SetSelected(s.Display())
}

// showAwaiting sets the filters to every customer's Pending addresses
// whose document waits for approval; showing the page loads them.
func (p *addressesPage) showAwaiting() {
	p.customerNo.SetText("")
	p.status.SetSelected(awaitingOption)
}

func ptrOf[T any](v T) *T { return &v }

// load searches with the filters, keeping the selected address selected.
func (p *addressesPage) load() {
	var keep int64 = -1
	if w := p.current(); w != nil {
		keep = w.ID
	}
	f := core.WalletAddressFilter{Limit: addressPageSize + 1}
	if no := strings.ToUpper(strings.TrimSpace(p.customerNo.Text)); no != "" {
		f.CustomerNo = &no
	}
	for _, s := range []core.AddressStatus{core.AddressPending, core.AddressVerified, core.AddressRejected, core.AddressRevoked} {
		if p.status.Selected == s.Display() {
			f.Status = &s
		}
	}
	if p.status.Selected == awaitingOption {
		f.Status, f.AwaitingApproval = ptrOf(core.AddressPending), true
	}
	run(p.w, task[[]*core.WalletAddress]{
		controls: []fyne.Disableable{p.searchBtn},
		line:     p.message,
		lane:     &p.reads,
		call:     func(ctx context.Context) ([]*core.WalletAddress, error) { return p.svc.FindWalletAddresses(ctx, f) },
		done: func(ws []*core.WalletAddress, err error) {
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			more := len(ws) > addressPageSize
			if more {
				ws = ws[:addressPageSize]
			}
			p.addresses, p.selected = ws, -1
			oneLineRows(p.table, len(ws))
			fitColumns(p.table, addressColumns, ws)
			p.table.UnselectAll()
			for i, w := range ws {
				if w.ID == keep {
					p.table.Select(widget.TableCellID{Row: i})
				}
			}
			p.table.Refresh()
			switch {
			case len(ws) == 0:
				p.selection.SetText("No addresses match")
			case more:
				p.message.SetText(fmt.Sprintf("Showing the first %d addresses; search by customer number to narrow the list.", addressPageSize))
			}
			p.updateActions()
		},
	})
}

func (p *addressesPage) current() *core.WalletAddress {
	if p.selected >= 0 && p.selected < len(p.addresses) {
		return p.addresses[p.selected]
	}
	return nil
}

// updateActions offers what the selected address's state allows, says
// why the rest is greyed out, and shows the selected address whole.
func (p *addressesPage) updateActions() {
	w := p.current()
	pending := w != nil && w.Status == core.AddressPending
	enable(p.proveBtn, pending)
	enable(p.rejectBtn, pending)
	enable(p.revokeBtn, w != nil && w.Status == core.AddressVerified)
	enable(p.approveBtn, pending && w.DocumentBy != "" && !p.submittedBy(w))
	if p.op.Can(core.ActionVerifyAddress) {
		p.reason.SetText(p.actionReason(w))
	}
	if w != nil {
		s := "Selected: " + w.CustomerNo + " · " + w.Chain + " " + w.Network + " · " + w.Address
		if w.Label != "" {
			s += " (" + w.Label + ")"
		}
		p.selection.SetText(s + " · " + w.Status.Display())
	} else if len(p.addresses) > 0 {
		p.selection.SetText("Select an address")
	}
}

// submittedBy says whether the operator submitted the document waiting on
// w: the Service refuses them its approval (nobody approves their own).
func (p *addressesPage) submittedBy(w *core.WalletAddress) bool {
	return strings.EqualFold(w.DocumentBy, p.op.Name)
}

// actionReason says why the buttons that are greyed out for w are.
func (p *addressesPage) actionReason(w *core.WalletAddress) string {
	switch {
	case w == nil:
		return "Select an address: Prove ownership and Reject take a Pending one, Approve document one with a document " +
			"awaiting approval, Revoke a Verified one."
	case w.Status == core.AddressPending && w.DocumentBy == "":
		return "Approve document: Select an address with a document awaiting approval; this one has none (Prove ownership › " +
			"Document submits one). Revoke: only a Verified address can be revoked."
	case w.Status == core.AddressPending && p.submittedBy(w):
		return "Approve document: Waiting for a second operator: you submitted this document. Revoke: only a Verified address can be revoked."
	case w.Status == core.AddressPending:
		return "Revoke: only a Verified address can be revoked."
	case w.Status == core.AddressVerified:
		return "Prove ownership, Approve document and Reject: the address is Verified already."
	}
	return "The address is " + w.Status.Display() + ": it can no longer be proved, approved, rejected or revoked."
}

// saved says what a dialog stored and reloads the list; the message stays
// once the list is in.
func (p *addressesPage) saved(what string) {
	p.message.SetText(what)
	p.load()
}

func (p *addressesPage) onProveTapped() {
	if w := p.current(); w != nil {
		p.message.SetText("")
		p.proof = newProofDialog(p.win, p.w, p.svc, w, p.saved)
	}
}

// onApproveTapped reads the pending document, then shows it for approval.
func (p *addressesPage) onApproveTapped() {
	w := p.current()
	if w == nil {
		return
	}
	run(p.w, task[*core.ManualVerification]{
		controls: []fyne.Disableable{p.approveBtn},
		line:     p.message,
		call: func(ctx context.Context) (*core.ManualVerification, error) {
			return p.svc.PendingManualEvidence(ctx, w.ID)
		},
		done: func(mv *core.ManualVerification, err error) {
			if err != nil || mv == nil {
				p.message.SetText(errorText(err))
				return
			}
			p.approval = newApprovalDialog(p.win, p.w, w, mv, func(ctx context.Context) error {
				_, err := p.svc.ApproveManualEvidence(ctx, w.ID)
				return err
			}, func() { p.saved(w.Address + " is Verified on the document " + strconv.Quote(mv.Evidence) + ".") })
		},
	})
}

func (p *addressesPage) onRejectTapped() {
	p.changeStatus("Reject", "rejected", "will be Rejected: deposits from it are not credited and refunds cannot go to it.", p.rejectBtn,
		func(ctx context.Context, w *core.WalletAddress, reason string) error {
			_, err := p.svc.RejectAddress(ctx, w.ID, reason)
			return err
		})
}

func (p *addressesPage) onRevokeTapped() {
	p.changeStatus("Revoke", "revoked", "will no longer be trusted: its deposits that are not credited yet go to Held for Review.", p.revokeBtn,
		func(ctx context.Context, w *core.WalletAddress, reason string) error {
			_, err := p.svc.RevokeAddress(ctx, w.ID, reason)
			return err
		})
}

// changeStatus asks for the reason and a second confirmation before do
// changes the selected address's state.
func (p *addressesPage) changeStatus(verb, done, consequence string, control *widget.Button,
	do func(context.Context, *core.WalletAddress, string) error) {
	w := p.current()
	if w == nil {
		return
	}
	p.remarks = newRemarksDialog(p.win, p.w, remarksAction{
		title: verb + " address", explain: "The address " + w.Address + " of " + w.CustomerNo + " " + consequence + " Enter the reason.",
		confirm: verb + " address", question: verb + " " + w.Address + "?",
		call: func(ctx context.Context, reason string) error { return do(ctx, w, reason) },
		ok:   func() { p.saved(w.Address + " " + done + ".") },
		hold: []fyne.Disableable{control},
	})
}

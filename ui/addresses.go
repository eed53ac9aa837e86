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

var addressColumns = []tableColumn[*core.WalletAddress]{
	{"Customer No", "C0000024", func(w *core.WalletAddress) string { return w.CustomerNo }},
	{"Network", "ethereum mainnet", func(w *core.WalletAddress) string { return w.Chain + " " + w.Network }},
	{"Address", "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", func(w *core.WalletAddress) string { return w.Address }},
	{"Label", "cold wallet", func(w *core.WalletAddress) string { return w.Label }},
	{"Status", "Verified", func(w *core.WalletAddress) string { return w.Status.Display() }},
	{"Proof", "micro_deposit", func(w *core.WalletAddress) string { return w.VerificationMethod }},
	{"Verified By", "seed-checker", func(w *core.WalletAddress) string { return w.VerifiedBy }},
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

	addresses []*core.WalletAddress
	selected  int
	reads     lane // the page's searches
	evidence  lane // the selected address's pending document

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
	p.message, p.selection = widget.NewLabel(""), widget.NewLabel("Select an address")
	p.message.Wrapping = fyne.TextWrapWord
	p.table = newTable(addressColumns, func() []*core.WalletAddress { return p.addresses }, func(row int) {
		p.selected = row
		p.updateActions()
	})
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
	actions := container.NewHBox(p.selection, p.proveBtn, p.approveBtn, p.rejectBtn, p.revokeBtn)
	bottom := container.NewVBox(widget.NewSeparator(), actions, p.message)
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

// updateActions offers what the selected address's state allows. Approve
// waits for the answer whether another operator's document is pending.
func (p *addressesPage) updateActions() {
	w := p.current()
	pending := w != nil && w.Status == core.AddressPending
	enable(p.proveBtn, pending)
	enable(p.rejectBtn, pending)
	enable(p.revokeBtn, w != nil && w.Status == core.AddressVerified)
	enable(p.approveBtn, false)
	if pending {
		run(p.w, task[*core.ManualVerification]{
			lane: &p.evidence,
			call: func(ctx context.Context) (*core.ManualVerification, error) {
				return p.svc.PendingManualEvidence(ctx, w.ID)
			},
			done: func(mv *core.ManualVerification, err error) {
				enable(p.approveBtn, err == nil && mv != nil && mv.RequestedBy != p.op.Name && p.current() == w)
			},
		})
	}
	if w != nil {
		p.selection.SetText("Selected: " + w.CustomerNo + " · " + shorten(w.Address, 10, 6) + " · " + w.Status.Display())
	} else if len(p.addresses) > 0 {
		p.selection.SetText("Select an address")
	}
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

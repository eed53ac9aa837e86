package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// proofDialog proves that a customer controls a Pending address, in one of
// three ways, each a tab: a signed one-time challenge, a micro-deposit seen
// on chain, or a document a second operator approves.
type proofDialog struct {
	ctx   context.Context
	svc   *core.Service
	win   fyne.Window
	w     *core.WalletAddress
	saved func(string)

	tabs *container.AppTabs

	issueBtn, copyBtn, verifyBtn *widget.Button
	challengeText                *widget.Label
	method                       *widget.Select
	signature                    *widget.Entry
	challenge                    *core.AddressChallenge

	startBtn, checkBtn *widget.Button
	instructions       *widget.Label
	txid               *widget.Entry
	micro              *core.MicroDeposit

	evidence  *widget.Entry
	submitBtn *widget.Button

	message *widget.Label
	dlg     dialog.Dialog
}

func newProofDialog(win fyne.Window, svc *core.Service, ctx context.Context, w *core.WalletAddress, saved func(string)) *proofDialog {
	d := &proofDialog{ctx: ctx, svc: svc, win: win, w: w, saved: saved, message: widget.NewLabel("")}
	d.message.Wrapping = fyne.TextWrapWord

	d.challengeText = widget.NewLabel("Issue a challenge: a one-time message, valid 24 hours, that the customer signs with this address's key.")
	d.challengeText.Wrapping = fyne.TextWrapWord
	d.challengeText.Selectable = true
	d.issueBtn = widget.NewButton("Issue challenge", d.onIssueTapped)
	d.copyBtn = widget.NewButton("Copy message", func() { d.win.Clipboard().SetContent(d.challenge.Message) })
	d.copyBtn.Disable()
	methods := []string{core.ProofEIP191}
	if w.Chain == core.ChainBitcoin {
		methods = []string{core.ProofBIP322, core.ProofBIP137}
	}
	d.method = widget.NewSelect(methods, nil)
	d.method.SetSelected(methods[0])
	d.signature = entry("the signature the customer's wallet produced (base64 or 0x-hex)")
	d.verifyBtn = widget.NewButton("Verify signature", d.onVerifyTapped)
	d.verifyBtn.Importance = widget.HighImportance
	d.verifyBtn.Disable()
	signed := container.NewVBox(container.NewHBox(d.issueBtn, d.copyBtn), d.challengeText,
		widget.NewForm(widget.NewFormItem("Method", d.method), widget.NewFormItem("Signature", d.signature)), d.verifyBtn)

	d.instructions = widget.NewLabel("Start a micro-deposit: the desk names an exact odd amount the customer sends from this " +
		"address to their deposit address within 24 hours; enter its transaction once it is mined.")
	d.instructions.Wrapping = fyne.TextWrapWord
	d.instructions.Selectable = true
	d.startBtn = widget.NewButton("Start micro-deposit", d.onStartTapped)
	d.txid = entry("transaction hash (TXID) of the micro-deposit")
	d.checkBtn = widget.NewButton("Check transaction", d.onCheckTapped)
	d.checkBtn.Importance = widget.HighImportance
	d.checkBtn.Disable()
	micro := container.NewVBox(d.startBtn, d.instructions, widget.NewForm(widget.NewFormItem("TXID", d.txid)), d.checkBtn)

	d.evidence = widget.NewMultiLineEntry()
	d.evidence.SetPlaceHolder("the document's reference, e.g. signed letter ref 2026-118")
	d.submitBtn = widget.NewButton("Submit for approval", d.onSubmitTapped)
	d.submitBtn.Importance = widget.HighImportance
	docInfo := wrapped("A second operator with Address Verification checks the document and approves it; " +
		"nobody approves their own.")
	document := container.NewVBox(docInfo, d.evidence, d.submitBtn)

	d.tabs = container.NewAppTabs(container.NewTabItem("Signed message", signed), container.NewTabItem("Micro-deposit", micro),
		container.NewTabItem("Document", document))
	head := widget.NewLabel(w.CustomerNo + " · " + w.Chain + " " + w.Network + "\n" + w.Address)
	closeBtn := widget.NewButton("Close", func() { d.dlg.Hide() })
	content := container.NewBorder(head, container.NewVBox(d.message, closeBtn), nil, nil, d.tabs)
	d.dlg = dialog.NewCustomWithoutButtons("Prove ownership", container.NewGridWrap(fyne.NewSize(720, 520), content), win)
	d.dlg.Show()
	return d
}

func (d *proofDialog) done(text string) {
	d.dlg.Hide()
	d.saved(text)
}

func (d *proofDialog) onIssueTapped() {
	d.message.SetText("")
	ch, err := d.svc.IssueAddressChallenge(d.ctx, d.w.ID)
	if err != nil {
		d.message.SetText(errorText(err))
		return
	}
	d.challenge = ch
	d.challengeText.SetText(ch.Message)
	d.copyBtn.Enable()
	d.verifyBtn.Enable()
}

func (d *proofDialog) onVerifyTapped() {
	d.message.SetText("")
	w, err := d.svc.ProveAddress(d.ctx, d.challenge.ID, d.method.Selected, strings.TrimSpace(d.signature.Text))
	if err != nil {
		d.message.SetText(errorText(err))
		return
	}
	d.done(w.Address + " is Verified by a signed message (" + w.VerificationMethod + ").")
}

func (d *proofDialog) onStartTapped() {
	d.message.SetText("")
	md, err := d.svc.StartMicroDeposit(d.ctx, d.w.ID)
	if err != nil {
		d.message.SetText(errorText(err))
		return
	}
	amount := md.Amount.String() + " base units"
	if as, err := d.svc.ListAssets(d.ctx, core.AssetFilter{ID: &md.AssetID}); err == nil && len(as) == 1 {
		amount = core.FormatAmount(md.Amount, as[0].Decimals) + " " + as[0].Symbol
	}
	d.micro = md
	d.instructions.SetText("Ask the customer to send exactly " + amount + " from " + d.w.Address + " to " + md.DepositAddress +
		" before " + md.ExpiresAt.Local().Format("2006-01-02 15:04") + ", then enter the transaction's hash once it is mined.")
	d.checkBtn.Enable()
}

func (d *proofDialog) onCheckTapped() {
	d.message.SetText("")
	w, err := d.svc.ProveMicroDeposit(d.ctx, d.micro.ID, strings.TrimSpace(d.txid.Text))
	if err != nil {
		d.message.SetText(errorText(err))
		return
	}
	d.done(w.Address + " is Verified by its micro-deposit.")
}

func (d *proofDialog) onSubmitTapped() {
	d.message.SetText("")
	if _, err := d.svc.SubmitManualEvidence(d.ctx, d.w.ID, strings.TrimSpace(d.evidence.Text)); err != nil {
		d.message.SetText(errorText(err))
		return
	}
	d.done("Document submitted for " + d.w.Address + "; it waits for a second operator's approval.")
}

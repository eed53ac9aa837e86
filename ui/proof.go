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
	wk    *worker
	svc   *core.Service
	win   fyne.Window
	w     *core.WalletAddress
	saved func(string)

	tabs *container.AppTabs

	issueBtn, copyBtn, verifyBtn *widget.Button
	challengeText                *widget.Label
	method                       *widget.Select
	signature                    *escEntry
	challenge                    *core.AddressChallenge

	startBtn, checkBtn *widget.Button
	instructions       *widget.Label
	txid               *escEntry
	micro              *core.MicroDeposit

	evidence  *escEntry
	submitBtn *widget.Button

	message  *widget.Label
	closeBtn *widget.Button
	dlg      dialog.Dialog
}

func newProofDialog(win fyne.Window, wk *worker, svc *core.Service, w *core.WalletAddress, saved func(string)) *proofDialog {
	d := &proofDialog{wk: wk, svc: svc, win: win, w: w, saved: saved, message: widget.NewLabel("")}
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
	d.signature = newEscEntry("the signature the customer's wallet produced (base64 or 0x-hex)")
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
	d.txid = newEscEntry("transaction hash (TXID) of the micro-deposit")
	d.checkBtn = widget.NewButton("Check transaction", d.onCheckTapped)
	d.checkBtn.Importance = widget.HighImportance
	d.checkBtn.Disable()
	micro := container.NewVBox(d.startBtn, d.instructions, widget.NewForm(widget.NewFormItem("TXID", d.txid)), d.checkBtn)

	d.evidence = newEscMultiLineEntry("the document's reference, e.g. signed letter ref 2026-118")
	d.submitBtn = widget.NewButton("Submit for approval", d.onSubmitTapped)
	d.submitBtn.Importance = widget.HighImportance
	docInfo := wrapped("A second operator with Address Verification checks the document and approves it; " +
		"nobody approves their own.")
	document := container.NewVBox(docInfo, d.evidence, d.submitBtn)

	d.tabs = container.NewAppTabs(container.NewTabItem("Signed message", signed), container.NewTabItem("Micro-deposit", micro),
		container.NewTabItem("Document", document))
	head := widget.NewLabel(w.CustomerNo + " · " + w.Chain + " " + w.Network + "\n" + w.Address)
	d.closeBtn = widget.NewButton("Close", func() { d.dlg.Hide() })
	content := container.NewBorder(head, container.NewVBox(messageArea(d.message, 3), d.closeBtn), nil, nil, d.tabs)
	d.dlg = dialog.NewCustomWithoutButtons("Prove ownership", container.NewGridWrap(fyne.NewSize(720, 560), content), win)
	closeOnEscape(win, d.dlg, d.closeBtn, d.signature, d.txid, d.evidence)
	d.dlg.Show()
	return d
}

func (d *proofDialog) done(text string) {
	d.dlg.Hide()
	d.saved(text)
}

// step runs one step of a proof. The step's button and Close wait for the
// answer, so what went wrong stays in the open dialog.
func step[T any](d *proofDialog, button *widget.Button, call func(context.Context) (T, error), ok func(T)) {
	d.message.SetText("")
	run(d.wk, task[T]{
		controls: []fyne.Disableable{button, d.closeBtn},
		line:     d.message,
		call:     call,
		done: func(v T, err error) {
			if err != nil {
				d.message.SetText(errorText(err))
				return
			}
			ok(v)
		},
	})
}

func (d *proofDialog) onIssueTapped() {
	step(d, d.issueBtn, func(ctx context.Context) (*core.AddressChallenge, error) {
		return d.svc.IssueAddressChallenge(ctx, d.w.ID)
	}, func(ch *core.AddressChallenge) {
		d.challenge = ch
		d.challengeText.SetText(ch.Message)
		d.copyBtn.Enable()
		d.verifyBtn.Enable()
	})
}

func (d *proofDialog) onVerifyTapped() {
	id, method, sig := d.challenge.ID, d.method.Selected, strings.TrimSpace(d.signature.Text)
	step(d, d.verifyBtn, func(ctx context.Context) (*core.WalletAddress, error) {
		return d.svc.ProveAddress(ctx, id, method, sig)
	}, func(w *core.WalletAddress) {
		d.done(w.Address + " is Verified by a signed message (" + w.VerificationMethod + ").")
	})
}

// microStart is a started micro-deposit with its amount in words.
type microStart struct {
	md     *core.MicroDeposit
	amount string
}

func (d *proofDialog) onStartTapped() {
	step(d, d.startBtn, func(ctx context.Context) (microStart, error) {
		md, err := d.svc.StartMicroDeposit(ctx, d.w.ID)
		if err != nil {
			return microStart{}, err
		}
		amount := md.Amount.String() + " base units"
		if as, err := d.svc.ListAssets(ctx, core.AssetFilter{ID: &md.AssetID}); err == nil && len(as) == 1 {
			amount = core.FormatAmount(md.Amount, as[0].Decimals) + " " + as[0].Symbol
		}
		return microStart{md, amount}, nil
	}, func(m microStart) {
		d.micro = m.md
		d.instructions.SetText("Ask the customer to send exactly " + m.amount + " from " + d.w.Address + " to " + m.md.DepositAddress +
			" before " + m.md.ExpiresAt.Local().Format("2006-01-02 15:04") + ", then enter the transaction's hash once it is mined.")
		d.checkBtn.Enable()
	})
}

// onCheckTapped asks the network's node about the transaction.
func (d *proofDialog) onCheckTapped() {
	id, txid := d.micro.ID, strings.TrimSpace(d.txid.Text)
	step(d, d.checkBtn, func(ctx context.Context) (*core.WalletAddress, error) {
		return d.svc.ProveMicroDeposit(ctx, id, txid)
	}, func(w *core.WalletAddress) {
		d.done(w.Address + " is Verified by its micro-deposit.")
	})
}

func (d *proofDialog) onSubmitTapped() {
	evidence := strings.TrimSpace(d.evidence.Text)
	step(d, d.submitBtn, func(ctx context.Context) (*core.ManualVerification, error) {
		return d.svc.SubmitManualEvidence(ctx, d.w.ID, evidence)
	}, func(*core.ManualVerification) {
		d.done("Document submitted for " + d.w.Address + "; it waits for a second operator's approval.")
	})
}

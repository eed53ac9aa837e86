package ui

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// onPrepareTapped builds the approved refund's transaction against the
// network's node and says what it pays; Execute Refund then signs it.
func (p *refundsPage) onPrepareTapped() {
	p.refundStep("prepared", p.svc.PrepareRefund, func(id string, got *core.Refund) string {
		return "Refund " + id + " of " + got.RecordNo + " prepared: " + payoutSummary(got) + ". Execute Refund signs it."
	})
}

// onBroadcastTapped sends a signed refund's stored transaction to the node,
// again if need be; the watcher follows its confirmations.
func (p *refundsPage) onBroadcastTapped() {
	p.refundStep("broadcast", p.svc.BroadcastRefund, func(id string, got *core.Refund) string {
		return fmt.Sprintf("Refund %s of %s broadcast: the %s/%s node has transaction %s. Its confirmations show here as blocks arrive.",
			id, got.RecordNo, got.Chain, got.Network, got.TxID)
	})
}

// refundStep runs one step on the selected refund off the Fyne thread and
// says what it did, or why it was not done.
func (p *refundsPage) refundStep(done string, call func(context.Context, int64) (*core.Refund, error), said func(id string, got *core.Refund) string) {
	r := p.current()
	if r == nil {
		return
	}
	id := strconv.FormatInt(r.ID, 10)
	run(p.w, task[*core.Refund]{
		controls: p.actions(),
		line:     p.message,
		call:     func(ctx context.Context) (*core.Refund, error) { return call(ctx, r.ID) },
		done: func(got *core.Refund, err error) {
			if err != nil {
				p.message.SetText("Refund " + id + " was not " + done + ": " + errorText(err))
				return
			}
			p.saved(said(id, got))
		},
	})
}

func (p *refundsPage) onExecuteTapped() {
	if r := p.current(); r != nil {
		p.execute = newExecuteDialog(p, r)
	}
}

// executeDialog is Execute Refund: every fact of the prepared transaction
// the signing operator vouches for, then a second confirmation. It signs
// money out; a refusal (a transaction changed outside the desk, a missing
// key) stays in the dialog.
type executeDialog struct {
	facts                *widget.Form
	confirm, back, again *widget.Button
	message              *widget.Label
	dlg                  dialog.Dialog
}

func newExecuteDialog(p *refundsPage, r *core.Refund) *executeDialog {
	e := &executeDialog{message: wrapped(""), facts: widget.NewForm()}
	e.message.Selectable = true
	id := strconv.FormatInt(r.ID, 10)
	for _, f := range executeFacts(r) {
		l := widget.NewLabel(f[1])
		l.Wrapping = fyne.TextWrapBreak
		e.facts.Append(f[0], l)
	}
	e.back = widget.NewButton("Back", func() { e.dlg.Hide() })
	e.confirm = widget.NewButton("Execute Refund", func() { e.askAgain(p, r, id) })
	e.confirm.Importance = widget.DangerImportance
	intro := wrapped("Signing pays this transaction with this station's key for " + r.AssetSymbol + " on " + r.Network +
		". Check every fact against the approved request; once signed, the refund is never signed again.")
	content := container.NewBorder(container.NewVBox(intro, widget.NewSeparator(), e.facts), container.NewHBox(e.back, e.confirm),
		nil, nil, container.NewVScroll(e.message))
	e.dlg = dialog.NewCustomWithoutButtons("Execute refund "+id, container.NewGridWrap(fyne.NewSize(860, 640), content), p.win)
	e.dlg.Show()
	return e
}

// executeFacts are the prepared transaction's facts, label and value.
func executeFacts(r *core.Refund) [][2]string {
	facts := [][2]string{
		{"Record", r.RecordNo + " · customer " + r.CustomerNo},
		{"Amount", r.AmountText() + " " + r.AssetSymbol + " (" + r.Kind() + ")"},
		{"Refund address", r.Address},
		{"Network", r.Chain + " " + r.Network},
	}
	p := r.Payout
	if p == nil {
		return append(facts, [2]string{"Transaction", "not prepared: Prepare builds it first"})
	}
	facts = append(facts, [2]string{"Fee", feeText(r.Chain, p)})
	if p.Payer != "" {
		if p.Contract != "" {
			facts = append(facts, [2]string{"Token contract", p.Contract})
		}
		facts = append(facts, [2]string{"Paid from", p.Payer}, [2]string{"Nonce", strconv.FormatUint(p.Nonce, 10)})
	} else {
		facts = append(facts, [2]string{"Inputs", inputsText(r.Chain, p)}, [2]string{"Change", changeText(r.Chain, p)})
	}
	return append(facts,
		[2]string{"Requested by", r.RequestedBy + " on " + stamp(r.CreatedAt)},
		[2]string{"Approved by", orDash(r.ApprovedBy)})
}

// askAgain is the second confirmation; its Yes signs.
func (e *executeDialog) askAgain(p *refundsPage, r *core.Refund, id string) {
	fee := ""
	if r.Payout != nil && r.Payout.Fee != nil {
		fee = " plus a network fee of " + core.FormatFee(r.Chain, r.Payout.Fee.Big())
	}
	e.again = confirmAgain(p.win, "Sign refund "+id+": "+r.AmountText()+" "+r.AssetSymbol+" to "+r.Address+fee+"?",
		"Yes, sign", func() { e.sign(p, r, id) })
}

// sign asks the Service to check and sign; a refusal stays in the dialog.
func (e *executeDialog) sign(p *refundsPage, r *core.Refund, id string) {
	run(p.w, task[*core.Refund]{
		controls: append([]fyne.Disableable{e.confirm, e.back}, p.actions()...),
		line:     e.message,
		call:     func(ctx context.Context) (*core.Refund, error) { return p.svc.ExecuteRefund(ctx, r.ID) },
		done: func(got *core.Refund, err error) {
			if err != nil {
				e.message.SetText(errorText(err))
				return
			}
			e.dlg.Hide()
			p.saved("Refund " + id + " of " + got.RecordNo + " signed: transaction " + got.TxID + ". Broadcast sends it to the network.")
		},
	})
}

// feeText is a payout's fee as operators read it.
func feeText(chain string, p *core.Payout) string {
	if p.Fee == nil {
		return "—"
	}
	if p.Payer != "" {
		return fmt.Sprintf("at most %s (%d gas at up to %s)", core.FormatFee(chain, p.Fee.Big()), p.GasLimit,
			core.FormatFeeRate(chain, p.FeeRate.Big()))
	}
	return core.FormatFee(chain, p.Fee.Big()) + " at " + core.FormatFeeRate(chain, p.FeeRate.Big())
}

// inputsText lists the account's outputs a Bitcoin payout spends: each
// one's amount and the account address it is at, then its outpoint.
func inputsText(chain string, p *core.Payout) string {
	var lines []string
	for i, in := range p.Inputs {
		whose := "deposit address"
		if in.Branch == 1 {
			whose = "change address"
		}
		lines = append(lines, fmt.Sprintf("%d. %s at the account's %s %d", i+1, core.FormatFee(chain, in.Amount.Big()), whose, in.Index),
			"    "+in.Outpoint)
	}
	return strings.Join(lines, "\n")
}

// changeText is where a Bitcoin payout's change goes back to the account.
func changeText(chain string, p *core.Payout) string {
	if p.Change == nil || p.Change.Sign() == 0 {
		return "none (what is left over is too little for an output and goes to the fee)"
	}
	return fmt.Sprintf("%s to %s (the account's change address %d)", core.FormatFee(chain, p.Change.Big()), p.ChangeAddress, p.ChangeIndex)
}

// payoutSummary is a prepared refund's transaction in one sentence.
func payoutSummary(r *core.Refund) string {
	if r.Payout == nil {
		return "no transaction"
	}
	return "fee " + feeText(r.Chain, r.Payout) + sourceText(r.Chain, r.Payout)
}

// sourceText says what a payout spends: inputs and change, or payer and nonce.
func sourceText(chain string, p *core.Payout) string {
	if p.Payer != "" {
		return fmt.Sprintf(", paid from %s with nonce %d", p.Payer, p.Nonce)
	}
	total := new(big.Int)
	for _, in := range p.Inputs {
		total.Add(total, in.Amount.Big())
	}
	s := fmt.Sprintf(", spending %d input(s) of %s", len(p.Inputs), core.FormatFee(chain, total))
	if p.Change != nil && p.Change.Sign() > 0 {
		s += ", change " + core.FormatFee(chain, p.Change.Big()) + " back to " + p.ChangeAddress
	} else {
		s += ", no change"
	}
	return s
}

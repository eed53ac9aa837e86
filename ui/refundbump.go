package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// bumpForm is Bump fee: a supervisor raises the fee of a Bitcoin refund
// whose transaction waits unmined, with remarks. The new transaction
// spends the same coins, so only one of the two can be mined; it is
// executed and broadcast like any prepared refund.
type bumpForm struct {
	*formDialog
	rate, remarks *widget.Entry
}

func (p *refundsPage) onBumpTapped() {
	if r := p.current(); r != nil && r.Payout != nil {
		p.bump = newBumpForm(p, r)
	}
}

func newBumpForm(p *refundsPage, r *core.Refund) *bumpForm {
	f := &bumpForm{rate: widget.NewEntry(), remarks: widget.NewMultiLineEntry()}
	f.rate.SetPlaceHolder("sat/vB, more than " + r.Payout.FeeRate.String())
	f.remarks.SetPlaceHolder("e.g. unconfirmed for a day at this rate")
	f.remarks.SetMinRowsVisible(2)
	f.remarks.Wrapping = fyne.TextWrapWord
	id := strconv.FormatInt(r.ID, 10)
	form := widget.NewForm(
		widget.NewFormItem("Refund", wrapped(id+" of "+r.RecordNo+": "+r.AmountText()+" "+r.AssetSymbol+" to "+r.Address)),
		widget.NewFormItem("Transaction", wrapped(orDash(r.TxID))),
		widget.NewFormItem("Fee now", widget.NewLabel(core.FormatFee(r.Chain, r.Payout.Fee.Big())+" at "+r.Payout.FeeRate.String()+" sat/vB")),
		widget.NewFormItem("New fee rate", f.rate),
		widget.NewFormItem("Remarks", f.remarks),
	)
	f.formDialog = newFormDialog(p.win, p.w, "Bump the fee of refund "+id, "Bump fee", 680, form, func() error {
		rate, err := core.ParseFeeRate(core.ChainBitcoin, f.rate.Text)
		if err != nil {
			return err
		}
		remarks := strings.TrimSpace(f.remarks.Text)
		if err := core.ValidateRemarks(remarks); err != nil {
			return err
		}
		submit(f.formDialog, func(ctx context.Context) (*core.Refund, error) { return p.svc.BumpRefundFee(ctx, r.ID, rate, remarks) },
			func(got *core.Refund) {
				p.saved("Refund " + id + " of " + got.RecordNo + ": fee bump to " + core.FormatFee(got.Chain, got.Payout.Fee.Big()) +
					" prepared; Execute Refund signs it. Until one of them is mined, the earlier transaction may still pay.")
			})
		return nil
	})
	return f
}

package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// channelName is how the Notify customer dialog offers a notice channel.
func channelName(c core.NoticeChannel) string {
	switch c {
	case core.NoticePhone:
		return "Phone"
	case core.NoticeEmail:
		return "Email"
	case core.NoticeLetter:
		return "Letter"
	case core.NoticeInPerson:
		return "In person"
	}
	return string(c)
}

// noticeText is a recorded notice in one sentence.
func noticeText(n *core.RefundNotice) string {
	return "Customer notified by " + n.By + " on " + stamp(n.At) + " by " + strings.ToLower(channelName(n.Channel)) + ": " + n.Note
}

// notifyForm is Notify customer, the guide's last step of a refund: how
// the customer was told that the refund is complete, and a note (required).
type notifyForm struct {
	*formDialog
	channel *widget.Select
	note    *widget.Entry
}

func (p *refundsPage) onNotifyTapped() {
	r := p.current()
	if r == nil {
		return
	}
	p.notify = newNotifyForm(p, r)
}

func newNotifyForm(p *refundsPage, r *core.Refund) *notifyForm {
	f := &notifyForm{note: widget.NewMultiLineEntry()}
	channels := core.NoticeChannels()
	names := make([]string, len(channels))
	for i, c := range channels {
		names[i] = channelName(c)
	}
	f.channel = widget.NewSelect(names, nil)
	f.channel.PlaceHolder = "How was the customer told?"
	f.note.SetPlaceHolder("e.g. told the customer the transaction ID on the registered phone number")
	f.note.SetMinRowsVisible(3)
	f.note.Wrapping = fyne.TextWrapWord
	id := strconv.FormatInt(r.ID, 10)
	form := widget.NewForm(
		widget.NewFormItem("Refund", wrapped(id+" of "+r.RecordNo+" · customer "+r.CustomerNo)),
		widget.NewFormItem("Paid", wrapped(r.AmountText()+" "+r.AssetSymbol+" to "+r.Address)),
		widget.NewFormItem("Transaction", wrapped(orDash(r.TxID))),
		widget.NewFormItem("Channel", f.channel),
		widget.NewFormItem("Note", f.note),
	)
	f.formDialog = newFormDialog(p.win, p.w, "Notify customer of refund "+id, "Record notice", 680, form, func() error {
		i := f.channel.SelectedIndex()
		if i < 0 {
			return core.Errorf(core.EINVALID, "Choose how the customer was told.")
		}
		channel, note := channels[i], strings.TrimSpace(f.note.Text)
		if note == "" {
			return core.Errorf(core.EINVALID, "Write a note: what the customer was told, and where.")
		}
		submit(f.formDialog, func(ctx context.Context) (*core.Refund, error) { return p.svc.NotifyRefund(ctx, r.ID, channel, note) },
			func(got *core.Refund) {
				p.saved("Refund " + id + " of " + got.RecordNo + ": " + noticeText(got.Notice) + ".")
			})
		return nil
	})
	return f
}

package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// remarksAction is what a remarks dialog asks about and then does.
type remarksAction struct {
	title, explain, confirm, question string
	// call runs the action with the remarks, off the Fyne thread.
	call func(ctx context.Context, remarks string) error
	// ok runs on the Fyne thread once call succeeded and the dialog closed.
	ok func()
	// hold are the page's controls that started the action, disabled
	// with the dialog's own until the answer is in.
	hold []fyne.Disableable
}

// remarksDialog is the guide's two-step confirmation: enter remarks, then
// confirm again. Confirm stays disabled until there are remarks.
type remarksDialog struct {
	remarks   *escEntry
	confirm   *widget.Button
	back      *widget.Button
	message   *widget.Label
	dlg       dialog.Dialog
	again     *widget.Button // the second confirmation's button, once shown
	win       fyne.Window
	w         *worker
	question  string
	action    remarksAction
	succeeded bool
}

func newRemarksDialog(win fyne.Window, w *worker, a remarksAction) *remarksDialog {
	r := &remarksDialog{win: win, w: w, question: a.question, action: a,
		remarks: newEscMultiLineEntry("Operation remarks, e.g. Duplicate user request, Incorrect address"), message: widget.NewLabel("")}
	r.remarks.SetMinRowsVisible(3)
	r.confirm = widget.NewButton(a.confirm, r.onConfirmTapped)
	r.confirm.Importance = widget.DangerImportance
	r.confirm.Disable()
	r.remarks.OnChanged = func(s string) {
		if strings.TrimSpace(s) == "" {
			r.confirm.Disable()
		} else {
			r.confirm.Enable()
		}
	}
	r.back = widget.NewButton("Back", func() { r.dlg.Hide() })
	info := widget.NewLabel(a.explain)
	info.Wrapping = fyne.TextWrapWord
	r.dlg = newMessageDialog(win, a.title, 560, container.NewVBox(info, widget.NewLabel("Remarks (required)"), r.remarks), r.message,
		r.back, r.confirm)
	closeOnEscape(win, r.dlg, r.back, r.remarks)
	r.dlg.Show()
	win.Canvas().Focus(r.remarks)
	return r
}

// onConfirmTapped asks the second confirmation the guide requires.
func (r *remarksDialog) onConfirmTapped() {
	if strings.TrimSpace(r.remarks.Text) == "" {
		return
	}
	r.again = confirmAgain(r.win, r.question+"\n\nRemarks: "+strings.TrimSpace(r.remarks.Text), "Yes, confirm", r.onConfirmAgainTapped)
}

// onConfirmAgainTapped runs the action. The dialog stays open, its
// buttons disabled, until the answer is in: a refusal or a node that did
// not answer is shown where the operator is looking.
func (r *remarksDialog) onConfirmAgainTapped() {
	remarks := strings.TrimSpace(r.remarks.Text)
	run(r.w, task[struct{}]{
		controls: append([]fyne.Disableable{r.confirm, r.back, r.remarks}, r.action.hold...),
		line:     r.message,
		call:     func(ctx context.Context) (struct{}, error) { return struct{}{}, r.action.call(ctx, remarks) },
		done: func(_ struct{}, err error) {
			if err != nil {
				r.message.SetText(errorText(err))
				return
			}
			r.succeeded = true
			r.dlg.Hide()
			r.action.ok()
		},
	})
}

package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// remarksDialog is the guide's two-step confirmation: enter remarks, then
// confirm again. Confirm stays disabled until there are remarks.
type remarksDialog struct {
	remarks   *widget.Entry
	confirm   *widget.Button
	back      *widget.Button
	message   *widget.Label
	dlg       dialog.Dialog
	again     *widget.Button // the second confirmation's button, once shown
	againDlg  dialog.Dialog
	win       fyne.Window
	question  string
	do        func(remarks string) error
	succeeded bool
}

func newRemarksDialog(win fyne.Window, title, explain, confirmText, question string, do func(string) error) *remarksDialog {
	r := &remarksDialog{win: win, question: question, do: do, remarks: widget.NewMultiLineEntry(), message: widget.NewLabel("")}
	r.remarks.SetPlaceHolder("Operation remarks, e.g. Duplicate user request, Incorrect address")
	r.remarks.SetMinRowsVisible(3)
	r.message.Wrapping = fyne.TextWrapWord
	r.confirm = widget.NewButton(confirmText, r.onConfirmTapped)
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
	info := widget.NewLabel(explain)
	info.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(info, widget.NewLabel("Remarks (required)"), r.remarks, r.message, container.NewHBox(r.back, r.confirm))
	r.dlg = dialog.NewCustomWithoutButtons(title, container.NewGridWrap(fyne.NewSize(520, 260), content), win)
	r.dlg.Show()
	win.Canvas().Focus(r.remarks)
	return r
}

// onConfirmTapped asks the second confirmation the guide requires.
func (r *remarksDialog) onConfirmTapped() {
	if strings.TrimSpace(r.remarks.Text) == "" {
		return
	}
	r.again = widget.NewButton("Yes, confirm", r.onConfirmAgainTapped)
	r.again.Importance = widget.DangerImportance
	no := widget.NewButton("No", func() { r.againDlg.Hide() })
	q := widget.NewLabel(r.question + "\n\nRemarks: " + strings.TrimSpace(r.remarks.Text))
	q.Wrapping = fyne.TextWrapWord
	r.againDlg = dialog.NewCustomWithoutButtons("Please confirm again", container.NewGridWrap(fyne.NewSize(460, 160),
		container.NewVBox(q, container.NewHBox(no, r.again))), r.win)
	r.againDlg.Show()
}

func (r *remarksDialog) onConfirmAgainTapped() {
	r.againDlg.Hide()
	if err := r.do(strings.TrimSpace(r.remarks.Text)); err != nil {
		r.message.SetText(errorText(err))
		return
	}
	r.succeeded = true
	r.dlg.Hide()
}

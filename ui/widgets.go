package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// enable enables b when on, disables it otherwise.
func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// hideUnless hides buttons the operator may not use (can is false); the
// Service would refuse their action anyway.
func hideUnless(can bool, buttons ...*widget.Button) {
	if can {
		return
	}
	for _, b := range buttons {
		b.Hide()
	}
}

// wrapped is a label whose text wraps at word boundaries.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// confirmAgain is the guide's second confirmation: question, No, and yes,
// which runs onYes. It returns the yes button, for tests.
func confirmAgain(win fyne.Window, question, yes string, onYes func()) *widget.Button {
	var d dialog.Dialog
	yesBtn := widget.NewButton(yes, func() { d.Hide(); onYes() })
	yesBtn.Importance = widget.DangerImportance
	no := widget.NewButton("No", func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons("Please confirm again", container.NewGridWrap(fyne.NewSize(460, 160),
		container.NewVBox(wrapped(question), container.NewHBox(no, yesBtn))), win)
	d.Show()
	return yesBtn
}

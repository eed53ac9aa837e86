package ui

import (
	"fyne.io/fyne/v2"
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

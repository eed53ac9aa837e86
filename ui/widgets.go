package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
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

// reasonLine is the line under a page's buttons that says why the greyed
// out ones are, wrapped. Not in italics: Fyne loads a system font for each
// text style a window uses, and italics cost the desk 5 MB (decision 72).
func reasonLine() *widget.Label {
	return wrapped("")
}

// caption is a field's name above or beside it, in the theme's caption
// size: set apart from the operator's input without a style of its own
// (decision 72).
func caption(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// labeled is o with its caption above it: a filter field of the records,
// addresses, audit and refunds pages.
func labeled(text string, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(caption(text), nil, nil, nil, o)
}

// messageArea holds a dialog's message line (a refusal, a node's timeout
// naming a 64-digit TXID) at lines lines high: a longer message wraps and
// scrolls inside it instead of pushing the dialog's buttons out.
func messageArea(l *widget.Label, lines int) fyne.CanvasObject {
	l.Wrapping = fyne.TextWrapWord
	s := container.NewVScroll(l)
	line := fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{}).Height + theme.LineSpacing()
	s.SetMinSize(fyne.NewSize(0, float32(lines)*line+2*theme.InnerPadding()))
	return s
}

// escEntry is an entry that hands Escape to its dialog. A focused widget
// gets every key, so the window's key handler never hears an Escape typed
// into a dialog's entry.
type escEntry struct {
	widget.Entry
	onEscape func()
}

func newEscEntry(placeholder string) *escEntry {
	e := &escEntry{}
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder(placeholder)
	return e
}

func newEscMultiLineEntry(placeholder string) *escEntry {
	e := newEscEntry(placeholder)
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

// TypedKey implements fyne.Focusable.
func (e *escEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// closeOnEscape makes Escape tap back (the dialog's Close, Back or No)
// while d is open, unless back is disabled because the dialog waits for an
// answer. The window's own key handler gets every other key, and gets
// Escape back once d closes; a dialog opened over d takes Escape until it
// closes in turn.
func closeOnEscape(win fyne.Window, d dialog.Dialog, back *widget.Button, entries ...*escEntry) {
	c := win.Canvas()
	prev := c.OnTypedKey()
	escape := func() {
		if !back.Disabled() && back.OnTapped != nil {
			back.OnTapped()
		}
	}
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			escape()
		} else if prev != nil {
			prev(k)
		}
	})
	for _, e := range entries {
		e.onEscape = escape
	}
	d.SetOnClosed(func() { c.SetOnTypedKey(prev) })
}

// confirmAgain is the guide's second confirmation: question, No, and yes,
// which runs onYes. It returns the yes button, for tests. A long question
// (remarks are quoted in it) scrolls above the buttons; Escape is No.
func confirmAgain(win fyne.Window, question, yes string, onYes func()) *widget.Button {
	var d dialog.Dialog
	yesBtn := widget.NewButton(yes, func() { d.Hide(); onYes() })
	yesBtn.Importance = widget.DangerImportance
	no := widget.NewButton("No", func() { d.Hide() })
	content := container.NewBorder(nil, container.NewHBox(no, yesBtn), nil, nil, container.NewVScroll(wrapped(question)))
	d = dialog.NewCustomWithoutButtons("Please confirm again", container.NewGridWrap(fyne.NewSize(500, 200), content), win)
	closeOnEscape(win, d, no)
	d.Show()
	return yesBtn
}

// heightAt is how high o is when laid out width wide: wrapped labels are
// taller in a narrower dialog than their MinSize says before layout.
func heightAt(o fyne.CanvasObject, width float32) float32 {
	o.Resize(fyne.NewSize(width, o.MinSize().Height))
	return o.MinSize().Height
}

// newMessageDialog is a dialog of top, then message, then buttons, width
// wide and high enough for all three: the message gets a few lines of its
// own that wrap and scroll, so a long refusal never pushes the buttons out
// of the dialog.
func newMessageDialog(win fyne.Window, title string, width float32, top fyne.CanvasObject, message *widget.Label,
	buttons ...fyne.CanvasObject) dialog.Dialog {
	row := container.NewHBox(buttons...)
	area := messageArea(message, 3)
	height := heightAt(top, width) + area.MinSize().Height + row.MinSize().Height + 2*theme.Padding()
	content := container.NewBorder(top, row, nil, nil, area)
	return dialog.NewCustomWithoutButtons(title, container.NewGridWrap(fyne.NewSize(width, height), content), win)
}

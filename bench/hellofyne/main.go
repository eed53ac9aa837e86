// Command hellofyne is the smallest Fyne program: one window with a label
// and an entry. bench/desktop.sh measures it under the same Xvfb and GL
// stack as the desk, so the desk's memory and start are read beside what
// any Fyne window costs on the machine (Mesa, X, fonts, the Go runtime).
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("com.depositdesk.hellofyne")
	w := a.NewWindow("Hello Fyne")
	entry := widget.NewEntry()
	entry.SetPlaceHolder("Type here")
	w.SetContent(container.NewVBox(widget.NewLabel("Hello, Fyne."), entry))
	// The desk's window size: the same framebuffer for GL to fill.
	w.Resize(fyne.NewSize(1280, 800))
	w.ShowAndRun()
}

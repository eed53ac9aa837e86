package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// flowLayout places objects left to right at their minimum size and
// starts a new line when the next would pass the right edge, so a header
// or a row of buttons that fits 1280 px wraps at 1024 px instead of
// running off the window. Fyne asks a layout's minimum size before its
// width is known: the layout remembers the width it was last given and
// answers the height it needs there, and asks its container to lay out
// again when a new width changes the number of lines.
type flowLayout struct {
	width    float32 // the width of the last Layout; 0 before
	height   float32 // the height the objects need at that width
	relayout func()
}

// newFlow is a container of objects in a flowLayout.
func newFlow(objects ...fyne.CanvasObject) *fyne.Container {
	l := &flowLayout{}
	c := container.New(l, objects...)
	l.relayout = func() {
		// The window lays out from the top again with the new minimum.
		if cv := fyne.CurrentApp().Driver().CanvasForObject(c); cv != nil {
			cv.Content().Refresh()
		}
	}
	return c
}

// place positions objects within width (when move) and returns the height
// they take.
func (l *flowLayout) place(objects []fyne.CanvasObject, width float32, move bool) float32 {
	pad := theme.Padding()
	x, y, line := float32(0), float32(0), float32(0)
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		size := o.MinSize()
		if x > 0 && x+size.Width > width {
			x, y, line = 0, y+line+pad, 0
		}
		if move {
			o.Move(fyne.NewPos(x, y))
			o.Resize(size)
		}
		x += size.Width + pad
		line = max(line, size.Height)
	}
	return y + line
}

func (l *flowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	h := l.place(objects, size.Width, true)
	changed := h != l.height
	l.width, l.height = size.Width, h
	if changed && l.relayout != nil {
		l.relayout()
	}
}

// MinSize is as wide as the widest object, and as high as the objects are
// at the last width (on one line before the first layout).
func (l *flowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	w := float32(0)
	for _, o := range objects {
		if o.Visible() {
			w = max(w, o.MinSize().Width)
		}
	}
	width := l.width
	if width == 0 {
		width = float32(1 << 20)
	}
	return fyne.NewSize(w, l.place(objects, width, false))
}

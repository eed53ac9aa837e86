package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tableColumn is one column of a page's table of T.
type tableColumn[T any] struct {
	title  string // up to two lines ("Securities\nAccount")
	sample string // the widest usual value; the column fits it and the title
	text   func(T) string
}

// newTable is a page's table: a header row of column titles, cells a label
// high, columns sized to their text. rows returns what is on screen now.
func newTable[T any](cols []tableColumn[T], rows func() []T, onSelected func(row int)) *widget.Table {
	t := &widget.Table{}
	t.ExtendBaseWidget(t)
	configureTable(t, cols, rows, onSelected)
	return t
}

// configureTable makes t a page's table of cols (see newTable).
func configureTable[T any](t *widget.Table, cols []tableColumn[T], rows func() []T, onSelected func(row int)) {
	t.Length = func() (int, int) { return len(rows()), len(cols) }
	t.CreateCell = func() fyne.CanvasObject { return newCell(false) }
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) { setCell(o, cols[id.Col].text(rows()[id.Row])) }
	t.ShowHeaderRow = true
	t.CreateHeader = newHeaderCell
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 {
			setHeaderCell(o, cols[id.Col].title)
		}
	}
	for i, c := range cols {
		t.SetColumnWidth(i, columnWidth(c.title, c.sample))
	}
	t.OnSelected = func(id widget.TableCellID) { onSelected(id.Row) }
}

// oneLineRows keeps the first n rows one line high; they would otherwise
// take the two-line header's height.
func oneLineRows(t *widget.Table, n int) {
	h := newCell(false).MinSize().Height
	for i := range n {
		t.SetRowHeight(i, h)
	}
}

// newCell is a table cell: a label's text and row height with half its side
// padding, so eleven columns fit the window.
func newCell(bold bool) fyne.CanvasObject {
	pad := theme.InnerPadding()
	return container.New(layout.NewCustomPaddedLayout(pad, pad, pad/2, pad/2), cellText(bold))
}

func cellText(bold bool) *canvas.Text {
	txt := canvas.NewText("template text", theme.Color(theme.ColorNameForeground))
	txt.TextSize = theme.TextSize()
	txt.TextStyle.Bold = bold
	return txt
}

// newHeaderCell holds a title of up to two lines ("Securities\nAccount").
func newHeaderCell() fyne.CanvasObject {
	pad := theme.InnerPadding()
	return container.New(layout.NewCustomPaddedLayout(pad/2, pad/2, pad/2, pad/2),
		container.New(layout.NewGridLayoutWithRows(2), cellText(true), cellText(true)))
}

func setHeaderCell(o fyne.CanvasObject, title string) {
	first, second, _ := strings.Cut(title, "\n")
	lines := o.(*fyne.Container).Objects[0].(*fyne.Container).Objects
	for i, s := range []string{first, second} {
		txt := lines[i].(*canvas.Text)
		txt.Text, txt.Color = s, theme.Color(theme.ColorNameForeground)
		txt.Refresh()
	}
}

func setCell(o fyne.CanvasObject, s string) {
	txt := o.(*fyne.Container).Objects[0].(*canvas.Text)
	txt.Text = s
	txt.Color = theme.Color(theme.ColorNameForeground)
	txt.Refresh()
}

func columnWidth(title, sample string) float32 {
	size := theme.TextSize()
	w := fyne.MeasureText(sample, size, fyne.TextStyle{}).Width
	for _, line := range strings.Split(title, "\n") {
		w = max(w, fyne.MeasureText(line, size, fyne.TextStyle{Bold: true}).Width)
	}
	return float32(int(w+theme.InnerPadding())) + 2
}

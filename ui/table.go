package ui

import (
	"cmp"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
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
// high, columns sized to their text. rows returns what is on screen now. A
// text wider than its column ends in "…".
func newTable[T any](cols []tableColumn[T], rows func() []T, onSelected func(row int)) *widget.Table {
	return newHoverTable(cols, rows, onSelected, nil)
}

// newHoverTable is newTable whose cut-short cells tell onHover their
// column's title and whole text while the pointer is over them, and ""
// for both when it leaves.
func newHoverTable[T any](cols []tableColumn[T], rows func() []T, onSelected func(row int), onHover func(title, full string)) *widget.Table {
	t := &widget.Table{}
	t.ExtendBaseWidget(t)
	configureTable(t, cols, rows, onSelected, onHover)
	return t
}

// hoverInto is an onHover that says the whole text on line l.
func hoverInto(l *widget.Label) func(title, full string) {
	return func(title, full string) {
		if full == "" {
			l.SetText("")
		} else {
			l.SetText(title + ": " + full)
		}
	}
}

// configureTable makes t a page's table of cols (see newHoverTable).
func configureTable[T any](t *widget.Table, cols []tableColumn[T], rows func() []T, onSelected func(row int), onHover func(title, full string)) {
	var hover func(col int, full string)
	if onHover != nil {
		hover = func(col int, full string) {
			if full == "" {
				onHover("", "")
				return
			}
			onHover(strings.ReplaceAll(cols[col].title, "\n", " "), full)
		}
	}
	t.Length = func() (int, int) { return len(rows()), len(cols) }
	t.CreateCell = func() fyne.CanvasObject { return newCell(hover) }
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		setCell(o, id.Col, cols[id.Col].text(rows()[id.Row]))
	}
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

// fitColumns sizes t's columns to what rows hold: each as wide as its
// widest text, within its title and its sample (a column does not grow
// past the widest usual value for one unusual one). Width the table has
// left over goes to the columns whose texts are still cut short, the
// nearest to whole first. It returns the widths it set.
func fitColumns[T any](t *widget.Table, cols []tableColumn[T], rows []T) []float32 {
	widths, wants := make([]float32, len(cols)), make([]float32, len(cols))
	var total float32
	for i, c := range cols {
		content := float32(0)
		for _, r := range rows {
			content = max(content, textWidth(c.text(r)))
		}
		title := columnWidth(c.title, "")
		widths[i] = max(title, min(content, columnWidth("", c.sample)))
		wants[i] = max(widths[i], content)
		total += widths[i]
	}
	spare := t.Size().Width - total - float32(len(cols))*theme.Padding()
	order := make([]int, len(cols))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(wants[a]-widths[a], wants[b]-widths[b]) })
	for _, i := range order {
		if spare <= 0 {
			break
		}
		grow := min(spare, wants[i]-widths[i])
		widths[i] += grow
		spare -= grow
	}
	for i, w := range widths {
		t.SetColumnWidth(i, w)
	}
	return widths
}

// textWidth is how wide a cell must be to show s whole.
func textWidth(s string) float32 { return columnWidth("", s) }

// oneLineRows keeps the first n rows one line high; they would otherwise
// take the two-line header's height.
func oneLineRows(t *widget.Table, n int) {
	h := newCell(nil).MinSize().Height
	for i := range n {
		t.SetRowHeight(i, h)
	}
}

// tableCell is one cell's text, a label high with half a label's side
// padding (so eleven columns fit the window), cut short with "…" when its
// column is narrower than the text.
type tableCell struct {
	widget.BaseWidget
	col     int
	full    string
	text    *canvas.Text
	onHover func(col int, full string)
}

// hoverCell is a tableCell that says its whole text when hovered while
// cut short. (A plain tableCell is no hover target, so the table keeps
// highlighting the row under the pointer.)
type hoverCell struct{ tableCell }

func newCell(onHover func(col int, full string)) fyne.CanvasObject {
	if onHover != nil {
		h := &hoverCell{tableCell{text: cellText(false), onHover: onHover}}
		h.ExtendBaseWidget(h)
		return h
	}
	c := &tableCell{text: cellText(false)}
	c.ExtendBaseWidget(c)
	return c
}

// MouseIn implements desktop.Hoverable.
func (c *hoverCell) MouseIn(*desktop.MouseEvent) {
	if c.cut() {
		c.onHover(c.col, c.full)
	}
}

// MouseMoved implements desktop.Hoverable.
func (c *hoverCell) MouseMoved(*desktop.MouseEvent) {}

// MouseOut implements desktop.Hoverable.
func (c *hoverCell) MouseOut() { c.onHover(c.col, "") }

// cut says whether the cell shows less than its whole text.
func (c *tableCell) cut() bool { return c.text.Text != c.full }

func (c *tableCell) CreateRenderer() fyne.WidgetRenderer { return &cellRenderer{c} }

type cellRenderer struct{ c *tableCell }

func (r *cellRenderer) Layout(size fyne.Size) {
	pad := theme.InnerPadding()
	avail := size.Width - pad
	r.c.text.Text = fit(r.c.full, avail, r.c.text.TextSize, r.c.text.TextStyle)
	r.c.text.Move(fyne.NewPos(pad/2, pad))
	r.c.text.Resize(fyne.NewSize(max(avail, 0), size.Height-2*pad))
}

func (r *cellRenderer) MinSize() fyne.Size {
	pad := theme.InnerPadding()
	return fyne.NewSize(textWidth("…"), r.c.text.MinSize().Height+2*pad)
}

func (r *cellRenderer) Refresh() {
	r.c.text.Color = theme.Color(theme.ColorNameForeground)
	r.Layout(r.c.Size())
	r.c.text.Refresh()
}

func (r *cellRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.c.text} }
func (r *cellRenderer) Destroy()                     {}

// fit is s when it fits width, else its longest beginning that fits with
// "…" after it.
func fit(s string, width, size float32, style fyne.TextStyle) string {
	if fyne.MeasureText(s, size, style).Width <= width {
		return s
	}
	runes := []rune(s)
	lo, hi := 0, len(runes) // the answer keeps lo runes: lo fits, hi does not
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if fyne.MeasureText(string(runes[:mid])+"…", size, style).Width <= width {
			lo = mid
		} else {
			hi = mid
		}
	}
	return strings.TrimRight(string(runes[:lo]), " ") + "…"
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

// setCell gives a cell of newCell, in column col, its text.
func setCell(o fyne.CanvasObject, col int, s string) {
	c := asCell(o)
	c.col, c.full = col, s
	c.Refresh()
}

// cellFull and cellShown are a cell's whole text and what it shows.
func cellFull(o fyne.CanvasObject) string  { return asCell(o).full }
func cellShown(o fyne.CanvasObject) string { return asCell(o).text.Text }

func asCell(o fyne.CanvasObject) *tableCell {
	if h, ok := o.(*hoverCell); ok {
		return &h.tableCell
	}
	return o.(*tableCell)
}

func columnWidth(title, sample string) float32 {
	size := theme.TextSize()
	w := fyne.MeasureText(sample, size, fyne.TextStyle{}).Width
	for _, line := range strings.Split(title, "\n") {
		w = max(w, fyne.MeasureText(line, size, fyne.TextStyle{Bold: true}).Width)
	}
	return float32(int(w+theme.InnerPadding())) + 2
}

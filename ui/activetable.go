package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// activeTable is a page's table whose rows open: Enter on the focused row
// or a double click on any row activates it (the records page opens its
// Details), and the titles of sortable columns are buttons.
type activeTable struct {
	widget.Table
	onActivate func(row int)
	selected   func() int // the selected row, -1 for none
}

// newActiveTable is newHoverTable (see there) with rows that open:
// onActivate gets the row. onHeader, when set, gets the column whose title
// was tapped and title gives each column's title as it stands (a sort
// mark).
func newActiveTable[T any](cols []tableColumn[T], rows func() []T, onSelected, onActivate func(row int),
	onHover func(title, full string), onHeader func(col int), title func(col int) string) *activeTable {
	t := &activeTable{onActivate: onActivate}
	t.ExtendBaseWidget(t)
	selected := -1
	configureTable(&t.Table, cols, rows, func(row int) {
		selected = row
		onSelected(row)
	}, onHover)
	t.OnUnselected = func(widget.TableCellID) { selected = -1 }
	t.selected = func() int { return selected }
	if onHeader != nil {
		t.CreateHeader = func() fyne.CanvasObject { return newHeaderButton(onHeader) }
		t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < 0 && id.Col >= 0 {
				h := o.(*headerButton)
				h.col = id.Col
				setHeaderCell(h.cell, title(id.Col))
			}
		}
	}
	return t
}

// TypedKey opens the focused row on Enter (selecting it first, as Space
// does); other keys move and select as in any table.
func (t *activeTable) TypedKey(e *fyne.KeyEvent) {
	if e.Name != fyne.KeyReturn && e.Name != fyne.KeyEnter {
		t.Table.TypedKey(e)
		return
	}
	t.Table.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if row := t.selected(); row >= 0 {
		t.onActivate(row)
	}
}

// DoubleTapped selects the row under the pointer and opens it.
func (t *activeTable) DoubleTapped(e *fyne.PointEvent) {
	t.Tapped(e)
	if row := t.selected(); row >= 0 {
		t.onActivate(row)
	}
}

// headerButton is a column title that can be tapped (to sort by it).
type headerButton struct {
	widget.BaseWidget
	cell  fyne.CanvasObject
	col   int
	onTap func(col int)
}

func newHeaderButton(onTap func(col int)) *headerButton {
	h := &headerButton{cell: newHeaderCell(), onTap: onTap}
	h.ExtendBaseWidget(h)
	return h
}

func (h *headerButton) Tapped(*fyne.PointEvent) { h.onTap(h.col) }

func (h *headerButton) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(h.cell) }

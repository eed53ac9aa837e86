package ui

import (
	"time"

	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// typePause is how long the records page waits after the last keystroke
// in a filter before it searches: not a search per letter of a record
// number, yet no Search button needed.
const typePause = 400 * time.Millisecond

func (p *recordsPage) onSearchTapped() {
	p.onActivity()
	p.load(nil, nil, "")
}

// search runs the current filters from the first page.
func (p *recordsPage) search() { p.onSearchTapped() }

// filterTyped searches once the operator pauses typing in a filter; the
// found line says the rows are the old filter's meanwhile.
func (p *recordsPage) filterTyped() {
	p.onActivity()
	p.found.SetText("Filters changed: searching when you pause typing…")
	p.typing.stop(p.w)
	p.typing.after(p.w, p.typePause, p.search)
}

// filterChosen searches at once: a choice is not typed letter by letter.
func (p *recordsPage) filterChosen() {
	if !p.quiet {
		p.onSearchTapped()
	}
}

func (p *recordsPage) onResetTapped() {
	p.clearFilters(allOption)
	p.onSearchTapped()
}

// clearFilters empties the filters but status, without searching.
func (p *recordsPage) clearFilters(status string) {
	p.quiet = true
	for _, e := range []*widget.Entry{p.recordNo, p.customerNo, p.account, p.txid, p.from, p.to} {
		e.SetText("")
	}
	p.asset.SetSelected(allOption)
	p.status.SetSelected(status)
	p.quiet = false
}

// sortColumns are the columns whose title sorts the table, newest first,
// by their time: Record No by creation, Request Time by request.
var sortColumns = map[int]core.DepositOrder{0: core.OrderCreated, 8: core.OrderRequested}

// columnTitle is column col's title, marked ▼ when the page is sorted by it.
func (p *recordsPage) columnTitle(col int) string {
	title := recordColumns[col].title
	if o, ok := sortColumns[col]; ok && o.ByRequest() == p.order.ByRequest() {
		title += " ▼"
	}
	return title
}

// onHeaderTapped sorts by the tapped column's time, from the first page.
func (p *recordsPage) onHeaderTapped(col int) {
	o, ok := sortColumns[col]
	if !ok || o.ByRequest() == p.order.ByRequest() {
		return
	}
	p.order = o
	p.table.Refresh()
	p.onSearchTapped()
}

// showStatus searches the records in status alone, the other filters
// cleared: the Home page's Held for Review queue.
func (p *recordsPage) showStatus(s core.DepositStatus) {
	p.clearFilters(s.Display())
	p.onSearchTapped()
}

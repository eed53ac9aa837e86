package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// depositList is a table of deposit records paged by keyset and kept live:
// what Deposit Records and Deposit Application share. The page owning it
// says what to search for (filterFunc) and what follows a new page or
// selection (shownFunc).
type depositList struct {
	w   *worker
	svc *core.Service

	table                    *activeTable
	prevBtn, nextBtn         *widget.Button
	pageInfo, message, found *widget.Label // found: searching, or what the last search found and when
	hover                    *widget.Label // the whole text of the cut-short cell under the pointer

	records  []*core.DepositRecord
	next     *core.DepositCursor
	cursors  []*core.DepositCursor // cursor that opened each page; nil for the first
	selected int
	applied  *core.DepositFilter // the filter of the page on screen, not what the fields say now
	quiet    bool                // selecting on the operator's behalf, not their activity
	reads    lane                // the list's searches and reloads
	counts   lane                // the counts of matches
	stale    bool                // a change was announced while a read was in flight
	live     spaced              // reloads for changes elsewhere, a live gap apart
	clock    func() time.Time    // the time the found line says

	// filterFunc reads the owning page's filter for a new search; an error
	// is the operator's to read.
	filterFunc func() (core.DepositFilter, error)
	// controls are the owning page's controls that start a search, held
	// with paging while one runs.
	controls []fyne.Disableable
	// shownFunc runs after the page on screen or its selection changed.
	shownFunc func()
	// activityFunc counts the operator's selecting and paging against the
	// idle lock.
	activityFunc func()
	// activateFunc opens a row: Enter on it, or a double click.
	activateFunc func(row int)
	// headerFunc, when set, gets the column whose title was tapped, and
	// titleFunc gives the titles as they stand (a sort mark).
	headerFunc func(col int)
	titleFunc  func(col int) string
}

func newDepositList(w *worker, svc *core.Service, cols []tableColumn[*core.DepositRecord]) *depositList {
	l := &depositList{w: w, svc: svc, selected: -1, shownFunc: func() {}, activityFunc: func() {}, activateFunc: func(int) {},
		pageInfo: widget.NewLabel(""), message: widget.NewLabel(""), found: widget.NewLabel(""), hover: widget.NewLabel(""),
		live: spaced{gap: core.LiveGap}, clock: time.Now}
	l.message.Wrapping = fyne.TextWrapWord
	l.hover.Truncation = fyne.TextTruncateEllipsis
	l.prevBtn = widget.NewButton("‹ Previous", l.onPrevTapped)
	l.nextBtn = widget.NewButton("Next ›", l.onNextTapped)
	l.table = newActiveTable(cols, func() []*core.DepositRecord { return l.records }, func(row int) {
		if !l.quiet {
			l.activityFunc()
		}
		l.selected = row
		l.shownFunc()
	}, func(row int) { l.activateFunc(row) }, hoverInto(l.hover), func(col int) {
		if l.headerFunc != nil {
			l.headerFunc(col)
		}
	}, func(col int) string {
		if l.titleFunc != nil {
			return l.titleFunc(col)
		}
		return cols[col].title
	})
	oneLineRows(&l.table.Table, core.DefaultPageSize)
	return l
}

func (l *depositList) onNextTapped() {
	l.activityFunc()
	if l.next != nil {
		l.load(l.cursors, l.next, "")
	}
}

func (l *depositList) onPrevTapped() {
	l.activityFunc()
	if len(l.cursors) < 2 {
		return
	}
	n := len(l.cursors)
	l.load(l.cursors[:n-2], l.cursors[n-2], "")
}

// notSearched is what the found line says when a search was refused.
const notSearched = "Not searched: the rows below are the previous search's."

// load searches with the page's filter for the page that starts after
// cursor (nil: the first page), back being the cursors of the pages before
// it, and shows note once the page is on screen. A refused search leaves
// the page on screen as it was, and the found line says so.
func (l *depositList) load(back []*core.DepositCursor, after *core.DepositCursor, note string) {
	f, err := l.filterFunc()
	if err != nil {
		l.message.SetText(errorText(err))
		l.found.SetText(notSearched)
		return
	}
	f.After = after
	l.counts.drop()
	l.found.SetText("Searching…")
	run(l.w, task[core.DepositPage]{
		controls: append([]fyne.Disableable{l.prevBtn, l.nextBtn}, l.controls...),
		lane:     &l.reads,
		call:     func(ctx context.Context) (core.DepositPage, error) { return l.svc.SearchDeposits(ctx, f) },
		done: func(page core.DepositPage, err error) {
			defer l.reloadIfStale()
			if err != nil {
				l.message.SetText(errorText(err))
				l.found.SetText(notSearched)
				return
			}
			applied := f
			applied.After = nil
			l.applied = &applied
			l.cursors = append(back[:len(back):len(back)], after)
			l.records, l.next = page.Records, page.Next
			l.message.SetText(note)
			l.selected = -1
			l.table.UnselectAll()
			l.table.ScrollToTop()
			l.table.Refresh()
			l.showPager()
			l.found.SetText(l.matches() + " · searched " + l.clock().Format("15:04:05"))
			l.shown()
			l.count(f, "searched")
		},
	})
}

// matches says how many records the search found, as far as the page on
// screen tells: the whole count when the search fits one page.
func (l *depositList) matches() string {
	n := len(l.records)
	switch {
	case n == 0:
		return "No records match"
	case len(l.cursors) == 1 && l.next == nil && n == 1:
		return "1 record matches"
	case len(l.cursors) == 1 && l.next == nil:
		return fmt.Sprintf("%d records match", n)
	}
	return "Counting the records that match…"
}

// count asks how many records the search of f matches beyond the page on
// screen and says it on the found line; a search that fits one page needs
// no asking.
func (l *depositList) count(f core.DepositFilter, when string) {
	if len(l.cursors) == 1 && l.next == nil {
		return
	}
	run(l.w, task[core.DepositCount]{
		lane: &l.counts,
		call: func(ctx context.Context) (core.DepositCount, error) { return l.svc.CountDeposits(ctx, f) },
		done: func(c core.DepositCount, err error) {
			if err != nil {
				return // the page is on screen; only its count is missing
			}
			what := c.String() + " records match"
			if c == (core.DepositCount{N: 1}) {
				what = "1 record matches"
			}
			l.found.SetText(what + " · " + when + " " + l.clock().Format("15:04:05"))
		},
	})
}

// showPager says which page and records are on screen.
func (l *depositList) showPager() {
	page := max(len(l.cursors), 1)
	first := (page - 1) * core.DefaultPageSize
	switch {
	case len(l.records) == 0 && page == 1:
		l.pageInfo.SetText("No records match")
	case len(l.records) == 0:
		l.pageInfo.SetText(fmt.Sprintf("Page %d · no further records", page))
	default:
		l.pageInfo.SetText(fmt.Sprintf("Page %d · %d per page · records %d–%d", page, core.DefaultPageSize, first+1, first+len(l.records)))
	}
}

// refresh reloads the page on screen after a change and then says note.
func (l *depositList) refresh(note string) {
	n := len(l.cursors)
	if n == 0 {
		l.load(nil, nil, note)
		return
	}
	l.load(l.cursors[:n-1], l.cursors[n-1], note)
}

func (l *depositList) current() *core.DepositRecord {
	if l.selected < 0 || l.selected >= len(l.records) {
		return nil
	}
	return l.records[l.selected]
}

// shown enables paging for the page on screen and tells the owning page.
func (l *depositList) shown() {
	enable(l.prevBtn, len(l.cursors) > 1)
	enable(l.nextBtn, l.next != nil)
	l.shownFunc()
}

// shows says whether recordNo ("*": any record) is on the page on screen.
func (l *depositList) shows(recordNo string) bool {
	for _, r := range l.records {
		if recordNo == "*" || r.RecordNo == recordNo {
			return true
		}
	}
	return false
}

// reloadFor reloads the page after recordNo ("*": any record) changed
// elsewhere, when the record is on it or could join it (the first page,
// where new records arrive), at most once per live gap; changes
// announced meanwhile join the reload.
func (l *depositList) reloadFor(recordNo string) {
	if recordNo != "*" && len(l.cursors) != 1 && !l.shows(recordNo) {
		return
	}
	l.live.do(l.w, l.reloadInPlace)
}

// reloadInPlace reads the page on screen again with the filter it was
// searched with (not whatever the operator is typing now) and keeps the
// selected record selected, so a change elsewhere never pulls the record
// out from under an operator about to act on it. While a read is in
// flight it waits for it: a reload started now would supersede a search
// the operator asked for with the filter of the page it replaces.
func (l *depositList) reloadInPlace() {
	if l.applied == nil {
		return
	}
	if l.reads.busy() {
		l.stale = true
		return
	}
	f := *l.applied
	f.After = l.cursors[len(l.cursors)-1]
	l.counts.drop()
	run(l.w, task[core.DepositPage]{
		lane: &l.reads,
		call: func(ctx context.Context) (core.DepositPage, error) { return l.svc.SearchDeposits(ctx, f) },
		done: func(page core.DepositPage, err error) {
			defer l.reloadIfStale()
			if err != nil {
				l.message.SetText(errorText(err))
				return
			}
			keep := ""
			if d := l.current(); d != nil {
				keep = d.RecordNo
			}
			l.records, l.next = page.Records, page.Next
			l.selected = -1
			l.quiet = true
			l.table.UnselectAll()
			l.table.Refresh()
			for i, r := range l.records {
				if r.RecordNo == keep {
					l.table.Select(widget.TableCellID{Row: i, Col: 0})
				}
			}
			l.quiet = false
			l.showPager()
			l.found.SetText(l.matches() + " · updated " + l.clock().Format("15:04:05"))
			l.shown()
			l.count(f, "updated")
		},
	})
}

// reloadIfStale reloads for a change announced while a read was in
// flight, which that read may have missed.
func (l *depositList) reloadIfStale() {
	if l.stale && !l.reads.busy() {
		l.stale = false
		l.reloadInPlace()
	}
}

package ui

import (
	"context"
	"fmt"

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

	table             *widget.Table
	prevBtn, nextBtn  *widget.Button
	pageInfo, message *widget.Label

	records  []*core.DepositRecord
	next     *core.DepositCursor
	cursors  []*core.DepositCursor // cursor that opened each page; nil for the first
	selected int
	applied  *core.DepositFilter // the filter of the page on screen, not what the fields say now
	quiet    bool                // selecting on the operator's behalf, not their activity
	reads    lane                // the list's searches and reloads
	stale    bool                // a change was announced while a read was in flight

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
}

func newDepositList(w *worker, svc *core.Service, cols []tableColumn[*core.DepositRecord]) *depositList {
	l := &depositList{w: w, svc: svc, selected: -1, shownFunc: func() {}, activityFunc: func() {},
		pageInfo: widget.NewLabel(""), message: widget.NewLabel("")}
	l.message.Wrapping = fyne.TextWrapWord
	l.prevBtn = widget.NewButton("‹ Previous", l.onPrevTapped)
	l.nextBtn = widget.NewButton("Next ›", l.onNextTapped)
	l.table = newTable(cols, func() []*core.DepositRecord { return l.records }, func(row int) {
		if !l.quiet {
			l.activityFunc()
		}
		l.selected = row
		l.shownFunc()
	})
	oneLineRows(l.table, core.DefaultPageSize)
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

// load searches with the page's filter for the page that starts after
// cursor (nil: the first page), back being the cursors of the pages before
// it, and shows note once the page is on screen. A refused search leaves
// the page on screen as it was.
func (l *depositList) load(back []*core.DepositCursor, after *core.DepositCursor, note string) {
	f, err := l.filterFunc()
	if err != nil {
		l.message.SetText(errorText(err))
		return
	}
	f.After = after
	run(l.w, task[core.DepositPage]{
		controls: append([]fyne.Disableable{l.prevBtn, l.nextBtn}, l.controls...),
		line:     l.message,
		lane:     &l.reads,
		call:     func(ctx context.Context) (core.DepositPage, error) { return l.svc.SearchDeposits(ctx, f) },
		done: func(page core.DepositPage, err error) {
			defer l.reloadIfStale()
			if err != nil {
				l.message.SetText(errorText(err))
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
			l.table.Refresh()
			first := (len(l.cursors) - 1) * core.DefaultPageSize
			switch {
			case len(l.records) == 0:
				l.pageInfo.SetText("No records match")
			default:
				l.pageInfo.SetText(fmt.Sprintf("Page %d · %d per page · records %d–%d", len(l.cursors), core.DefaultPageSize, first+1, first+len(l.records)))
			}
			l.shown()
		},
	})
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
			l.table.UnselectAll()
			l.table.Refresh()
			for i, r := range l.records {
				if r.RecordNo == keep {
					l.quiet = true
					l.table.Select(widget.TableCellID{Row: i, Col: 0})
					l.quiet = false
				}
			}
			l.shown()
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

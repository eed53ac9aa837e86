package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// Pauses of the records page.
const (
	// typePause is how long the page waits after the last keystroke in a
	// filter before it searches: not a search per letter of a record
	// number, yet no Search button needed.
	typePause = 400 * time.Millisecond
	// liveGap is the least time between two reloads for changes made
	// elsewhere: a busy intake announces many records a second.
	liveGap = time.Second
)

// later is a call the page will start after a pause: a search once the
// operator stops typing, a reload once the live gap has passed. Until it
// starts it counts as a call in flight, so tests wait for it as for any.
type later struct {
	timer *time.Timer
}

// after schedules f on the Fyne thread after d unless one is scheduled.
func (l *later) after(w *worker, d time.Duration, f func()) {
	if l.timer != nil {
		return
	}
	w.calls.started()
	l.timer = time.AfterFunc(d, func() {
		fyne.Do(func() {
			defer w.calls.finished()
			l.timer = nil
			f()
		})
	})
}

// stop drops the scheduled call, if it has not started.
func (l *later) stop(w *worker) {
	if l.timer != nil && l.timer.Stop() {
		l.timer = nil
		w.calls.finished()
	}
}

func (p *recordsPage) onSearchTapped() {
	p.onActivity()
	p.load(nil, nil, "")
}

// search runs the current filters from the first page.
func (p *recordsPage) search() { p.onSearchTapped() }

// filterTyped searches once the operator pauses typing in a filter; the
// line above the table says the rows are the old filter's meanwhile.
func (p *recordsPage) filterTyped() {
	p.onActivity()
	p.found.SetText("Filters changed: searching when you pause typing…")
	p.typing.stop(p.w)
	p.typing.after(p.w, p.typePause, p.search)
}

// filterChosen searches at once: a choice is not typed letter by letter.
func (p *recordsPage) filterChosen() {
	if p.quiet {
		return
	}
	p.onSearchTapped()
}

func (p *recordsPage) onResetTapped() {
	p.quiet = true
	for _, e := range []*widget.Entry{p.recordNo, p.customerNo, p.account, p.txid, p.from, p.to} {
		e.SetText("")
	}
	p.status.SetSelected(allOption)
	p.asset.SetSelected(allOption)
	p.quiet = false
	p.onSearchTapped()
}

func (p *recordsPage) onNextTapped() {
	p.onActivity()
	if p.next != nil {
		p.load(p.cursors, p.next, "")
	}
}

func (p *recordsPage) onPrevTapped() {
	p.onActivity()
	if len(p.cursors) < 2 {
		return
	}
	n := len(p.cursors)
	p.load(p.cursors[:n-2], p.cursors[n-2], "")
}

// load searches with the filter fields for the page that starts after
// cursor (nil: the first page), back being the cursors of the pages before
// it, and shows note once the page is on screen. A refused search leaves
// the page on screen as it was, and says so above the table.
func (p *recordsPage) load(back []*core.DepositCursor, after *core.DepositCursor, note string) {
	p.typing.stop(p.w)
	f, err := p.filter()
	if err != nil {
		p.message.SetText(errorText(err))
		p.found.SetText("Not searched: the rows below are the previous search's.")
		return
	}
	f.After = after
	p.counts.drop()
	p.found.SetText("Searching…")
	run(p.w, task[core.DepositPage]{
		controls: []fyne.Disableable{p.searchBtn, p.resetBtn, p.prevBtn, p.nextBtn},
		lane:     &p.reads,
		call:     func(ctx context.Context) (core.DepositPage, error) { return p.svc.SearchDeposits(ctx, f) },
		done: func(page core.DepositPage, err error) {
			defer p.reloadIfStale()
			if err != nil {
				p.message.SetText(errorText(err))
				p.found.SetText("Not searched: the rows below are the previous search's.")
				return
			}
			applied := f
			applied.After = nil
			p.applied = &applied
			p.cursors = append(back[:len(back):len(back)], after)
			p.records, p.next = page.Records, page.Next
			p.message.SetText(note)
			p.selected = -1
			p.table.UnselectAll()
			p.table.ScrollToTop()
			p.table.Refresh()
			p.showPager()
			p.found.SetText(p.matches() + " · searched " + p.clock().Format("15:04:05"))
			p.updateActions()
			p.count(f, "searched")
		},
	})
}

// count asks how many records the search of f matches, beyond the page
// on screen, and says it above the table; a search that fits one page
// needs no asking.
func (p *recordsPage) count(f core.DepositFilter, when string) {
	if len(p.cursors) == 1 && p.next == nil {
		return
	}
	run(p.w, task[core.DepositCount]{
		lane: &p.counts,
		call: func(ctx context.Context) (core.DepositCount, error) { return p.svc.CountDeposits(ctx, f) },
		done: func(c core.DepositCount, err error) {
			if err != nil {
				return // the page is on screen; only its count is missing
			}
			what := c.String() + " records match"
			if c == (core.DepositCount{N: 1}) {
				what = "1 record matches"
			}
			p.found.SetText(what + " · " + when + " " + p.clock().Format("15:04:05"))
		},
	})
}

// matches says how many records the search found, as far as this page
// tells: the whole count when the search fits one page.
func (p *recordsPage) matches() string {
	n := len(p.records)
	switch {
	case n == 0:
		return "No records match"
	case len(p.cursors) == 1 && p.next == nil && n == 1:
		return "1 record matches"
	case len(p.cursors) == 1 && p.next == nil:
		return fmt.Sprintf("%d records match", n)
	}
	return "Counting the records that match…"
}

// showPager says which page and records are on screen.
func (p *recordsPage) showPager() {
	page := max(len(p.cursors), 1)
	first := (page - 1) * core.DefaultPageSize
	switch {
	case len(p.records) == 0 && page == 1:
		p.pageInfo.SetText("No records match")
	case len(p.records) == 0:
		p.pageInfo.SetText(fmt.Sprintf("Page %d · no further records", page))
	default:
		p.pageInfo.SetText(fmt.Sprintf("Page %d · %d per page · records %d–%d", page, core.DefaultPageSize, first+1, first+len(p.records)))
	}
}

// refresh reloads the page on screen after a change and then says note.
func (p *recordsPage) refresh(note string) {
	n := len(p.cursors)
	if n == 0 {
		p.load(nil, nil, note)
		return
	}
	p.load(p.cursors[:n-1], p.cursors[n-1], note)
}

// changed reloads what shows recordNo ("*": any record) after the watcher,
// the intake or another desk changed it: its open detail windows, and the
// page when the record is on it or could join it (the first page, where
// new records arrive), at most once per live gap.
func (p *recordsPage) changed(recordNo string) {
	for v := range p.open {
		if recordNo == "*" || v.recordNo == recordNo {
			v.load()
		}
	}
	if recordNo == "*" || len(p.cursors) == 1 || p.shows(recordNo) {
		p.reloadSoon()
	}
}

func (p *recordsPage) shows(recordNo string) bool {
	for _, r := range p.records {
		if r.RecordNo == recordNo {
			return true
		}
	}
	return false
}

// reloadSoon reloads the page in place now, or when the live gap since
// the last such reload has passed; changes announced meanwhile join it.
func (p *recordsPage) reloadSoon() {
	wait := time.Until(p.lastLive.Add(p.liveGap))
	if wait <= 0 && p.live.timer == nil {
		p.lastLive = time.Now()
		p.reloadInPlace()
		return
	}
	p.live.after(p.w, max(wait, 0), func() {
		p.lastLive = time.Now()
		p.reloadInPlace()
	})
}

// reloadInPlace reads the page on screen again with the filter it was
// searched with (not whatever the operator is typing now) and keeps the
// selected record selected and the rows where they were scrolled, so a
// change elsewhere never pulls the record out from under an operator about
// to act on it. While a read is in flight it waits for it: a reload
// started now would supersede a search the operator asked for with the
// filter of the page it replaces.
func (p *recordsPage) reloadInPlace() {
	if p.applied == nil {
		return
	}
	if p.reads.busy() {
		p.stale = true
		return
	}
	f := *p.applied
	f.After = p.cursors[len(p.cursors)-1]
	p.counts.drop()
	run(p.w, task[core.DepositPage]{
		lane: &p.reads,
		call: func(ctx context.Context) (core.DepositPage, error) { return p.svc.SearchDeposits(ctx, f) },
		done: func(page core.DepositPage, err error) {
			defer p.reloadIfStale()
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			keep := ""
			if d := p.current(); d != nil {
				keep = d.RecordNo
			}
			p.records, p.next = page.Records, page.Next
			p.selected = -1
			p.quiet = true
			p.table.UnselectAll()
			p.table.Refresh()
			for i, r := range p.records {
				if r.RecordNo == keep {
					p.table.Select(widget.TableCellID{Row: i, Col: 0})
				}
			}
			p.quiet = false
			p.showPager()
			p.found.SetText(p.matches() + " · updated " + p.clock().Format("15:04:05"))
			p.updateActions()
			p.count(f, "updated")
		},
	})
}

// reloadIfStale reloads for a change announced while a read was in
// flight, which that read may have missed.
func (p *recordsPage) reloadIfStale() {
	if p.stale && !p.reads.busy() {
		p.stale = false
		p.reloadInPlace()
	}
}

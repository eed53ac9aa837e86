package ui

import (
	"context"
	"fmt"
	"image"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// homeRefreshGap is the least time between two refreshes that changes
// elsewhere start: the watcher announces every pass with new blocks.
const homeRefreshGap = time.Second

// homeChartsGap is the least time between two redraws of the charts that
// changes start: their query reads every credited record of 30 days
// (about 0.1–0.3 s at a million records, docs/decisions.md 43), and a
// day's chart does not need each new record at once. Refresh and coming
// back to the page redraw them at once.
const homeChartsGap = 30 * time.Second

// watcherPass is what a chain watcher last reported of its network.
type watcherPass struct {
	tip    int64
	at     time.Time // when the report came
	lastOK time.Time // the last pass without an error; zero before one
	err    error
}

// homePage is the first page after login: the operator's work queues,
// each a click from its filtered list, the last 30 days' deposits in
// charts, and what the chain watchers last said.
type homePage struct {
	w   *worker
	svc *core.Service
	op  *core.Operator
	now func() time.Time
	// openFunc shows the list behind a queue, filtered to it.
	openFunc func(core.Queue)
	// visibleFunc tells whether the page is on screen.
	visibleFunc func() bool

	queues     map[core.Queue]*widget.Button
	queueBox   *fyne.Container
	refreshBtn *widget.Button
	updated    *widget.Label
	message    *widget.Label

	charts    *fyne.Container // hidden for operators who may not view records
	chartNote *widget.Label   // what the charts cover, or that there is nothing
	perDay    *canvas.Image
	mix       *canvas.Image
	credited  *fyne.Container // one chart per asset
	drawn     homeCharts      // the charts on screen, for tests

	nodes   *widget.Label
	passes  map[string]watcherPass // the reports on screen
	content *fyne.Container        // the page, laid out again when what it shows grows

	queueReads, statReads lane
	last                  time.Time // when the last refresh started (the desk's clock, for the throttle)
	chartsAt              time.Time // when the charts were last asked for
	later                 bool      // a refresh is due once homeRefreshGap has passed
	stale                 bool      // a change came while the page was hidden
}

func newHomePage(w *worker, svc *core.Service, op *core.Operator, now func() time.Time, open func(core.Queue)) *homePage {
	p := &homePage{w: w, svc: svc, op: op, now: now, openFunc: open, visibleFunc: func() bool { return true },
		queues: map[core.Queue]*widget.Button{}}
	p.queueBox = newFlow() // three to a line at 1280 px, wrapping on a narrower screen
	for _, q := range core.Queues() {
		if !op.Can(core.QueueAction(q)) {
			continue
		}
		b := widget.NewButton(queueText(core.QueueCount{Queue: q}, false), func() { p.onQueueTapped(q) })
		b.Alignment = widget.ButtonAlignLeading
		p.queues[q] = b
		p.queueBox.Add(b)
	}
	p.refreshBtn = widget.NewButton("Refresh", p.load)
	p.refreshBtn.SetIcon(theme.ViewRefreshIcon())
	p.updated = widget.NewLabel("")
	p.message = widget.NewLabel("")
	p.message.Truncation = fyne.TextTruncateEllipsis
	p.chartNote = widget.NewLabel("")
	p.perDay, p.mix = chartImage(perDaySize), chartImage(mixSize)
	p.credited = newFlow() // four to a line at 1280 px
	p.nodes = wrapped("No chain watcher has reported yet.")
	go p.w.every(homeNodesEvery, p.tick)
	return p
}

// homeNodesEvery is how often the nodes' lag is written again while no
// report comes: a watcher that stopped reporting is what the lag is for.
const homeNodesEvery = 10 * time.Second

// tick writes the nodes' lag again, as a report would.
func (p *homePage) tick() {
	if p.passes != nil {
		p.showPasses(p.passes)
	}
}

// chartImage is an empty chart of size pixels.
func chartImage(size image.Point) *canvas.Image {
	img := canvas.NewImageFromImage(nil)
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(float32(size.X), float32(size.Y)))
	img.Hide()
	return img
}

func (p *homePage) build() fyne.CanvasObject {
	heading := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	parts := []fyne.CanvasObject{
		container.NewBorder(nil, nil, heading("Work queues"), container.NewHBox(p.updated, p.refreshBtn), p.message),
	}
	if len(p.queues) == 0 {
		parts = append(parts, widget.NewLabel("Your permissions give you no work queue."))
	} else {
		parts = append(parts, p.queueBox)
	}
	p.charts = container.NewVBox(widget.NewSeparator(), heading("Deposits"), p.chartNote,
		newFlow(p.perDay, p.mix), p.credited)
	if !p.op.Can(core.ActionViewRecords) {
		p.charts.Hide()
	}
	parts = append(parts, p.charts, widget.NewSeparator(), heading("Blockchain nodes"), p.nodes)
	p.content = container.NewVBox(parts...)
	return container.NewVScroll(p.content)
}

// queueWords are each queue's words after its count, for one and for
// any other number.
var queueWords = map[core.Queue][2]string{
	core.QueueAddressesPending:  {"address pending verification", "addresses pending verification"},
	core.QueueEvidence:          {"document awaiting a second operator", "documents awaiting a second operator"},
	core.QueueHeld:              {"record Held for Review", "records Held for Review"},
	core.QueueRefundsRequested:  {"refund awaiting approval", "refunds awaiting approval"},
	core.QueueRefundsApproved:   {"approved refund awaiting execution", "approved refunds awaiting execution"},
	core.QueueRefundsUnnotified: {"refund confirmed, customer not notified", "refunds confirmed, customer not notified"},
}

// queueText is a queue's button: "12 addresses pending verification";
// "…" before the count is in.
func queueText(c core.QueueCount, known bool) string {
	words := queueWords[c.Queue]
	switch {
	case !known:
		return "… " + words[1]
	case c.More:
		return thousands(c.N) + "+ " + words[1]
	case c.N == 1:
		return "1 " + words[0]
	}
	return thousands(c.N) + " " + words[1]
}

// thousands writes n with comma separators: 10000 → "10,000".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func (p *homePage) onQueueTapped(q core.Queue) {
	if p.openFunc != nil {
		p.openFunc(q)
	}
}

// load reads the queues and the charts again.
func (p *homePage) load() { p.refresh(true) }

// refresh reads the queues again, and the charts when charts says so.
func (p *homePage) refresh(charts bool) {
	p.last, p.stale = time.Now(), false
	run(p.w, task[[]core.QueueCount]{
		controls: []fyne.Disableable{p.refreshBtn},
		line:     p.message,
		lane:     &p.queueReads,
		call:     p.svc.WorkQueues,
		done: func(qs []core.QueueCount, err error) {
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			for _, c := range qs {
				if b := p.queues[c.Queue]; b != nil {
					b.SetText(queueText(c, true))
					b.Importance = widget.MediumImportance
					if c.N > 0 {
						b.Importance = widget.HighImportance
					}
					b.Refresh()
				}
			}
			p.updated.SetText("Updated " + p.now().UTC().Format("2006-01-02 15:04:05") + " UTC")
			p.relayout()
		},
	})
	if !charts || !p.op.Can(core.ActionViewRecords) {
		return
	}
	p.chartsAt = time.Now()
	sty := chartStyle{background: theme.Color(theme.ColorNameBackground), foreground: theme.Color(theme.ColorNameForeground),
		grid: theme.Color(theme.ColorNameSeparator), primary: theme.Color(theme.ColorNamePrimary)}
	run(p.w, task[homeCharts]{
		controls: []fyne.Disableable{p.refreshBtn},
		lane:     &p.statReads,
		call: func(ctx context.Context) (homeCharts, error) {
			st, err := p.svc.DepositStats(ctx)
			if err != nil {
				return homeCharts{}, err
			}
			return drawHomeCharts(st, sty)
		},
		done: p.showCharts,
	})
}

// relayout lays the page out again: a label given a longer text, a chart
// shown, a queue's count grown.
func (p *homePage) relayout() {
	if p.content != nil {
		p.content.Refresh()
	}
}

func (p *homePage) showCharts(c homeCharts, err error) {
	defer p.relayout()
	if err != nil {
		p.chartNote.SetText("Charts: " + errorText(err))
		return
	}
	p.drawn = c
	st := c.stats
	last := st.To.AddDate(0, 0, -1)
	if len(st.Days) == 0 {
		p.chartNote.SetText("No deposits in the last 30 days (" + st.From.Format("2006-01-02") + " to " + last.Format("2006-01-02") + " UTC).")
		p.perDay.Hide()
		p.mix.Hide()
		p.credited.RemoveAll()
		return
	}
	var total int64
	for _, n := range st.Statuses {
		total += n
	}
	p.chartNote.SetText(fmt.Sprintf("%s records created from %s to %s (UTC days). Amounts are credited deposits, in each asset's units.",
		thousands(total), st.From.Format("2006-01-02"), last.Format("2006-01-02")))
	p.perDay.Image, p.mix.Image = c.perDay, c.mix
	p.perDay.Show()
	p.mix.Show()
	p.perDay.Refresh()
	p.mix.Refresh()
	p.credited.RemoveAll()
	for _, img := range c.credited {
		ci := chartImage(creditedSize)
		ci.Image = img
		ci.Show()
		p.credited.Add(ci)
	}
}

// changed refreshes the page after deposits changed elsewhere: the queues
// at most once per homeRefreshGap, the charts once per homeChartsGap; a
// hidden page refreshes when it is shown.
func (p *homePage) changed() {
	if !p.visibleFunc() {
		p.stale = true
		return
	}
	wait := homeRefreshGap - time.Since(p.last)
	if wait <= 0 {
		p.refresh(time.Since(p.chartsAt) >= homeChartsGap)
		return
	}
	if p.later {
		return
	}
	p.later = true
	time.AfterFunc(wait, func() {
		fyne.Do(func() {
			p.w.calls.apply.Lock() // as an answer would be (see calls.apply)
			defer p.w.calls.apply.Unlock()
			p.later = false
			if p.w.ctx.Err() == nil {
				p.changed()
			}
		})
	})
}

// shown refreshes the page as it comes on screen.
func (p *homePage) shown() { p.load() }

// showPasses says what each network's watcher last reported: its tip,
// when, and how long since its last good pass (the lag), or its error.
func (p *homePage) showPasses(passes map[string]watcherPass) {
	p.passes = passes
	if len(passes) == 0 {
		p.nodes.SetText("No chain watcher has reported yet.")
		return
	}
	now := p.now()
	var lines []string
	for _, name := range slices.Sorted(maps.Keys(passes)) {
		ps := passes[name]
		line := name + ": "
		switch {
		case ps.err == nil:
			line += fmt.Sprintf("block %d at %s UTC, lag %s.", ps.tip, ps.at.UTC().Format("15:04:05"), ago(now.Sub(ps.lastOK)))
		case ps.lastOK.IsZero():
			line += nodeProblem(ps.err) + " No good pass yet."
		default:
			line += fmt.Sprintf("%s Last good pass %s ago (block %d).", nodeProblem(ps.err), ago(now.Sub(ps.lastOK)), ps.tip)
		}
		lines = append(lines, line)
	}
	p.nodes.SetText(strings.Join(lines, "\n"))
	p.relayout()
}

// ago is a duration as the nodes line says it: "4 s", "3 min", "2 h".
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(max(d, 0)/time.Second)) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return strconv.Itoa(int(d/time.Hour)) + " h"
}

package ui

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// auditPageSize is how many audit rows a page shows.
const auditPageSize = 100

var auditColumns = []tableColumn[*core.AuditEntry]{
	{"Row", "1000000", func(e *core.AuditEntry) string { return strconv.FormatInt(e.Seq, 10) }},
	{"Time", "2026-11-24 23:30:59", func(e *core.AuditEntry) string { return e.At.Local().Format("2006-01-02 15:04:05") }},
	{"Operator", "client:crm-gateway", func(e *core.AuditEntry) string { return e.Actor }},
	{"Action", "address.micro_deposit", func(e *core.AuditEntry) string { return e.Action }},
	{"Record", "mainnet:bc1q0am2ny83fmec5weq…", func(e *core.AuditEntry) string { return shorten(e.Entity+" "+e.EntityID, 22, 8) }},
	{"Change", "verifying_address → cancelled", func(e *core.AuditEntry) string {
		if e.Before == "" && e.After == "" {
			return ""
		}
		return shorten(e.Before, 14, 6) + " → " + shorten(e.After, 14, 6)
	}},
	{"Remarks", "Duplicate user request", func(e *core.AuditEntry) string { return e.Remarks }},
}

// auditEntities are what audit rows are about, for the filter.
var auditEntities = []string{"deposit", "refund", "address", "customer", "asset", "operator", "client", "settings", "audit"}

// auditPage is the Audit Log: every action of the desk, oldest first, each
// row chained to the one before by its hash. An auditor filters by what a
// row is about, verifies the whole chain and exports it for other tools.
type auditPage struct {
	w   *worker
	svc *core.Service
	win fyne.Window
	// anchors gives the checkpoints and keys Verify holds the log against.
	anchors func() (core.AuditAnchors, error)

	entity                                 *widget.Select
	entityID                               *widget.Entry
	searchBtn, prevBtn, nextBtn, verifyBtn *widget.Button
	csvBtn, jsonlBtn                       *widget.Button
	table                                  *widget.Table
	pageInfo, verdict, message, detail     *widget.Label

	rows   []*core.AuditEntry
	starts []int64 // AfterSeq of each page shown so far; the last is the page on screen
	more   bool
	reads  lane
}

func newAuditPage(w *worker, svc *core.Service, win fyne.Window, anchors func() (core.AuditAnchors, error)) *auditPage {
	p := &auditPage{w: w, svc: svc, win: win, anchors: anchors}
	p.entity = widget.NewSelect(append([]string{allOption}, auditEntities...), nil)
	p.entity.SetSelected(allOption)
	p.entityID = entry("e.g. D20261125-000123, BTC@mainnet, mainnet:bc1q…, admin")
	p.entityID.OnSubmitted = func(string) { p.search() }
	p.searchBtn = widget.NewButton("Search", p.search)
	p.searchBtn.Importance = widget.HighImportance
	p.prevBtn = widget.NewButton("‹ Previous", p.onPrevTapped)
	p.nextBtn = widget.NewButton("Next ›", p.onNextTapped)
	p.verifyBtn = widget.NewButton("Verify chain", p.onVerifyTapped)
	p.csvBtn = widget.NewButton("Export CSV", func() { p.onExportTapped(core.AuditCSV) })
	p.jsonlBtn = widget.NewButton("Export JSONL", func() { p.onExportTapped(core.AuditJSONL) })
	p.pageInfo, p.verdict, p.message = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	p.detail = widget.NewLabel("Select a row to read it whole.")
	p.message.Wrapping, p.detail.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
	p.detail.Selectable = true
	p.table = newTable(auditColumns, func() []*core.AuditEntry { return p.rows }, p.onSelected)
	oneLineRows(p.table, auditPageSize)
	return p
}

func (p *auditPage) build() fyne.CanvasObject {
	filters := container.NewGridWithColumns(2, labeled("About", p.entity), labeled("Which (record no, asset, address, name)", p.entityID))
	top := container.NewVBox(filters, container.NewHBox(p.searchBtn, p.verifyBtn, p.csvBtn, p.jsonlBtn, p.verdict), widget.NewSeparator())
	bottom := container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(p.prevBtn, p.pageInfo, p.nextBtn)), p.detail), p.message)
	return container.NewBorder(top, bottom, nil, nil, p.table)
}

func (p *auditPage) filter(after int64) core.AuditFilter {
	f := core.AuditFilter{AfterSeq: after, Limit: auditPageSize + 1}
	if p.entity.Selected != allOption && p.entity.Selected != "" {
		e := p.entity.Selected
		f.Entity = &e
	}
	if id := strings.TrimSpace(p.entityID.Text); id != "" {
		f.EntityID = &id
	}
	return f
}

// search shows the first page of the filtered log.
func (p *auditPage) search() { p.show(nil, 0) }

// show puts the page of rows after seq on screen; back are the starts of
// the pages before it.
func (p *auditPage) show(back []int64, after int64) {
	p.message.SetText("")
	f := p.filter(after)
	run(p.w, task[[]*core.AuditEntry]{
		controls: []fyne.Disableable{p.searchBtn, p.prevBtn, p.nextBtn},
		line:     p.message,
		lane:     &p.reads,
		call:     func(ctx context.Context) ([]*core.AuditEntry, error) { return p.svc.AuditTrail(ctx, f) },
		done: func(rows []*core.AuditEntry, err error) {
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			p.showRows(append(back[:len(back):len(back)], after), rows)
		},
	})
}

// showRows puts rows, the page that starts[len(starts)-1] opens, on screen.
func (p *auditPage) showRows(starts []int64, rows []*core.AuditEntry) {
	p.more = len(rows) > auditPageSize
	if p.more {
		rows = rows[:auditPageSize]
	}
	p.rows = rows
	p.starts = starts
	p.table.Refresh()
	p.table.ScrollToTop()
	first := (len(p.starts) - 1) * auditPageSize
	switch {
	case len(rows) == 0:
		p.pageInfo.SetText("No audit rows match")
	default:
		p.pageInfo.SetText(fmt.Sprintf("Page %d · rows %d–%d of the selection", len(p.starts), first+1, first+len(rows)))
	}
	enable(p.prevBtn, len(p.starts) > 1)
	enable(p.nextBtn, p.more)
}

// onSelected shows the selected row whole: the table cuts long values.
func (p *auditPage) onSelected(row int) {
	if row < 0 || row >= len(p.rows) {
		return
	}
	e := p.rows[row]
	text := fmt.Sprintf("Row %d · %s · %s · %s %s", e.Seq, e.At.Local().Format("2006-01-02 15:04:05.000000"), e.Actor, e.Entity, e.EntityID)
	if e.Before != "" || e.After != "" {
		text += "\nBefore: " + e.Before + "\nAfter: " + e.After
	}
	if e.Remarks != "" {
		text += "\nRemarks: " + e.Remarks
	}
	p.detail.SetText(text + "\nHash: " + e.Hash)
}

func (p *auditPage) onNextTapped() {
	if p.more && len(p.rows) > 0 {
		p.show(p.starts, p.rows[len(p.rows)-1].Seq)
	}
}

func (p *auditPage) onPrevTapped() {
	if len(p.starts) < 2 {
		return
	}
	n := len(p.starts)
	p.show(p.starts[:n-2], p.starts[n-2])
}

// onVerifyTapped recomputes every row's hash; a break names its row.
// It reads the whole log, so it has longTimeout.
func (p *auditPage) onVerifyTapped() {
	run(p.w, task[core.AuditVerification]{
		controls: []fyne.Disableable{p.verifyBtn},
		line:     p.verdict,
		timeout:  longTimeout,
		call: func(ctx context.Context) (core.AuditVerification, error) {
			var anchors core.AuditAnchors
			if p.anchors != nil {
				var err error
				if anchors, err = p.anchors(); err != nil {
					return core.AuditVerification{}, err
				}
			}
			anchors.State = true // the page has the long timeout; an auditor wants the records too
			return p.svc.VerifyAudit(ctx, anchors)
		},
		done: func(v core.AuditVerification, err error) {
			switch {
			case err != nil:
				p.verdict.SetText(errorText(err))
			case v.Intact():
				p.verdict.SetText(fmt.Sprintf("Intact: %d rows verified, %d checkpoints held, %d records replayed.", v.Checked, v.Checkpoints, v.RecordsReplayed))
			case v.FirstBroken != 0:
				p.verdict.SetText(fmt.Sprintf("BROKEN at row %d: %s (%d rows before it verified).", v.FirstBroken, v.Reason, v.Checked))
				p.verdict.Importance = widget.DangerImportance
				p.verdict.Refresh()
			default:
				p.verdict.SetText("BROKEN: " + strings.Join(v.Problems, "; ") + ".")
				p.verdict.Importance = widget.DangerImportance
				p.verdict.Refresh()
			}
		},
	})
}

func (p *auditPage) onExportTapped(format string) {
	save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return // cancelled
		}
		p.export(w, format, w.URI().Path())
	}, p.win)
	save.SetFileName("audit-log." + format)
	save.Show()
}

// export writes the whole log in format to w and closes it, off the Fyne
// thread and with longTimeout: it reads every row.
func (p *auditPage) export(w io.WriteCloser, format, name string) {
	run(p.w, task[struct{}]{
		controls: []fyne.Disableable{p.csvBtn, p.jsonlBtn},
		line:     p.message,
		timeout:  longTimeout,
		call: func(ctx context.Context) (struct{}, error) {
			err := p.svc.ExportAudit(ctx, w, format)
			if cerr := w.Close(); err == nil && cerr != nil {
				err = core.Errorf(core.EINVALID, "Cannot write %s: %v", name, cerr)
			}
			return struct{}{}, err
		},
		done: func(_ struct{}, err error) {
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			p.message.SetText("Audit log exported to " + name + ".")
		},
	})
}

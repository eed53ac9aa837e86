package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"depositdesk/core"
)

// op is one search timed: a filter combination's page or count, with the
// filter of every run and the SQL the store runs for it.
type op struct {
	filter, kind string // "customer-prefix", "page" or "count"
	filters      []core.DepositFilter
	stmts        [][]string // per run: the statements, arguments inlined
	desk         []sample
	engine       []time.Duration
	rows         int // rows of every page, or records counted, over the runs
}

// sample is one desk call's wall time and its thread's CPU time.
type sample struct{ wall, cpu time.Duration }

func (o *op) deskFigure(cpu bool) []time.Duration {
	out := make([]time.Duration, len(o.desk))
	for i, s := range o.desk {
		out[i] = s.wall
		if cpu {
			out[i] = s.cpu
		}
	}
	return out
}

// found is what the desk's calls returned, on average.
func (o *op) found() string {
	if len(o.desk) == 0 {
		return ""
	}
	what := "rows a page"
	if o.kind == "count" {
		what = "counted"
	}
	return fmt.Sprintf("%.1f %s", float64(o.rows)/float64(len(o.desk)), what)
}

// record is the values a run's filters take from one seeded record.
type record struct {
	d   *core.DepositRecord
	end time.Time // the newest record's creation time
	rng *rand.Rand
}

// filterCase is one way of filling the records page's filters. Like the
// page (ui/records.go), every text filter matches by prefix, and what is
// typed is as an operator types it (lower case, the table's shortened
// hash); core.Validate puts it in stored form.
type filterCase struct {
	name  string
	count bool // the page's count of matches is timed too
	make  func(r record) core.DepositFilter
}

func str(s string) *string { return &s }

var cases = []filterCase{
	{"none", true, func(record) core.DepositFilter { return core.DepositFilter{} }},
	{"record-no", true, func(r record) core.DepositFilter { return core.DepositFilter{RecordNo: str(r.d.RecordNo)} }},
	{"record-no-prefix", true, func(r record) core.DepositFilter {
		return core.DepositFilter{RecordNo: str(r.d.RecordNo[:len(r.d.RecordNo)-2])}
	}},
	{"customer", true, func(r record) core.DepositFilter { return core.DepositFilter{CustomerNo: str(r.d.CustomerNo)} }},
	{"customer-prefix", true, func(r record) core.DepositFilter {
		return core.DepositFilter{CustomerNo: str(strings.ToLower(r.d.CustomerNo[:len(r.d.CustomerNo)-1]))}
	}},
	{"account", true, func(r record) core.DepositFilter {
		return core.DepositFilter{SecuritiesAccount: str(r.d.SecuritiesAccount)}
	}},
	{"account-prefix", true, func(r record) core.DepositFilter {
		return core.DepositFilter{SecuritiesAccount: str(r.d.SecuritiesAccount[:len(r.d.SecuritiesAccount)-1])}
	}},
	{"txid", true, func(r record) core.DepositFilter { return core.DepositFilter{TxID: str(r.d.TxID)} }},
	{"txid-prefix", true, func(r record) core.DepositFilter {
		return core.DepositFilter{TxID: str(strings.TrimPrefix(r.d.TxID, "0x")[:10])}
	}},
	// As the table shows it: six characters, "…", the last four.
	{"txid-shown", true, func(r record) core.DepositFilter {
		return core.DepositFilter{TxID: str(r.d.TxID[:6] + "…" + r.d.TxID[len(r.d.TxID)-4:])}
	}},
	{"status", true, func(record) core.DepositFilter { return core.DepositFilter{Status: status(core.StatusCredited)} }},
	{"asset", true, func(r record) core.DepositFilter { return core.DepositFilter{AssetID: &r.d.AssetID} }},
	{"status-asset", true, func(r record) core.DepositFilter {
		return core.DepositFilter{Status: status(core.StatusConfirming), AssetID: &r.d.AssetID}
	}},
	{"customer-status", true, func(r record) core.DepositFilter {
		return core.DepositFilter{CustomerNo: str(r.d.CustomerNo), Status: status(core.StatusCredited)}
	}},
	// The page's "Created from" and "to" on the same day.
	{"created-day", true, func(r record) core.DepositFilter {
		from := r.d.CreatedAt.Truncate(24 * time.Hour)
		to := from.AddDate(0, 0, 1)
		return core.DepositFilter{CreatedFrom: &from, CreatedTo: &to}
	}},
	// The usual narrowed search: a status, an asset, a customer and 30 days.
	{"created-range", true, func(r record) core.DepositFilter {
		from, to := window(r)
		return core.DepositFilter{Status: status(r.d.Status), AssetID: &r.d.AssetID, CustomerNo: str(r.d.CustomerNo),
			CreatedFrom: from, CreatedTo: to}
	}},
	{"by-request-time", true, func(record) core.DepositFilter { return core.DepositFilter{Order: core.OrderRequested} }},
	{"requested-range", true, func(r record) core.DepositFilter {
		from, to := window(r)
		return core.DepositFilter{Status: status(r.d.Status), AssetID: &r.d.AssetID, CustomerNo: str(r.d.CustomerNo),
			RequestedFrom: from, RequestedTo: to, Order: core.OrderRequested}
	}},
}

// nextPage is the page after the first of no filter, through the cursor
// the first page gave (Next on the page); its count is none's.
const nextPage = "next-page"

func status(s core.DepositStatus) *core.DepositStatus { return &s }

// window is a 30-day range inside the seeded 180 days before the newest
// record.
func window(r record) (from, to *time.Time) {
	t := r.end.Add(-time.Duration(r.rng.IntN(150*24)) * time.Hour)
	f := t.Add(-30 * 24 * time.Hour)
	return &f, &t
}

// buildOps makes every (filter, op) with runs filters each, drawn from
// records spread over the seeded time, and the SQL the store runs for
// each; only, when set, names the filters to keep.
func buildOps(ctx context.Context, svc *core.Service, eng engine, runs int, only string) ([]*op, error) {
	keep := func(name string) bool {
		return only == "" || strings.Contains(","+only+",", ","+name+",")
	}
	recs, err := sampleRecords(ctx, svc, min(runs, 25))
	if err != nil {
		return nil, err
	}
	var ops []*op
	add := func(name, kind string, make func(i int) core.DepositFilter) error {
		o := &op{filter: name, kind: kind}
		for i := range runs {
			f := make(i)
			f.Prefix, f.Limit = true, core.DefaultPageSize
			if err := f.Validate(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			stmts, err := eng.statements(ctx, f, kind)
			if err != nil {
				return fmt.Errorf("%s %s: %w", name, kind, err)
			}
			o.filters, o.stmts = append(o.filters, f), append(o.stmts, stmts)
		}
		ops = append(ops, o)
		return nil
	}
	for _, c := range cases {
		if !keep(c.name) {
			continue
		}
		kinds := []string{"page"}
		if c.count {
			kinds = append(kinds, "count")
		}
		for _, kind := range kinds {
			if err := add(c.name, kind, func(i int) core.DepositFilter { return c.make(recs[i%len(recs)]) }); err != nil {
				return nil, err
			}
		}
	}
	if keep(nextPage) {
		first, err := svc.SearchDeposits(ctx, core.DepositFilter{Prefix: true})
		if err != nil {
			return nil, err
		}
		if first.Next == nil {
			return nil, fmt.Errorf("%s: the database holds a single page", nextPage)
		}
		if err := add(nextPage, "page", func(int) core.DepositFilter { return core.DepositFilter{After: first.Next} }); err != nil {
			return nil, err
		}
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("no filter named %q", only)
	}
	return ops, nil
}

// sampleRecords draws n records with a transaction hash, spread over the
// seeded time, whose values the runs' filters take in turn.
func sampleRecords(ctx context.Context, svc *core.Service, n int) ([]record, error) {
	newest, err := svc.SearchDeposits(ctx, core.DepositFilter{Limit: 1})
	if err != nil || len(newest.Records) == 0 {
		return nil, fmt.Errorf("no records: seed the database first (%v)", err)
	}
	end := newest.Records[0].CreatedAt
	rng := rand.New(rand.NewPCG(42, 7))
	var out []record
	for tries := 0; len(out) < n; tries++ {
		if tries == 20*n {
			return nil, fmt.Errorf("found %d records with a transaction hash in %d tries: seed more records", len(out), tries)
		}
		before := end.Add(-time.Duration(rng.IntN(175*24)) * time.Hour)
		page, err := svc.SearchDeposits(ctx, core.DepositFilter{CreatedTo: &before, Limit: 20})
		if err != nil {
			return nil, err
		}
		for _, d := range page.Records {
			if d.TxID != "" {
				out = append(out, record{d: d, end: end, rng: rng})
				break
			}
		}
	}
	return out, nil
}

// deskBlock runs o's searches from..to through the Service, once untimed
// (as the engine's block is warmed), then timed: wall, and the CPU of the
// calling thread, which the SQLite driver runs on (cgo), the like-for-like
// counterpart of the sqlite3 CLI's per-statement user+sys. The goroutine
// keeps its thread only when that CPU is the figure (cpu): otherwise it
// waits for the server as a desk's search does, on no thread of its own
// (a kept thread is handed back and woken again on every wait).
func deskBlock(ctx context.Context, svc *core.Service, o *op, from, to int, cpu bool) ([]sample, error) {
	if cpu {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	call := func(f core.DepositFilter) (int, error) {
		if o.kind == "count" {
			c, err := svc.CountDeposits(ctx, f)
			return c.N, err
		}
		page, err := svc.SearchDeposits(ctx, f)
		return len(page.Records), err
	}
	for _, f := range o.filters[from:to] {
		if _, err := call(f); err != nil {
			return nil, err
		}
	}
	out := make([]sample, 0, to-from)
	for _, f := range o.filters[from:to] {
		cpu0, start := threadCPU(), time.Now()
		n, err := call(f)
		wall, cpu := time.Since(start), threadCPU()-cpu0
		if err != nil {
			return nil, err
		}
		out = append(out, sample{wall, cpu})
		o.rows += n
	}
	return out, nil
}

// threadCPU is the CPU time of the calling OS thread, to the nanosecond.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

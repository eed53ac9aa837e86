package ui

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/pgtest"
	"depositdesk/internal/seed"
	"depositdesk/internal/wire"
	"depositdesk/storage/postgres"
	"depositdesk/storage/sqlite"
)

// Benchmark inputs: DEPOSITDESK_BENCH_DB names a seeded SQLite file whose
// operator admin has DEPOSITDESK_BENCH_PASSWORD (bench/gui.sh seeds
// 1,000,000 records); without it the benchmark seeds benchSmall records.
// DEPOSITDESK_BENCH_SESSION is how long the scripted session runs.
const (
	benchDBEnv      = "DEPOSITDESK_BENCH_DB"
	benchPWEnv      = "DEPOSITDESK_BENCH_PASSWORD"
	benchSessionEnv = "DEPOSITDESK_BENCH_SESSION"
	benchSmall      = 5_000
)

// benchDesk is a logged-in desk on the benchmark's database.
func benchDesk(b *testing.B) (*bundle, *recordsPage) {
	b.Helper()
	ctx := context.Background()
	path, pw := os.Getenv(benchDBEnv), os.Getenv(benchPWEnv)
	if path == "" {
		path, pw = filepath.Join(b.TempDir(), "desk.db"), adminPW
		st, err := sqlite.Open(ctx, path)
		require.NoError(b, err)
		d := setupOn(b, st, path)
		op, err := d.svc.Bootstrap(ctx, "admin", adminPW)
		require.NoError(b, err)
		d.admin = core.NewContextWithOperator(ctx, op)
		_, err = seed.Run(d.admin, d.svc, seed.Options{Records: benchSmall, Seed: 1})
		require.NoError(b, err)
		return d, d.loginAs(b, "admin", pw)
	}
	st, err := sqlite.Open(ctx, path)
	require.NoError(b, err)
	d := setupOn(b, st, path)
	op, err := d.svc.Login(ctx, "admin", pw)
	require.NoError(b, err)
	d.admin = core.NewContextWithOperator(ctx, op)
	return d, d.loginAs(b, "admin", pw)
}

// middleRecord is a record about halfway back in time: its values fill
// the filters.
func middleRecord(b *testing.B, d *bundle) *core.DepositRecord {
	b.Helper()
	newest, err := d.svc.SearchDeposits(d.admin, core.DepositFilter{Limit: 1})
	require.NoError(b, err)
	require.NotEmpty(b, newest.Records)
	half := newest.Records[0].CreatedAt.AddDate(0, 0, -90)
	mid, err := d.svc.SearchDeposits(d.admin, core.DepositFilter{CreatedTo: &half, Limit: 1})
	require.NoError(b, err)
	if len(mid.Records) == 0 {
		return newest.Records[0]
	}
	return mid.Records[0]
}

// searchCase is one way to fill the records page's filters.
type searchCase struct {
	name string
	set  func(p *recordsPage)
}

// searchCases are the filters the records page offers, one by one and the
// usual pairs, with values of a record in the middle of the database.
func searchCases(d *core.DepositRecord, asset string) []searchCase {
	day := d.CreatedAt.Local().Format("2006-01-02")
	return []searchCase{
		{"none", func(*recordsPage) {}},
		{"record-no", func(p *recordsPage) { p.recordNo.SetText(d.RecordNo) }},
		{"record-no-prefix", func(p *recordsPage) { p.recordNo.SetText(d.RecordNo[:len(d.RecordNo)-2]) }},
		{"customer-prefix", func(p *recordsPage) { p.customerNo.SetText(strings.ToLower(d.CustomerNo[:len(d.CustomerNo)-1])) }},
		{"account-prefix", func(p *recordsPage) { p.account.SetText(d.SecuritiesAccount[:len(d.SecuritiesAccount)-1]) }},
		{"txid-shown", func(p *recordsPage) { p.txid.SetText(recordColumns[7].text(d)) }},
		{"by-request-time", func(p *recordsPage) { p.order = core.OrderRequested }},
		{"customer", func(p *recordsPage) { p.customerNo.SetText(d.CustomerNo) }},
		{"account", func(p *recordsPage) { p.account.SetText(d.SecuritiesAccount) }},
		{"txid", func(p *recordsPage) { p.txid.SetText(d.TxID) }},
		{"status", func(p *recordsPage) { p.status.SetSelected(core.StatusCredited.Display()) }},
		{"asset", func(p *recordsPage) { p.asset.SetSelected(asset) }},
		{"status-asset", func(p *recordsPage) {
			p.status.SetSelected(core.StatusConfirming.Display())
			p.asset.SetSelected(asset)
		}},
		{"created-day", func(p *recordsPage) { p.from.SetText(day); p.to.SetText(day) }},
		{"customer-status", func(p *recordsPage) {
			p.customerNo.SetText(d.CustomerNo)
			p.status.SetSelected(core.StatusCredited.Display())
		}},
	}
}

// BenchmarkRecordsPage times what an operator waits for on the records
// page, through the real widgets: from Enter in the filters to the rows in
// the table, for every filter the page offers, and Next. Figures per case:
// p50 and p95 in ms, and the baseline: p95 of the same page and count
// asked of the service alone.
func BenchmarkRecordsPage(b *testing.B) {
	d, p := benchDesk(b)
	d.settle(b)
	p.typePause, p.live.gap = time.Hour, time.Hour
	cases := searchCases(middleRecord(b, d), p.asset.Options[1])
	times, store := map[string][]time.Duration{}, map[string][]time.Duration{}
	enter := func(name string, set func(p *recordsPage)) {
		d.meanwhile(func() {
			p.onResetFields()
			p.quiet = true
			set(p)
			p.quiet = false
		})
		start := time.Now()
		d.meanwhile(func() { p.recordNo.OnSubmitted(p.recordNo.Text) })
		d.settle(b)
		times[name] = append(times[name], time.Since(start))
		require.NotContains(b, p.found.Text, "Not searched", name)
		store[name] = append(store[name], storeAlone(b, d, p))
	}
	for b.Loop() {
		for _, c := range cases {
			enter(c.name, c.set)
		}
		enter("none", func(*recordsPage) {})
		start := time.Now()
		d.meanwhile(p.onNextTapped)
		d.settle(b)
		times["next-page"] = append(times["next-page"], time.Since(start))
		store["next-page"] = append(store["next-page"], storeAlone(b, d, p))
	}
	for _, name := range slices.Sorted(maps.Keys(times)) {
		b.ReportMetric(ms(percentile(times[name], 50)), "ms-p50-"+name)
		b.ReportMetric(ms(percentile(times[name], 95)), "ms-p95-"+name)
		b.ReportMetric(ms(percentile(store[name], 95)), "store-ms-p95-"+name)
	}
}

// storeAlone is the baseline of a search through the page: the same page
// and count asked of the service directly, as the page asks them, timed
// without the widgets.
func storeAlone(b *testing.B, d *bundle, p *recordsPage) time.Duration {
	var f core.DepositFilter
	var err error
	d.meanwhile(func() {
		if f, err = p.filter(); err == nil && len(p.cursors) > 0 {
			f.After = p.cursors[len(p.cursors)-1] // the page on screen
		}
	})
	require.NoError(b, err)
	start := time.Now()
	_, err = d.svc.SearchDeposits(d.admin, f)
	require.NoError(b, err)
	_, err = d.svc.CountDeposits(d.admin, f)
	require.NoError(b, err)
	return time.Since(start)
}

// BenchmarkRecordsSession is an operator's session: searches, pages and
// detail windows opened and closed, for DEPOSITDESK_BENCH_SESSION (10 s
// unless set, 2 s with -short); it reports the resident memory after login and at the end,
// and the growth between.
func BenchmarkRecordsSession(b *testing.B) {
	length := 10 * time.Second
	if testing.Short() {
		length = 2 * time.Second
	}
	if s := os.Getenv(benchSessionEnv); s != "" {
		var err error
		length, err = time.ParseDuration(s)
		require.NoError(b, err)
	}
	d, p := benchDesk(b)
	d.settle(b)
	p.typePause, p.live.gap = time.Hour, time.Hour
	cases := searchCases(middleRecord(b, d), p.asset.Options[1])
	atLogin := rss(b)
	var warm int64
	for b.Loop() {
		began, steps := time.Now(), 0
		for time.Since(began) < length {
			c := cases[steps%len(cases)]
			d.meanwhile(func() {
				p.onResetFields()
				p.quiet = true
				c.set(p)
				p.quiet = false
				p.onSearchTapped()
			})
			d.settle(b)
			if p.next != nil {
				d.meanwhile(p.onNextTapped)
				d.settle(b)
			}
			if len(p.records) > 0 {
				d.meanwhile(func() {
					p.selectRow(steps % len(p.records))
					p.onDetailsTapped()
				})
				d.settle(b)
				d.meanwhile(func() { p.detail.win.Close() })
			}
			if steps++; steps == len(cases) {
				runtime.GC()
				warm = rss(b) // after one round of every page and window
			}
		}
		b.ReportMetric(float64(steps), "steps")
	}
	runtime.GC()
	end := rss(b)
	b.ReportMetric(float64(atLogin)/(1<<20), "MB-rss-login")
	b.ReportMetric(float64(warm)/(1<<20), "MB-rss-warm")
	b.ReportMetric(float64(end)/(1<<20), "MB-rss-end")
	b.ReportMetric(100*float64(end-warm)/float64(warm), "%-growth")
}

// onResetFields clears the filters without searching.
func (p *recordsPage) onResetFields() {
	p.clearFilters(allOption)
	p.order = core.OrderCreated
}

// selectRow selects row i as a tap does.
func (p *recordsPage) selectRow(i int) { p.table.Select(widget.TableCellID{Row: i}) }

// rss is the process's resident memory in bytes (Linux).
func rss(b *testing.B) int64 {
	b.Helper()
	raw, err := os.ReadFile("/proc/self/statm")
	require.NoError(b, err)
	f := strings.Fields(string(raw))
	pages, err := strconv.ParseInt(f[1], 10, 64)
	require.NoError(b, err)
	return pages * int64(os.Getpagesize())
}

func percentile(ts []time.Duration, q int) time.Duration {
	s := slices.Sorted(slices.Values(ts))
	return s[min(len(s)-1, (len(s)*q+99)/100-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkChangeReachesAnotherDesk measures, on a shared Postgres, how
// long an application committed by another desk (its own store, as
// another process has) takes to show on this desk's open first page:
// NOTIFY, the live gap's spacing, the reload. Changes come a little more
// than a live gap apart, as one operator's would; p50/p95 in ms. The
// baseline, store-ms-p95, is the floor without the notification and the
// page: another application committed the same way, then this desk's
// first page searched at once through its Service until it shows it.
func BenchmarkChangeReachesAnotherDesk(b *testing.B) {
	url := pgtest.NewDatabase(b)
	st, err := postgres.Open(context.Background(), url)
	require.NoError(b, err)
	d := setupOn(b, st, url)
	ctx := context.Background()
	op, err := d.svc.Bootstrap(ctx, "admin", adminPW)
	require.NoError(b, err)
	d.admin = core.NewContextWithOperator(ctx, op)
	_, err = seed.Run(d.admin, d.svc, seed.Options{Records: 200, Seed: 1})
	require.NoError(b, err)
	p := d.loginAs(b, "admin", adminPW)
	listen, stop := context.WithCancel(ctx)
	defer stop()
	go st.ListenDeposits(listen, d.ui.DepositsChanged)
	other, err := postgres.Open(ctx, url)
	require.NoError(b, err)
	defer other.Close()
	otherSvc := wire.NewService(other)
	otherOp, err := otherSvc.Login(ctx, "admin", adminPW)
	require.NoError(b, err)
	otherCtx := core.NewContextWithOperator(ctx, otherOp)
	customers, err := d.svc.FindCustomers(d.admin, core.CustomerFilter{Limit: 1})
	require.NoError(b, err)
	c := customers[0]
	changes := 10
	if testing.Short() {
		changes = 2
	}
	submit := func(key string) *core.DepositRecord {
		rec, _, err := otherSvc.SubmitApplication(otherCtx, core.DepositApplication{Channel: core.ChannelPhone,
			ClientRequestKey: fmt.Sprintf("other-desk-%d-%s", time.Now().UnixNano(), key), CustomerNo: c.CustomerNo,
			SecuritiesAccount: c.SecuritiesAccount, AssetSymbol: "BTC", Network: "mainnet", Amount: "0.01",
			SourceAddress: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", DestinationAddress: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"})
		require.NoError(b, err)
		return rec
	}
	var took, store []time.Duration
	for b.Loop() {
		for i := range changes {
			time.Sleep(p.live.gap + 100*time.Millisecond)
			start := time.Now()
			rec := submit(fmt.Sprint("page-", i))
			require.Eventually(b, func() bool { return firstRowIs(p, rec.RecordNo) }, 10*time.Second, time.Millisecond)
			took = append(took, time.Since(start))

			start = time.Now()
			rec = submit(fmt.Sprint("store-", i))
			for {
				page, err := d.svc.SearchDeposits(d.admin, core.DepositFilter{})
				require.NoError(b, err)
				if len(page.Records) > 0 && page.Records[0].RecordNo == rec.RecordNo {
					break
				}
			}
			store = append(store, time.Since(start))
		}
	}
	b.ReportMetric(ms(percentile(took, 50)), "ms-p50")
	b.ReportMetric(ms(percentile(took, 95)), "ms-p95")
	b.ReportMetric(ms(percentile(store, 95)), "store-ms-p95")
}

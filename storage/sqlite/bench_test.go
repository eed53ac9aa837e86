package sqlite

import (
	"context"
	"fmt"
	"iter"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"depositdesk/core"
	"depositdesk/storage/storetest"
)

// benchRecords is the size of the table the search benchmarks run on:
// DEPOSITDESK_BENCH_RECORDS (e.g. 1000000), default 100,000 so that a plain
// `go test -bench .` stays quick.
func benchRecords(tb testing.TB) int {
	n := 100_000
	if v := os.Getenv("DEPOSITDESK_BENCH_RECORDS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			tb.Fatalf("DEPOSITDESK_BENCH_RECORDS=%q is not a positive number", v)
		}
	}
	return n
}

// seeded is one large store shared by every search benchmark of a run.
type seeded struct {
	store     *Store
	assets    []*core.Asset
	customers []*core.Customer
	newest    time.Time
	txid      string // a seeded record's hash, bare hex
	took      time.Duration
}

var (
	seedOnce sync.Once
	seedDir  string
	seedDB   *seeded
	seedErr  error
)

// removeSeeded removes the benchmarks' shared store after the run.
func removeSeeded() {
	if seedDB != nil {
		seedDB.store.Close()
	}
	if seedDir != "" {
		os.RemoveAll(seedDir)
	}
}

func mustSeeded(b *testing.B) *seeded {
	b.Helper()
	seedOnce.Do(func() {
		// Not b.TempDir: the store outlives the first benchmark that asks.
		seedDir, seedErr = os.MkdirTemp("", "depositdesk-bench-")
		if seedErr != nil {
			return
		}
		seedDB, seedErr = seedStore(context.Background(), filepath.Join(seedDir, "desk.db"), benchRecords(b))
	})
	if seedErr != nil {
		b.Fatal(seedErr)
	}
	return seedDB
}

// seedStore makes a store with four assets, n/100 customers and n records
// over the 365 days before 2026-11-25, the desk's status mix, and times the
// bulk insert alone.
func seedStore(ctx context.Context, path string, n int) (*seeded, error) {
	s, err := Open(ctx, path)
	if err != nil {
		return nil, err
	}
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	sd := &seeded{store: s, newest: at}
	for _, a := range []*core.Asset{
		{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, ConfirmationsRequired: 3},
		{Chain: core.ChainEthereum, Network: "dev", Symbol: "ETH", Decimals: 18, ConfirmationsRequired: 12},
		{Chain: core.ChainEthereum, Network: "dev", Symbol: "USDT", Decimals: 6, ConfirmationsRequired: 12,
			ContractAddress: "0xdAC17F958D2ee523a2206206994597C13D831ec7"},
		{Chain: core.ChainEthereum, Network: "dev", Symbol: "USDC", Decimals: 6, ConfirmationsRequired: 12,
			ContractAddress: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},
	} {
		a.MinDeposit, a.Enabled, a.CreatedAt, a.UpdatedAt = big.NewInt(1), true, at, at
		if err := s.CreateAsset(ctx, a, core.AuditEntry{At: at, Actor: "bench", Action: "asset.create", Entity: "asset", EntityID: a.Key()}); err != nil {
			return nil, err
		}
		sd.assets = append(sd.assets, a)
	}
	for i := range max(n/100, 10) {
		c := &core.Customer{CustomerNo: fmt.Sprintf("C%06d", 100000+i), SecuritiesAccount: fmt.Sprintf("SA-%07d", 2000000+i),
			Name: "Customer " + strconv.Itoa(i), CreatedAt: at}
		if err := s.CreateCustomer(ctx, c, core.AuditEntry{At: at, Actor: "bench", Action: "customer.create", Entity: "customer", EntityID: c.CustomerNo}); err != nil {
			return nil, err
		}
		sd.customers = append(sd.customers, c)
	}
	// Generated up front so the figure is the store's alone.
	recs := slices.Collect(synthetic(n, sd.assets, sd.customers, at))
	start := time.Now()
	got, err := s.BulkInsertDeposits(ctx, slices.Values(recs), storetest.SeedAudit(at))
	if err != nil {
		return nil, err
	} else if got != n {
		return nil, fmt.Errorf("seeded %d of %d records", got, n)
	}
	sd.took = time.Since(start)
	sd.txid = strings.TrimPrefix(recs[n/2].TxID, "0x")
	fmt.Fprintf(os.Stderr, "seeded %d records with BulkInsertDeposits in %v\n", n, sd.took.Round(time.Millisecond))
	return sd, nil
}

// synthetic yields n records, oldest first, spread evenly over the year
// before until, numbered per UTC day, requested up to ten minutes before
// they were created (as internal/seed does); most are credited, a tail in
// every other status, as on a working desk.
func synthetic(n int, assets []*core.Asset, customers []*core.Customer, until time.Time) iter.Seq[*core.DepositRecord] {
	statuses := []core.DepositStatus{}
	for st, w := range map[core.DepositStatus]int{core.StatusCredited: 60, core.StatusVerifying: 10, core.StatusConfirming: 5,
		core.StatusHeld: 3, core.StatusRejected: 2, core.StatusRefunding: 1, core.StatusRefunded: 4, core.StatusCancelled: 12, core.StatusDeleted: 3} {
		for range w {
			statuses = append(statuses, st)
		}
	}
	return func(yield func(*core.DepositRecord) bool) {
		rng := rand.New(rand.NewPCG(1, 2))
		step := 365 * 24 * time.Hour / time.Duration(n)
		var day string
		var seq int64
		for i := range n {
			created := until.Add(-365 * 24 * time.Hour).Add(time.Duration(i) * step).Truncate(time.Microsecond)
			if d := core.RecordNoDay(created); d != day {
				day, seq = d, 0
			}
			seq++
			a, c := assets[rng.IntN(len(assets))], customers[rng.IntN(len(customers))]
			txid := fmt.Sprintf("%016x%016x%016x%016x", rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64())
			src, dst := fmt.Sprintf("bcrt1q%038x", rng.Uint64()), fmt.Sprintf("bcrt1q%038x", i)
			if a.Chain == core.ChainEthereum {
				txid = "0x" + txid
				src, _ = core.NormalizeEthereumAddress(fmt.Sprintf("0x%040x", rng.Uint64()))
				dst, _ = core.NormalizeEthereumAddress(fmt.Sprintf("0x%040x", i))
			}
			rec := &core.DepositRecord{RecordNo: core.FormatRecordNo(created, seq), ClientRequestKey: "seed-" + strconv.Itoa(i),
				CustomerID: c.ID, CustomerNo: c.CustomerNo, SecuritiesAccount: c.SecuritiesAccount, AssetID: a.ID, Network: a.Network,
				Amount: big.NewInt(rng.Int64N(1e12) + 1), SourceAddress: src, DestinationAddress: dst, TxID: txid,
				RequestedAt: created.Add(-time.Duration(rng.IntN(600)) * time.Second), CreatedAt: created, UpdatedAt: created, Status: statuses[rng.IntN(len(statuses))],
				ConfirmationsRequired: a.ConfirmationsRequired}
			if !yield(rec) {
				return
			}
		}
	}
}

// searchCase is one filter combination a back-office page sends.
type searchCase struct {
	name   string
	filter func(sd *seeded) core.DepositFilter
}

// searchCases covers each filter alone and the combinations the Deposit
// Records page makes, up to three filters with a created-time range.
func searchCases() []searchCase {
	credited := core.StatusCredited
	held := core.StatusHeld
	month := func(sd *seeded) (*time.Time, *time.Time) {
		from, to := sd.newest.AddDate(0, -3, 0), sd.newest.AddDate(0, -2, 0)
		return &from, &to
	}
	return []searchCase{
		{"All", func(sd *seeded) core.DepositFilter { return core.DepositFilter{} }},
		{"Range", func(sd *seeded) core.DepositFilter {
			from, to := month(sd)
			return core.DepositFilter{CreatedFrom: from, CreatedTo: to}
		}},
		{"Status", func(sd *seeded) core.DepositFilter { return core.DepositFilter{Status: &held} }},
		{"Asset", func(sd *seeded) core.DepositFilter { return core.DepositFilter{AssetID: &sd.assets[2].ID} }},
		{"Customer", func(sd *seeded) core.DepositFilter {
			return core.DepositFilter{CustomerNo: &sd.customers[7%len(sd.customers)].CustomerNo}
		}},
		{"Account", func(sd *seeded) core.DepositFilter {
			return core.DepositFilter{SecuritiesAccount: &sd.customers[7%len(sd.customers)].SecuritiesAccount}
		}},
		{"StatusAssetRange", func(sd *seeded) core.DepositFilter {
			from, to := month(sd)
			return core.DepositFilter{Status: &credited, AssetID: &sd.assets[1].ID, CreatedFrom: from, CreatedTo: to}
		}},
		{"StatusAssetCustomerRange", func(sd *seeded) core.DepositFilter {
			from, to := month(sd)
			return core.DepositFilter{Status: &credited, AssetID: &sd.assets[0].ID, CustomerNo: &sd.customers[3].CustomerNo,
				CreatedFrom: from, CreatedTo: to}
		}},
		{"RareStatusAssetRange", func(sd *seeded) core.DepositFilter {
			from, to := month(sd)
			return core.DepositFilter{Status: &held, AssetID: &sd.assets[3].ID, CreatedFrom: from, CreatedTo: to}
		}},
		// Request-time order: the same filters on the request-time twins.
		{"ByRequestAll", func(sd *seeded) core.DepositFilter { return core.DepositFilter{Order: core.OrderRequested} }},
		{"ByRequestRange", func(sd *seeded) core.DepositFilter {
			from, to := month(sd)
			return core.DepositFilter{RequestedFrom: from, RequestedTo: to, Order: core.OrderRequested}
		}},
		{"ByRequestStatusAssetCustomerRange", func(sd *seeded) core.DepositFilter {
			from, to := month(sd)
			return core.DepositFilter{Status: &credited, AssetID: &sd.assets[0].ID, CustomerNo: &sd.customers[3].CustomerNo,
				RequestedFrom: from, RequestedTo: to, Order: core.OrderRequested}
		}},
		// Prefixes of a customer number (C100007 at 1M: 10,000 customers of
		// about 100 records): the whole number, and one to three digits
		// less (10, 100, 1,000 customers). The first two are sorted from
		// their range; the wider ones are read in time order.
		{"CustomerPrefixWhole", customerPrefix(0)},
		{"CustomerPrefix10", customerPrefix(1)},
		{"CustomerPrefix100", customerPrefix(2)},
		{"CustomerPrefix1000", customerPrefix(3)},
		{"CustomerPrefix100ByRequest", func(sd *seeded) core.DepositFilter {
			f := customerPrefix(2)(sd)
			f.Order = core.OrderRequested
			return f
		}},
		{"AccountPrefix10", func(sd *seeded) core.DepositFilter {
			a := sd.customers[7%len(sd.customers)].SecuritiesAccount
			return core.DepositFilter{Prefix: true, SecuritiesAccount: ptr(a[:len(a)-1])}
		}},
		{"CustomerPrefix100StatusAsset", func(sd *seeded) core.DepositFilter {
			f := customerPrefix(2)(sd)
			f.Status, f.AssetID = &held, &sd.assets[1].ID
			return f
		}},
		{"RecordNoDayThreeMonthsAgo", func(sd *seeded) core.DepositFilter {
			day := core.RecordNoDay(sd.newest.AddDate(0, -3, 0))
			return core.DepositFilter{Prefix: true, RecordNo: &day}
		}},
		{"TxIDPrefix", func(sd *seeded) core.DepositFilter {
			return core.DepositFilter{Prefix: true, TxID: ptr(sd.txid[:8])}
		}},
		{"TxIDShortened", func(sd *seeded) core.DepositFilter {
			return core.DepositFilter{Prefix: true, TxID: ptr(sd.txid[:6] + "…" + sd.txid[len(sd.txid)-4:])}
		}},
	}
}

// customerPrefix searches a customer's number less its last cut digits.
func customerPrefix(cut int) func(*seeded) core.DepositFilter {
	return func(sd *seeded) core.DepositFilter {
		no := sd.customers[7%len(sd.customers)].CustomerNo
		return core.DepositFilter{Prefix: true, CustomerNo: ptr(no[:len(no)-cut])}
	}
}

// BenchmarkSearch measures one page of 50 for each case, through the store
// (query, scan, amounts parsed), and logs the plan SQLite chose.
func BenchmarkSearch(b *testing.B) {
	sd := mustSeeded(b)
	ctx := context.Background()
	for _, c := range searchCases() {
		b.Run(c.name, func(b *testing.B) {
			f := c.filter(sd)
			f.Limit = core.DefaultPageSize
			if err := f.Validate(); err != nil {
				b.Fatal(err)
			}
			pl, err := searchPlan(ctx, sd.store.read, f)
			if err != nil {
				b.Fatal(err)
			}
			plan, err := explain(ctx, sd.store.read, f, pl)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%+v:\n%s", pl, plan)
			var rows int
			for b.Loop() {
				page, err := sd.store.FindDeposits(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				rows = len(page.Records)
			}
			b.ReportMetric(float64(rows), "rows/op")
		})
	}
}

// BenchmarkCountDeposits counts each case's matches up to the desk's cap,
// as the records page does beside each search.
func BenchmarkCountDeposits(b *testing.B) {
	sd := mustSeeded(b)
	ctx := context.Background()
	for _, c := range searchCases() {
		b.Run(c.name, func(b *testing.B) {
			f := c.filter(sd)
			if err := f.Validate(); err != nil {
				b.Fatal(err)
			}
			var n int
			for b.Loop() {
				var err error
				if n, _, err = sd.store.CountDeposits(ctx, f, core.DepositCountCap); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "matches/op")
		})
	}
}

// BenchmarkSearchThreeFiltersAndRangeNextPage follows the cursor: the second
// page of the three-filter search must cost what the first does.
func BenchmarkSearchThreeFiltersAndRangeNextPage(b *testing.B) {
	sd := mustSeeded(b)
	ctx := context.Background()
	credited := core.StatusCredited
	from, to := sd.newest.AddDate(-1, 0, 0), sd.newest
	f := core.DepositFilter{Status: &credited, AssetID: &sd.assets[1].ID, SecuritiesAccount: &sd.customers[5].SecuritiesAccount,
		CreatedFrom: &from, CreatedTo: &to, Limit: 10}
	first, err := sd.store.FindDeposits(ctx, f)
	if err != nil || first.Next == nil {
		b.Fatalf("first page: %v, next %v", err, first.Next)
	}
	f.After = first.Next
	for b.Loop() {
		if _, err := sd.store.FindDeposits(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHome measures what the Home page asks: the charts' stats over
// the last 30 days (the benchmark's year of records puts ~82,000 records in
// 30 days at 1M; 60 days holds as many as 30 days of `depositctl seed`,
// which spreads its records over 180 days), and a capped queue count.
func BenchmarkHome(b *testing.B) {
	sd := mustSeeded(b)
	ctx := context.Background()
	for _, days := range []int{30, 60} {
		b.Run(fmt.Sprintf("Stats%dDays", days), func(b *testing.B) {
			var records int64
			start := time.Now()
			if _, err := sd.store.DepositStats(ctx, sd.newest.AddDate(0, 0, -days), sd.newest); err != nil {
				b.Fatal(err)
			}
			b.Logf("first (cold) read: %v", time.Since(start).Round(time.Millisecond))
			for b.Loop() {
				st, err := sd.store.DepositStats(ctx, sd.newest.AddDate(0, 0, -days), sd.newest)
				if err != nil {
					b.Fatal(err)
				}
				records = 0
				for _, d := range st.Days {
					records += d.Records
				}
			}
			b.ReportMetric(float64(records), "records/op")
		})
	}
	for _, st := range []core.DepositStatus{core.StatusHeld, core.StatusCredited} {
		b.Run("Count"+string(st), func(b *testing.B) {
			var n int64
			for b.Loop() {
				var err error
				if n, err = sd.store.CountDepositsInStatus(ctx, st, core.QueueCap+1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "counted/op")
		})
	}
}

// BenchmarkHomeStatsParts splits the stats' cost: the index-only counts
// alone, the credited amounts alone, and one pass over the created_at
// range reading every record of it from the table (counts and amounts).
func BenchmarkHomeStatsParts(b *testing.B) {
	sd := mustSeeded(b)
	ctx := context.Background()
	lo, hi := micros(sd.newest.AddDate(0, 0, -30)), micros(sd.newest)
	onePass := `SELECT status, asset_id, created_at / ?, amount FROM deposits INDEXED BY deposits_created WHERE created_at >= ? AND created_at < ?`
	for name, q := range map[string]string{"Counts": statsCountSQL, "CreditedAmounts": statsCreditedSQL, "OnePassFromTable": onePass} {
		b.Run(name, func(b *testing.B) {
			var rows int
			for b.Loop() {
				rs, err := sd.store.read.QueryContext(ctx, q, dayMicros, lo, hi)
				if err != nil {
					b.Fatal(err)
				}
				rows = 0
				cols, _ := rs.Columns()
				vals := make([]any, len(cols))
				for i := range vals {
					vals[i] = new(any)
				}
				for rs.Next() {
					if err := rs.Scan(vals...); err != nil {
						b.Fatal(err)
					}
					rows++
				}
				rs.Close()
			}
			b.ReportMetric(float64(rows), "rows/op")
		})
	}
}

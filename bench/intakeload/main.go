// Command intakeload is the intake API's load test: it starts the API on a
// fresh database (SQLite file, or Postgres) on a loopback port, sends a
// fixed rate of mixed POST and GET requests for a bounded time, and prints
// throughput, status counts and latency percentiles. Latency is measured
// from when each request was due, not when it was sent, so a server that
// falls behind cannot hide it. With -find it steps the rate up (-from, by
// -step) until a step's p99 exceeds -p99 (or requests fail, or the rate is
// not sustained) twice in a row and reports the highest rate that held. It talks to
// 127.0.0.1 (and the Postgres server it is given) only and stops by itself.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"depositdesk/core"
	"depositdesk/intake"
	"depositdesk/internal/pgtest"
	"depositdesk/internal/testkeys"
	"depositdesk/internal/wire"
	"depositdesk/storage/postgres"
	"depositdesk/storage/sqlite"
)

const (
	srcBTC = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
	// maxDuration bounds a step whatever the flags say.
	maxDuration = 2 * time.Minute
	// settle is the pause between two steps of -find: the previous step's
	// last writes and checkpoints finish before the next is timed.
	settle = 3 * time.Second
)

type options struct {
	rate     int
	duration time.Duration
	postPct  int
	workers  int
	p99Max   time.Duration
	dbs      []string
	require  []string // the databases on which rate must hold
	pgURL    string
	find     bool
	from     int
	step     int
	max      int
}

func main() {
	var o options
	var dbs, require string
	flag.IntVar(&o.rate, "rate", 2000, "requests per second; with -find, the rate that must hold")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send at each rate (at most 2m)")
	flag.IntVar(&o.postPct, "post", 50, "percentage of POSTs; the rest are GETs of created records")
	flag.IntVar(&o.workers, "workers", 256, "concurrent connections")
	flag.DurationVar(&o.p99Max, "p99", 50*time.Millisecond, "fail when p99 latency exceeds this")
	flag.StringVar(&dbs, "db", "sqlite", "databases to run on, comma-separated: sqlite, postgres")
	flag.StringVar(&require, "require", "", "the databases of -db on which -rate must hold (default: all); on the others -find only reports")
	flag.StringVar(&o.pgURL, "pg", "", "Postgres URL of an empty database to fill (default: a throwaway cluster, as the tests start)")
	flag.BoolVar(&o.find, "find", false, "step the rate from -from by -step up to -max and report the highest whose p99 holds")
	flag.IntVar(&o.from, "from", 1000, "first rate of -find")
	flag.IntVar(&o.step, "step", 500, "rate increment of -find")
	flag.IntVar(&o.max, "max", 8000, "last rate -find tries")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (server and load) to this file")
	mutexProfile := flag.String("mutexprofile", "", "write a mutex contention profile of the whole run to this file")
	blockProfile := flag.String("blockprofile", "", "write a blocking profile of the whole run to this file")
	flag.Parse()
	o.dbs = strings.Split(dbs, ",")
	o.require = o.dbs
	if require != "" {
		o.require = strings.Split(require, ",")
	}
	o.duration = min(o.duration, maxDuration)
	if o.step <= 0 || o.from <= 0 {
		fail(errors.New("-from and -step must be positive"))
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	if *mutexProfile != "" {
		runtime.SetMutexProfileFraction(5)
	}
	if *blockProfile != "" {
		runtime.SetBlockProfileRate(int(10 * time.Microsecond))
	}
	err := run(o)
	pprof.StopCPUProfile()
	for name, file := range map[string]string{"mutex": *mutexProfile, "block": *blockProfile} {
		if file == "" {
			continue
		}
		if werr := writeProfile(name, file); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "intakeload:", err)
	os.Exit(1)
}

func writeProfile(name, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup(name).WriteTo(f, 0)
}

// run loads each database in turn; every one must hold.
func run(o options) error {
	var errs []error
	for _, db := range o.dbs {
		if err := runOn(db, o); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", db, err))
		}
	}
	return errors.Join(errs...)
}

func runOn(db string, o options) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, closeStore, err := openStore(ctx, db, o.pgURL)
	if err != nil {
		return err
	}
	defer closeStore()
	api, token, err := setup(ctx, store)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- api.Serve(ctx, ln) }()
	defer func() {
		cancel()
		<-served
	}()

	l := &loader{base: "http://" + ln.Addr().String(), token: token, client: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: o.workers, MaxConnsPerHost: o.workers},
	}}
	// Some records to read from the first GET on.
	for i := range 200 {
		if _, err := l.post(fmt.Sprintf("warm-%d", i)); err != nil {
			return fmt.Errorf("warm up: %w", err)
		}
	}
	if !o.find {
		err := l.drive(o, o.rate).report(o, db, o.rate)
		if err != nil && !slices.Contains(o.require, db) {
			fmt.Printf("%s: %v (reported, not required)\n", db, err)
			return nil
		}
		return err
	}
	fmt.Printf("intake load on %s: each rate for %s, %d%% POST, loopback, the generator in the same process; a step holds when p99 <= %s, nothing fails and 98%% of the rate is sustained\n",
		db, o.duration, o.postPct, o.p99Max)
	best := 0
	for rate := o.from; rate <= o.max; rate += o.step {
		var err error
		// A failing step runs once more before it counts: the machine is
		// shared, and one other program's burst can fail a 30 s step.
		for try := 0; try < 2; try++ {
			r := l.drive(o, rate)
			err = r.check(o, rate)
			fmt.Println(r.line(rate, err))
			time.Sleep(settle)
			if err == nil {
				break
			}
		}
		if err != nil {
			break
		}
		best = rate
	}
	if best == 0 {
		fmt.Printf("%s: no rate held; the lowest tried was %d req/s\n", db, o.from)
	} else {
		fmt.Printf("%s: highest sustained rate with p99 <= %s for %s: %d req/s (steps of %d)\n", db, o.p99Max, o.duration, best, o.step)
	}
	if best < o.rate && slices.Contains(o.require, db) {
		return fmt.Errorf("the highest rate that held, %d req/s, is below %d req/s", best, o.rate)
	}
	return nil
}

// openStore opens a fresh database of the named engine. Postgres is the
// database at pgURL, else a throwaway cluster started for the run.
func openStore(ctx context.Context, db, pgURL string) (core.Store, func(), error) {
	switch db {
	case "sqlite":
		dir, err := os.MkdirTemp("", "intakeload")
		if err != nil {
			return nil, nil, err
		}
		st, err := sqlite.Open(ctx, filepath.Join(dir, "load.db"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return st, func() { st.Close(); os.RemoveAll(dir) }, nil
	case "postgres":
		stop := func() {}
		if pgURL == "" {
			var err error
			if pgURL, stop, err = pgtest.StartServer(); err != nil {
				return nil, nil, err
			}
		}
		st, err := postgres.Open(ctx, pgURL)
		if err != nil {
			stop()
			return nil, nil, err
		}
		return st, func() { st.Close(); stop() }, nil
	}
	return nil, nil, fmt.Errorf("unknown database %q (sqlite, postgres)", db)
}

// setup makes the desk: an administrator, BTC on regtest, a customer, and
// an intake client with a rate limit above the test's rate.
func setup(ctx context.Context, st core.Store) (*intake.Server, string, error) {
	svc := wire.NewService(st)
	op, err := svc.Bootstrap(ctx, "admin", "load-admin-password")
	if err != nil {
		return nil, "", err
	}
	admin := core.NewContextWithOperator(ctx, op)
	// The load's customer gets a derived deposit address like any other.
	xpub, err := testkeys.AccountXPub("deposit desk intake load seed!!!", 84, 1, &chaincfg.RegressionNetParams)
	if err != nil {
		return nil, "", err
	}
	if err := svc.CreateAsset(admin, &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8,
		MinDeposit: big.NewInt(10_000), ConfirmationsRequired: 3, Enabled: true, AccountXPub: xpub}); err != nil {
		return nil, "", err
	}
	if err := svc.CreateCustomer(admin, &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-20001", Name: "Load Test"}); err != nil {
		return nil, "", err
	}
	_, token, err := svc.CreateAPIClient(admin, "load", []core.Scope{core.ScopeIntake})
	if err != nil {
		return nil, "", err
	}
	api := intake.New(intake.Config{Service: svc, RatePerSecond: 1e6, Burst: 1e6})
	return api, token, nil
}

type loader struct {
	base, token string
	client      *http.Client
	mu          sync.Mutex
	records     []string
	keys        atomic.Int64
}

func (l *loader) post(key string) (int, error) {
	b, _ := json.Marshal(map[string]string{"customer_no": "C10001", "securities_account": "SA-20001", "asset": "BTC",
		"network": "regtest", "amount": "0." + strconv.Itoa(1_000_000+rand.IntN(8_999_999)), "source_address": srcBTC})
	req, _ := http.NewRequest(http.MethodPost, l.base+"/v1/deposit-requests", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	return l.do(req, true)
}

func (l *loader) get() (int, error) {
	l.mu.Lock()
	no := l.records[rand.IntN(len(l.records))]
	l.mu.Unlock()
	req, _ := http.NewRequest(http.MethodGet, l.base+"/v1/deposit-requests/"+no, nil)
	return l.do(req, false)
}

func (l *loader) do(req *http.Request, remember bool) (int, error) {
	req.Header.Set("Authorization", "Bearer "+l.token)
	res, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode >= 300 {
		return res.StatusCode, errors.New(string(raw))
	}
	if remember {
		var v intake.DepositRequestView
		if err := json.Unmarshal(raw, &v); err != nil {
			return res.StatusCode, err
		}
		l.mu.Lock()
		l.records = append(l.records, v.RecordNo)
		l.mu.Unlock()
	}
	return res.StatusCode, nil
}

type sample struct {
	post    bool
	status  int
	latency time.Duration
}

type result struct {
	elapsed time.Duration
	samples []sample
	errs    map[string]int
	load    string // at the end of the run
}

// drive sends rate requests a second for o.duration, open loop: each
// request is due at start + i/rate whether or not earlier ones returned.
func (l *loader) drive(o options, rate int) result {
	due := make(chan time.Time, rate) // up to a second of backlog
	out := make(chan sample, o.workers)
	var wg sync.WaitGroup
	errs := map[string]int{}
	var errMu sync.Mutex
	for range o.workers {
		wg.Go(func() {
			for at := range due {
				isPost := rand.IntN(100) < o.postPct
				var status int
				var err error
				if isPost {
					status, err = l.post("load-" + strconv.FormatInt(l.keys.Add(1), 10))
				} else {
					status, err = l.get()
				}
				if err != nil {
					errMu.Lock()
					errs[fmt.Sprintf("%d %.80s", status, err.Error())]++
					errMu.Unlock()
				}
				out <- sample{post: isPost, status: status, latency: time.Since(at)}
			}
		})
	}
	var samples []sample
	collected := make(chan struct{})
	go func() {
		for s := range out {
			samples = append(samples, s)
		}
		close(collected)
	}()
	start := time.Now()
	total := int(o.duration.Seconds() * float64(rate))
	interval := time.Second / time.Duration(rate)
	for i := range total {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		due <- at
	}
	close(due)
	wg.Wait()
	elapsed := time.Since(start)
	close(out)
	<-collected
	return result{elapsed: elapsed, samples: samples, errs: errs, load: loadAverage()}
}

// loadAverage is the machine's 1/5/15-minute load average: the figures are
// only as good as the machine was quiet.
func loadAverage() string {
	la, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(la))[:3], " ")
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

func (r result) latencies(keep func(sample) bool) []time.Duration {
	var out []time.Duration
	for _, s := range r.samples {
		if keep(s) {
			out = append(out, s.latency)
		}
	}
	slices.Sort(out)
	return out
}

func (r result) achieved() float64 { return float64(len(r.samples)) / r.elapsed.Seconds() }

func (r result) failed() int {
	n := 0
	for _, c := range r.errs {
		n += c
	}
	return n
}

// check says why the run at rate did not hold, or nil.
func (r result) check(o options, rate int) error {
	p99 := pct(r.latencies(func(sample) bool { return true }), .99)
	switch {
	case len(r.errs) > 0:
		return fmt.Errorf("%d failed requests", r.failed())
	case p99 > o.p99Max:
		return fmt.Errorf("p99 %s exceeds %s", p99.Round(time.Microsecond), o.p99Max)
	case r.achieved() < 0.98*float64(rate):
		return fmt.Errorf("sustained %.0f req/s, below %d", r.achieved(), rate)
	}
	return nil
}

// line is one step of -find.
func (r result) line(rate int, err error) string {
	all := r.latencies(func(sample) bool { return true })
	verdict := "holds"
	if err != nil {
		verdict = "FAILS: " + err.Error()
	}
	return fmt.Sprintf("rate %5d/s  sustained %5.0f/s  p50 %-9s p95 %-9s p99 %-9s max %-9s errors %d  load %s (%d CPUs)  %s",
		rate, r.achieved(), pct(all, .50).Round(time.Microsecond), pct(all, .95).Round(time.Microsecond),
		pct(all, .99).Round(time.Microsecond), pct(all, 1).Round(time.Microsecond), r.failed(), r.load, runtime.NumCPU(), verdict)
}

func (r result) report(o options, db string, rate int) error {
	statuses := map[int]int{}
	for _, s := range r.samples {
		statuses[s.status]++
	}
	fmt.Printf("intake load: %d requests in %.1f s = %.0f req/s (target %d req/s for %s, %d%% POST), %s, loopback\n",
		len(r.samples), r.elapsed.Seconds(), r.achieved(), rate, o.duration, o.postPct, db)
	fmt.Printf("load average at the end (1/5/15 min, %d CPUs): %s\n", runtime.NumCPU(), r.load)
	fmt.Printf("statuses: %v\n", statuses)
	for _, row := range []struct {
		name string
		d    []time.Duration
	}{
		{"all", r.latencies(func(sample) bool { return true })},
		{"POST", r.latencies(func(s sample) bool { return s.post })},
		{"GET", r.latencies(func(s sample) bool { return !s.post })},
	} {
		fmt.Printf("%-4s  n=%-6d p50=%-9s p95=%-9s p99=%-9s max=%s\n", row.name, len(row.d),
			pct(row.d, .50).Round(time.Microsecond), pct(row.d, .95).Round(time.Microsecond),
			pct(row.d, .99).Round(time.Microsecond), pct(row.d, 1).Round(time.Microsecond))
	}
	for e, n := range r.errs {
		fmt.Printf("error x%d: %s\n", n, e)
	}
	if err := r.check(o, rate); err != nil {
		return err
	}
	fmt.Printf("PASS: p99 %s <= %s at %.0f req/s\n", pct(r.latencies(func(sample) bool { return true }), .99).Round(time.Microsecond), o.p99Max, r.achieved())
	return nil
}

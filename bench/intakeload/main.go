// Command intakeload is the intake API's load test: it starts the API on a
// fresh SQLite file on a loopback port, sends a fixed rate of mixed POST and
// GET requests for a bounded time, and prints throughput, status counts and
// latency percentiles. Latency is measured from when each request was due,
// not when it was sent, so a server that falls behind cannot hide it.
// It talks to 127.0.0.1 only and stops by itself.
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
	"depositdesk/internal/testkeys"
	"depositdesk/internal/wire"
	"depositdesk/storage/sqlite"
)

const (
	srcBTC = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
	// maxDuration bounds a run whatever the flags say.
	maxDuration = 2 * time.Minute
)

type options struct {
	rate     int
	duration time.Duration
	postPct  int
	workers  int
	p99Max   time.Duration
}

func main() {
	var o options
	flag.IntVar(&o.rate, "rate", 2000, "requests per second")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send (at most 2m)")
	flag.IntVar(&o.postPct, "post", 50, "percentage of POSTs; the rest are GETs of created records")
	flag.IntVar(&o.workers, "workers", 256, "concurrent connections")
	flag.DurationVar(&o.p99Max, "p99", 50*time.Millisecond, "fail when p99 latency exceeds this")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (server and load) to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "intakeload:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	o.duration = min(o.duration, maxDuration)
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "intakeload:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(o options) error {
	dir, err := os.MkdirTemp("", "intakeload")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	api, token, err := setup(ctx, filepath.Join(dir, "load.db"))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- api.Serve(ctx, ln) }()

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
	res := l.drive(o)
	cancel()
	if err := <-served; err != nil {
		return err
	}
	return res.report(o)
}

// setup makes the desk: an administrator, BTC on regtest, a customer, and
// an intake client with a rate limit above the test's rate.
func setup(ctx context.Context, path string) (*intake.Server, string, error) {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, "", err
	}
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
}

// drive sends o.rate requests a second for o.duration, open loop: each
// request is due at start + i/rate whether or not earlier ones returned.
func (l *loader) drive(o options) result {
	due := make(chan time.Time, o.rate) // up to a second of backlog
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
	total := int(o.duration.Seconds() * float64(o.rate))
	interval := time.Second / time.Duration(o.rate)
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
	return result{elapsed: elapsed, samples: samples, errs: errs}
}

func (r result) report(o options) error {
	lat := func(keep func(sample) bool) []time.Duration {
		var out []time.Duration
		for _, s := range r.samples {
			if keep(s) {
				out = append(out, s.latency)
			}
		}
		slices.Sort(out)
		return out
	}
	pct := func(d []time.Duration, p float64) time.Duration {
		if len(d) == 0 {
			return 0
		}
		return d[min(len(d)-1, int(float64(len(d))*p))]
	}
	statuses := map[int]int{}
	for _, s := range r.samples {
		statuses[s.status]++
	}
	fmt.Printf("intake load: %d requests in %.1f s = %.0f req/s (target %d req/s for %s, %d%% POST), SQLite, loopback\n",
		len(r.samples), r.elapsed.Seconds(), float64(len(r.samples))/r.elapsed.Seconds(), o.rate, o.duration, o.postPct)
	// The figures are only as good as the machine was quiet: say how busy it was.
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average at the end (1/5/15 min, %d CPUs): %s\n", runtime.NumCPU(), strings.Join(strings.Fields(string(la))[:3], " "))
	}
	fmt.Printf("statuses: %v\n", statuses)
	for _, row := range []struct {
		name string
		d    []time.Duration
	}{
		{"all", lat(func(sample) bool { return true })},
		{"POST", lat(func(s sample) bool { return s.post })},
		{"GET", lat(func(s sample) bool { return !s.post })},
	} {
		fmt.Printf("%-4s  n=%-6d p50=%-9s p95=%-9s p99=%-9s max=%s\n", row.name, len(row.d),
			pct(row.d, .50).Round(time.Microsecond), pct(row.d, .95).Round(time.Microsecond),
			pct(row.d, .99).Round(time.Microsecond), pct(row.d, 1).Round(time.Microsecond))
	}
	for e, n := range r.errs {
		fmt.Printf("error x%d: %s\n", n, e)
	}
	p99 := pct(lat(func(sample) bool { return true }), .99)
	achieved := float64(len(r.samples)) / r.elapsed.Seconds()
	switch {
	case len(r.errs) > 0:
		return fmt.Errorf("%d kinds of failed requests", len(r.errs))
	case p99 > o.p99Max:
		return fmt.Errorf("p99 %s exceeds %s", p99, o.p99Max)
	case achieved < 0.98*float64(o.rate):
		return fmt.Errorf("sustained %.0f req/s, below %d", achieved, o.rate)
	}
	fmt.Printf("PASS: p99 %s <= %s at %.0f req/s\n", p99.Round(time.Microsecond), o.p99Max, achieved)
	return nil
}

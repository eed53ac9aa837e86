package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"depositdesk/intake"
)

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
	load    string        // at the end of the run
	cpu     time.Duration // the process's CPU time during the run
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
	start, cpu := time.Now(), processCPU()
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
	return result{elapsed: elapsed, samples: samples, errs: errs, load: loadAverage(), cpu: processCPU() - cpu}
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

// cpuPerRequest is the process's CPU time per request answered, server and
// generator together. Unlike the latencies it hardly depends on what else
// the machine runs, so before/after runs on a busy machine compare by it.
func (r result) cpuPerRequest() time.Duration {
	if len(r.samples) == 0 {
		return 0
	}
	return r.cpu / time.Duration(len(r.samples))
}

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
	// The most frequent failure says whether the desk refused or the
	// client gave up waiting.
	worst, most := "", 0
	for e, n := range r.errs {
		if n > most || (n == most && e < worst) {
			worst, most = e, n
		}
	}
	if most > 0 {
		verdict += fmt.Sprintf(" (most often, x%d: %s)", most, worst)
	}
	return fmt.Sprintf("rate %5d/s  sustained %5.0f/s  p50 %-9s p95 %-9s p99 %-9s max %-9s errors %d  cpu/req %-7s load %s (%d CPUs)  %s",
		rate, r.achieved(), pct(all, .50).Round(time.Microsecond), pct(all, .95).Round(time.Microsecond),
		pct(all, .99).Round(time.Microsecond), pct(all, 1).Round(time.Microsecond), r.failed(),
		r.cpuPerRequest().Round(time.Microsecond), r.load, runtime.NumCPU(), verdict)
}

func (r result) report(o options, db string, rate int) error {
	statuses := map[int]int{}
	for _, s := range r.samples {
		statuses[s.status]++
	}
	fmt.Printf("intake load: %d requests in %.1f s = %.0f req/s (target %d req/s for %s, %d%% POST), %s, loopback\n",
		len(r.samples), r.elapsed.Seconds(), r.achieved(), rate, o.duration, o.postPct, db)
	fmt.Printf("load average at the end (1/5/15 min, %d CPUs): %s\n", runtime.NumCPU(), r.load)
	fmt.Printf("process CPU (server and generator): %s per request, %.2f cores\n",
		r.cpuPerRequest().Round(time.Microsecond), r.cpu.Seconds()/r.elapsed.Seconds())
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

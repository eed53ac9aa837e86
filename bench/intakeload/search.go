package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"depositdesk/bench/benchline"
)

// engines are the servers -find searches; "bare" is the baseline.
var engines = []string{"sqlite", "postgres", "bare"}

// perEngine is a flag holding one value for every engine ("500") or values
// by engine ("sqlite=1000,postgres=250"); an engine not named keeps its
// default.
type perEngine map[string]int

func (p perEngine) String() string {
	var parts []string
	for _, e := range engines {
		parts = append(parts, e+"="+strconv.Itoa(p[e]))
	}
	return strings.Join(parts, ",")
}

func (p perEngine) Set(s string) error {
	if n, err := strconv.Atoi(s); err == nil {
		for _, e := range engines {
			p[e] = n
		}
		return nil
	}
	for _, part := range strings.Split(s, ",") {
		e, v, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || !slices.Contains(engines, e) {
			return fmt.Errorf("%q is not engine=number (engines: %s)", part, strings.Join(engines, ", "))
		}
		p[e] = n
	}
	return nil
}

// found is what a search ends with: the highest rate that held (0 if none)
// and that step's p99, or the lowest step's p99 when none held.
type found struct {
	rate int
	p99  time.Duration
}

// print writes the search's benchmark line.
func (f found) print(name string) {
	err := benchline.Print(os.Stdout, name, 1,
		benchline.Metric{Value: float64(f.rate), Unit: "req/s-held"},
		benchline.Metric{Value: ms(f.p99), Unit: "ms-p99"})
	if err != nil {
		fail(err)
	}
}

// printFixed writes the benchmark line of a run at one fixed rate.
func (r result) printFixed(name string, rate int) {
	all := r.latencies(func(sample) bool { return true })
	err := benchline.Print(os.Stdout, fmt.Sprintf("%s/rate=%d", name, rate), 1,
		benchline.Metric{Value: ms(pct(all, .50)), Unit: "ms-p50"},
		benchline.Metric{Value: ms(pct(all, .95)), Unit: "ms-p95"},
		benchline.Metric{Value: ms(pct(all, .99)), Unit: "ms-p99"})
	if err != nil {
		fail(err)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// search finds the highest rate that holds on engine, in a bounded number
// of steps: from -from it doubles the rate until one fails or -max is
// reached, then halves the gap between the highest that held and the
// lowest that failed until it is at most -step (below -from too, when even
// that failed). At most -steps rates are tried, so a 30 s step costs at
// most -steps minutes with the retries and pauses.
func (l *loader) search(o options, engine string) found {
	from, step, top := o.from[engine], o.step[engine], o.max[engine]
	fmt.Printf("intake load on %s: each rate for %s, %d%% POST, loopback, the generator in the same process; a step holds when p99 <= %s, nothing fails and 98%% of the rate is sustained; from %d/s doubling to at most %d/s, then halving the gap down to %d/s, at most %d rates\n",
		engine, o.duration, o.postPct, o.p99Max, from, top, step, o.steps)
	tried := 0
	try := func(rate int) (time.Duration, bool) {
		tried++
		var p99 time.Duration
		// A failing step runs once more before it counts: the machine is
		// shared, and one other program's burst can fail a 30 s step.
		for range 2 {
			r := l.drive(o, rate)
			err := r.check(o, rate)
			fmt.Println(r.line(rate, err))
			time.Sleep(o.settle())
			p99 = pct(r.latencies(func(sample) bool { return true }), .99)
			if err == nil {
				return p99, true
			}
		}
		return p99, false
	}
	var best found
	failed := 0 // the lowest rate that failed, 0 while none has
	// held tries rate and keeps the outcome: the best rate that held, or
	// the lowest that failed (whose p99 stands while nothing has held).
	held := func(rate int) bool {
		p99, ok := try(rate)
		switch {
		case ok:
			best = found{rate, p99}
		case best.rate == 0:
			failed, best.p99 = rate, p99
		default:
			failed = rate
		}
		return ok
	}
	for rate := from; tried < o.steps; rate = min(2*rate, top) {
		if !held(rate) || rate == top {
			break
		}
	}
	for failed > 0 && failed-best.rate > step && tried < o.steps {
		rate := best.rate + max(step, (failed-best.rate)/2/step*step)
		if rate >= failed {
			break
		}
		held(rate)
	}
	if best.rate == 0 {
		fmt.Printf("%s: no rate held; the lowest tried failed\n", engine)
	} else {
		fmt.Printf("%s: highest sustained rate with p99 <= %s for %s: %d req/s (p99 %s; the lowest that failed: %d/s, 0 if none)\n",
			engine, o.p99Max, o.duration, best.rate, best.p99.Round(time.Microsecond), failed)
	}
	return best
}

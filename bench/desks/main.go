// Command desks measures several desks on one Postgres: N desk processes,
// each logged in as its own operator with its Deposit Records page open,
// search with varied filters and now and then cancel a record under
// verification, while the intake API takes new applications at a steady
// rate. For every cancel it measures how long until every other desk's
// open page shows the record as Cancelled (LISTEN/NOTIFY, the page's
// spaced reload, its search). First, as the baseline, one desk alone
// does the same with no intake and no other desk.
//
// The desk processes are this program run again with -desk. A desk is
// not the Fyne page itself (its state is the ui package's own), but the
// mechanism the page uses: the store's change listener, a reload at most
// once per live gap, the page's search through core.Service.
//
// It exits non-zero when a cancel never reaches a desk, a record is
// cancelled twice, a desk's cancel fails other than as a clean conflict,
// or a desk process dies.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"depositdesk/bench/benchline"
	"depositdesk/core"
)

type options struct {
	pgURL       string // the server's (parent) or the database's (-desk)
	desks       int
	duration    time.Duration
	alone       time.Duration
	rate        int
	conns       int
	records     int
	pool        int
	think       time.Duration
	cancelEvery time.Duration
	pick        int
	drain       time.Duration

	desk      int           // this process is desk number desk (1-based)
	since     string        // -desk: the run's start, RFC 3339
	cancelMin time.Duration // -desk: the least time between two cancels
}

func main() {
	var o options
	flag.StringVar(&o.pgURL, "pg", "", "URL of a running Postgres server to create the benchmark's database on (default: a throwaway server)")
	flag.IntVar(&o.desks, "desks", 5, "desk processes sharing the database")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long the desks search and cancel beside the intake")
	flag.DurationVar(&o.alone, "alone", 10*time.Second, "how long the baseline's desk runs alone")
	flag.IntVar(&o.rate, "rate", 200, "new applications a second sent to the intake API")
	flag.IntVar(&o.conns, "conns", 64, "the intake's client connections")
	flag.IntVar(&o.records, "records", 5000, "seeded history of records")
	flag.IntVar(&o.pool, "pool", 200, "applications under verification made before the run, to cancel")
	flag.DurationVar(&o.think, "think", 50*time.Millisecond, "an operator's pause between searches (±50 %)")
	flag.DurationVar(&o.cancelEvery, "cancel-every", time.Second, "how often each desk cancels a record (±50 %)")
	flag.IntVar(&o.pick, "pick", 3, "a cancel picks one of this many newest records under verification (fewer: more conflicts)")
	flag.DurationVar(&o.drain, "drain", 3*time.Second, "how long the pages stay open after the last cancel")
	flag.IntVar(&o.desk, "desk", 0, "internal: run as this desk's process")
	flag.StringVar(&o.since, "since", "", "internal: the run's start")
	flag.DurationVar(&o.cancelMin, "cancel-min", 0, "internal: the least time between two cancels")
	flag.Parse()
	run := runBench
	if o.desk > 0 {
		run = runDesk
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "desks: %v\n", err)
		os.Exit(1)
	}
}

func runBench(o options) error {
	if o.desks < 2 || o.rate < 1 || o.pick < 1 || o.conns < 1 {
		return errors.New("-desks must be at least 2, -rate, -pick and -conns at least 1")
	}
	if o.drain <= core.LiveGap {
		return fmt.Errorf("-drain must exceed the live gap, %s", core.LiveGap)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	dbURL, drop, err := database(ctx, o.pgURL)
	if err != nil {
		return err
	}
	defer drop()
	fmt.Printf("desks: database created in %.1f s\n", time.Since(start).Seconds())
	start = time.Now()
	d, since, err := setUp(ctx, dbURL, o)
	if err != nil {
		return err
	}
	defer d.store.Close()
	fmt.Printf("desks: set up in %.1f s (%d records seeded, %d under verification to cancel, %d operators)\n",
		time.Since(start).Seconds(), o.records, o.pool, o.desks)

	// Alone, cancels come more than a live gap apart, as one operator's
	// would: the reach is then the mechanism's own (NOTIFY, the reload),
	// the floor the shared figure is held against.
	alone, err := runPhase(ctx, o, dbURL, since, []int{1}, o.alone, core.LiveGap+100*time.Millisecond)
	if err != nil {
		return fmt.Errorf("desk alone: %w", err)
	}
	aloneSum, aloneErr := alone.summarize()

	// The intake stops before the database is checked; the check still
	// needs ctx.
	intakeCtx, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	base, served, err := startIntake(intakeCtx, d)
	if err != nil {
		return err
	}
	f := &feeder{base: base, token: d.token, client: &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns}}}
	feedCtx, stopFeed := context.WithCancel(ctx)
	fed := make(chan struct{})
	go func() { defer close(fed); f.feed(feedCtx, o.rate, o.conns) }()
	desks := make([]int, o.desks)
	for i := range desks {
		desks[i] = i + 1
	}
	shared, err := runPhase(ctx, o, dbURL, since, desks, o.duration, 0)
	stopFeed()
	<-fed
	if err != nil {
		return fmt.Errorf("desks shared: %w", err)
	}
	sharedSum, sharedErr := shared.summarize()
	intakeRate := float64(f.sent.Load()) / f.elapsed.Seconds()
	fmt.Printf("intake: %d applications in %.1f s = %.0f/s (asked %d/s: lower means the intake fell behind), %d failed %s\n",
		f.sent.Load(), f.elapsed.Seconds(), intakeRate, o.rate, f.failed.Load(), f.lastErr)
	stopIntake()
	if err := <-served; err != nil {
		return fmt.Errorf("intake: %w", err)
	}

	errs := []error{aloneErr, sharedErr, audited(d, alone, shared)}
	aloneSum.describe("alone", 1)
	sharedSum.describe("shared", o.desks)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := benchline.Print(os.Stdout, "BenchmarkDesks/engine=postgres/desks=1/side=alone", 1,
		benchline.Metric{Value: ms(aloneSum.reachP50), Unit: "ms-p50-reach"},
		benchline.Metric{Value: ms(aloneSum.reachP95), Unit: "ms-p95-reach"},
		benchline.Metric{Value: float64(aloneSum.changes), Unit: "changes"},
		benchline.Metric{Value: aloneSum.searchRate, Unit: "searches/s"},
		benchline.Metric{Value: ms(aloneSum.searchP95), Unit: "ms-p95-search"}); err != nil {
		return err
	}
	return benchline.Print(os.Stdout, fmt.Sprintf("BenchmarkDesks/engine=postgres/desks=%d/side=shared", o.desks), 1,
		benchline.Metric{Value: ms(sharedSum.reachP50), Unit: "ms-p50-reach"},
		benchline.Metric{Value: ms(sharedSum.reachP95), Unit: "ms-p95-reach"},
		benchline.Metric{Value: float64(sharedSum.changes), Unit: "changes"},
		benchline.Metric{Value: sharedSum.searchRate, Unit: "searches/s"},
		benchline.Metric{Value: ms(sharedSum.searchP95), Unit: "ms-p95-search"},
		benchline.Metric{Value: float64(sharedSum.conflicts), Unit: "conflicts"},
		// What the intake took meanwhile: below -rate, the desks ran beside
		// a lighter intake than asked.
		benchline.Metric{Value: intakeRate, Unit: "intake-req/s"})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loadAverage is the machine's 1/5/15-minute load average: the figures are
// only as good as the machine was quiet.
func loadAverage() string {
	la, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(la))[:3], " ")
}

// Command searchbench measures every search the Deposit Records page can
// run, on a seeded database of either engine: for each filter combination
// the page offers, its page of 50 and its count of matches (capped as the
// page shows it), p50/p95 through core.Service in process (the desk) and of
// the very same SQL run by the engine's own client in the same run (the
// engine: the sqlite3 CLI with the file mapped as depositctl maps it, or psql
// with the desk's session settings). One result line per (filter, op,
// side) in the Go benchmark format (bench/benchline):
//
//	BenchmarkSearch/engine=sqlite/filter=customer-prefix/op=page/side=desk  200  0.21 ms-p50  0.35 ms-p95
//
// Usage: searchbench -engine sqlite -db FILE, or searchbench -engine
// postgres -pg URL; the database seeded by depositctl seed, the operator's
// password in DEPOSITDESK_PASSWORD.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"depositdesk/bench/benchline"
	"depositdesk/core"
)

func main() {
	engineName := flag.String("engine", "sqlite", "sqlite or postgres")
	db := flag.String("db", "", "seeded SQLite file (-engine sqlite)")
	pg := flag.String("pg", "", "seeded Postgres database URL (-engine postgres)")
	runs := flag.Int("runs", 1000, "timed runs per filter and op on each side")
	block := flag.Int("block", 0, "runs each side makes before the other's turn (default: the engine's, 50 on sqlite, 1 on postgres)")
	only := flag.String("filters", "", "comma-separated filter names to run (default: all)")
	operator := flag.String("operator", "admin", "operator (password in DEPOSITDESK_PASSWORD)")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the desk's side to this file")
	flag.Parse()
	if err := run(*engineName, *db, *pg, *operator, *only, *profile, *runs, *block); err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
		os.Exit(1)
	}
}

func run(engineName, db, pg, operator, only, profile string, runs, block int) error {
	if runs < 1 || block < 0 {
		return fmt.Errorf("-runs must be at least 1 and -block at least 0")
	}
	ctx := context.Background()
	eng, err := openEngine(ctx, engineName, db, pg)
	if err != nil {
		return err
	}
	defer eng.close()
	if block == 0 {
		block = eng.block()
	}
	svc := core.NewService(eng.store())
	op, err := svc.Login(ctx, operator, os.Getenv("DEPOSITDESK_PASSWORD"))
	if err != nil {
		return err
	}
	ctx = core.NewContextWithOperator(ctx, op)
	ops, err := buildOps(ctx, svc, eng, runs, only)
	if err != nil {
		return err
	}
	if profile != "" {
		stop, err := startProfile(profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	fmt.Printf("engine %s: %d searches (filter, op), %d runs each side, page of %d, count capped at %d; engine side: %s\n",
		eng.name(), len(ops), runs, core.DefaultPageSize, core.DepositCountCap, eng.clock())
	fmt.Printf("load average before: %s\n", loadavg())
	start := time.Now()
	// Desk and engine alternate in blocks, every search in turn, so that
	// whatever else the machine does meanwhile lands on both sides and on
	// every search alike.
	for from := 0; from < runs; from += block {
		to := min(from+block, runs)
		for _, o := range ops {
			d, err := deskBlock(ctx, svc, o, from, to, eng.cpu())
			if err != nil {
				return fmt.Errorf("%s %s: desk: %w", o.filter, o.kind, err)
			}
			e, err := eng.time(o.stmts[from:to])
			if err != nil {
				return fmt.Errorf("%s %s: %s: %w", o.filter, o.kind, eng.name(), err)
			}
			o.desk = append(o.desk, d...)
			o.engine = append(o.engine, e...)
		}
	}
	fmt.Printf("load average after: %s (%.1f s)\n\n", loadavg(), time.Since(start).Seconds())
	return report(eng, ops, runs)
}

// report prints the result lines, then the worst search by the desk's p95
// and by its ratio to the engine.
func report(eng engine, ops []*op, runs int) error {
	// The desk is measured as the engine side is: CPU against the CLI's
	// CPU, with its wall beside; wall against psql's wall.
	desk := func(o *op) []time.Duration { return o.deskFigure(eng.cpu()) }
	ratio := func(o *op) float64 {
		return float64(pct(desk(o), 95)) / float64(max(pct(o.engine, 95), time.Microsecond))
	}
	worst, worstRatio := ops[0], ops[0]
	for _, o := range ops {
		name := fmt.Sprintf("BenchmarkSearch/engine=%s/filter=%s/op=%s/", eng.name(), o.filter, o.kind)
		metrics := percentiles(desk(o), "")
		if eng.cpu() {
			metrics = append(metrics, percentiles(o.deskFigure(false), "wall-")...)
		}
		if err := benchline.Print(os.Stdout, name+"side=desk", runs, metrics...); err != nil {
			return err
		}
		if err := benchline.Print(os.Stdout, name+"side=engine", runs, percentiles(o.engine, "")...); err != nil {
			return err
		}
		if pct(desk(o), 95) > pct(desk(worst), 95) {
			worst = o
		}
		if ratio(o) > ratio(worstRatio) {
			worstRatio = o
		}
	}
	fmt.Println()
	for _, o := range ops {
		fmt.Printf("%-18s %-5s desk p95 %7.3f ms  engine p95 %7.3f ms  ratio %5.2fx  %s\n", o.filter, o.kind,
			ms(pct(desk(o), 95)), ms(pct(o.engine, 95)), ratio(o), o.found())
	}
	for _, w := range []struct {
		what string
		o    *op
	}{{"worst desk p95", worst}, {"worst ratio", worstRatio}} {
		fmt.Printf("%s: %s %s, desk p95 %.3f ms, engine p95 %.3f ms, ratio %.2fx\n", w.what, w.o.filter, w.o.kind,
			ms(pct(desk(w.o), 95)), ms(pct(w.o.engine, 95)), ratio(w.o))
	}
	return nil
}

// percentiles are d's p50 and p95 in ms, their units named with prefix.
func percentiles(d []time.Duration, prefix string) []benchline.Metric {
	return []benchline.Metric{{Value: ms(pct(d, 50)), Unit: "ms-" + prefix + "p50"}, {Value: ms(pct(d, 95)), Unit: "ms-" + prefix + "p95"}}
}

// startProfile profiles the process (the desk's side; the engine's client
// runs in processes of its own) until the returned function is called.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Command searchbench measures a deposit search on a seeded SQLite file:
// p50/p95 of core.Service.SearchDeposits in process, and of the very same
// SQL run by the sqlite3 CLI in the same run, and prints the ratios.
// bench/search.sh seeds the database with depositctl and runs this.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"depositdesk/core"
	"depositdesk/storage/sqlite"
)

func main() {
	db := flag.String("db", "", "seeded SQLite file")
	runs := flag.Int("runs", 1000, "queries per measurement")
	operator := flag.String("operator", "admin", "operator (password in DEPOSITDESK_PASSWORD)")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	query := flag.String("query", "standard", "the searches: standard (status + asset + customer + 30-day created range), "+
		"prefix (a customer number less its last digit: ten customers' records), requested (standard, by request time and range)")
	flag.Parse()
	if *profile != "" {
		stop, err := startProfile(*profile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "searchbench:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if err := run(*db, *operator, *query, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
		os.Exit(1)
	}
}

// startProfile profiles the process (the desk's side; the CLI runs in
// processes of its own) until the returned function is called.
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

func run(db, operator, query string, runs int) error {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := core.NewService(st)
	op, err := svc.Login(ctx, operator, os.Getenv("DEPOSITDESK_PASSWORD"))
	if err != nil {
		return err
	}
	ctx = core.NewContextWithOperator(ctx, op)
	mix, ok := mixes[query]
	if !ok {
		return fmt.Errorf("unknown --query %q", query)
	}
	filters, err := queryMix(ctx, svc, runs, mix.filter)
	if err != nil {
		return err
	}
	stmts := make([]string, len(filters))
	for i, f := range filters {
		if stmts[i], err = literal(ctx, st, f); err != nil {
			return err
		}
	}
	fmt.Printf("query: %s, page of %d, newest first (%d runs, varied parameters)\n\n", mix.about, core.DefaultPageSize, runs)

	// Desk and CLI alternate in blocks so that whatever else the machine
	// does in the meantime lands on both sides alike.
	var desk, deskCPU, cpu, real, mappedCPU []time.Duration
	rows := 0
	for start := 0; start < len(filters); start += interleave {
		end := min(start+interleave, len(filters))
		d, dc, n, err := deskBlock(ctx, svc, filters[start:end])
		if err != nil {
			return err
		}
		c, r, err := cliTimer(db, "", stmts[start:end])
		if err != nil {
			return err
		}
		mc, _, err := cliTimer(db, mappedPragma, stmts[start:end])
		if err != nil {
			return err
		}
		desk, deskCPU, cpu, real = append(desk, d...), append(deskCPU, dc...), append(cpu, c...), append(real, r...)
		mappedCPU = append(mappedCPU, mc...)
		rows += n
	}
	proc, err := cliProcesses(db, stmts[:min(len(stmts), 60)])
	if err != nil {
		return err
	}
	report := func(name string, d []time.Duration) (p50, p95 time.Duration) {
		p50, p95 = pct(d, 50), pct(d, 95)
		fmt.Printf("%-58s p50 %8.3f ms   p95 %8.3f ms\n", name, ms(p50), ms(p95))
		return
	}
	_, deskP95 := report("Deposit Desk, Service.SearchDeposits, wall (in process)", desk)
	_, deskCPUP95 := report("Deposit Desk, Service.SearchDeposits, thread CPU", deskCPU)
	_, cpuP95 := report("sqlite3 CLI, same SQL, .timer user+sys per statement", cpu)
	report("sqlite3 CLI, same SQL, .timer real (1 ms resolution)", real)
	_, mappedP95 := report("sqlite3 CLI, same SQL, file mapped as the desk maps it, CPU", mappedCPU)
	_, procP95 := report("sqlite3 CLI, one process per query (wall, incl. start)", proc)
	fmt.Printf("\naverage rows per page: %.1f\n", float64(rows)/float64(len(filters)))
	fmt.Printf("ratio p95 desk CPU / sqlite3 statement CPU: %.2fx (target <= 1.3x; CPU against CPU)\n", float64(deskCPUP95)/float64(cpuP95))
	fmt.Printf("ratio p95 desk CPU / sqlite3 mapped like the desk, CPU: %.2fx (like for like: the driver's own cost)\n", float64(deskCPUP95)/float64(mappedP95))
	fmt.Printf("ratio p95 desk wall / sqlite3 statement CPU: %.2fx (wall includes scheduling the CLI figure does not)\n", float64(deskP95)/float64(cpuP95))
	fmt.Printf("ratio p95 desk / sqlite3 process:       %.2fx\n", float64(deskP95)/float64(procP95))
	fmt.Printf("p95 target <= 10 ms: %v\n", deskP95 <= 10*time.Millisecond)
	return nil
}

// interleave is how many queries each side runs before the other's turn.
const interleave = 100

// deskBlock times each search's wall and thread CPU. SQLite runs on the
// calling OS thread (cgo), so that thread's CPU time is the like-for-like
// counterpart of the CLI's per-statement user+sys.
func deskBlock(ctx context.Context, svc *core.Service, filters []core.DepositFilter) (wall, cpu []time.Duration, rows int, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Warm exactly as cliTimer does: the block once untimed, then timed.
	for _, f := range filters {
		if _, err := svc.SearchDeposits(ctx, f); err != nil {
			return nil, nil, 0, err
		}
	}
	for _, f := range filters {
		cpu0 := threadCPU()
		start := time.Now()
		page, err := svc.SearchDeposits(ctx, f)
		wall = append(wall, time.Since(start))
		cpu = append(cpu, threadCPU()-cpu0)
		if err != nil {
			return nil, nil, 0, err
		}
		rows += len(page.Records)
	}
	return wall, cpu, rows, nil
}

// mix is one kind of search the benchmark times.
type mix struct {
	about  string
	filter func(rng *rand.Rand, end time.Time, st core.DepositStatus, a *core.Asset, c *core.Customer) core.DepositFilter
}

var mixes = map[string]mix{
	"standard": {"status + asset + customer number + 30-day created range", func(rng *rand.Rand, end time.Time, st core.DepositStatus, a *core.Asset, c *core.Customer) core.DepositFilter {
		from, to := window(rng, end)
		return core.DepositFilter{Status: &st, AssetID: &a.ID, CustomerNo: &c.CustomerNo, CreatedFrom: from, CreatedTo: to}
	}},
	// A customer number less its last digit: ten customers' records (1% of
	// the table at a million), read customer by customer and merged.
	"prefix": {"customer number prefix (the number less its last digit)", func(rng *rand.Rand, end time.Time, st core.DepositStatus, a *core.Asset, c *core.Customer) core.DepositFilter {
		p := c.CustomerNo[:len(c.CustomerNo)-1]
		return core.DepositFilter{Prefix: true, CustomerNo: &p}
	}},
	"requested": {"status + asset + customer number + 30-day request-time range, by request time", func(rng *rand.Rand, end time.Time, st core.DepositStatus, a *core.Asset, c *core.Customer) core.DepositFilter {
		from, to := window(rng, end)
		return core.DepositFilter{Status: &st, AssetID: &a.ID, CustomerNo: &c.CustomerNo, RequestedFrom: from, RequestedTo: to, Order: core.OrderRequested}
	}},
}

// window is a 30-day range inside the seeded 180 days before end.
func window(rng *rand.Rand, end time.Time) (from, to *time.Time) {
	t := end.Add(-time.Duration(rng.IntN(150*24)) * time.Hour)
	f := t.Add(-30 * 24 * time.Hour)
	return &f, &t
}

// queryMix draws realistic filters of one kind: a customer who exists, a
// common status, an asset, a time window.
func queryMix(ctx context.Context, svc *core.Service, n int, filter func(*rand.Rand, time.Time, core.DepositStatus, *core.Asset, *core.Customer) core.DepositFilter) ([]core.DepositFilter, error) {
	assets, err := svc.ListAssets(ctx, core.AssetFilter{})
	if err != nil || len(assets) == 0 {
		return nil, fmt.Errorf("no assets: seed the database first (%v)", err)
	}
	customers, err := svc.FindCustomers(ctx, core.CustomerFilter{})
	if err != nil || len(customers) == 0 {
		return nil, fmt.Errorf("no customers: seed the database first (%v)", err)
	}
	newest, err := svc.SearchDeposits(ctx, core.DepositFilter{Limit: 1})
	if err != nil || len(newest.Records) == 0 {
		return nil, fmt.Errorf("no records: seed the database first (%v)", err)
	}
	end := newest.Records[0].CreatedAt
	rng := rand.New(rand.NewPCG(42, 7))
	statuses := []core.DepositStatus{core.StatusCredited, core.StatusCredited, core.StatusVerifying, core.StatusCancelled}
	out := make([]core.DepositFilter, n)
	for i := range out {
		st, a, c := statuses[rng.IntN(len(statuses))], assets[rng.IntN(len(assets))], customers[rng.IntN(len(customers))]
		out[i] = filter(rng, end, st, a, c)
		out[i].Limit = core.DefaultPageSize
		if err := out[i].Validate(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// literal renders the statements FindDeposits runs for f with their
// arguments inlined for the CLI, one line.
func literal(ctx context.Context, st *sqlite.Store, f core.DepositFilter) (string, error) {
	stmts, err := st.SearchSQL(ctx, f)
	if err != nil {
		return "", err
	}
	var out []string
	for _, stmt := range stmts {
		q := stmt.SQL
		for _, a := range stmt.Args {
			var s string
			switch v := a.(type) {
			case string:
				s = "'" + strings.ReplaceAll(v, "'", "''") + "'"
			case int64:
				s = strconv.FormatInt(v, 10)
			case int:
				s = strconv.Itoa(v)
			default:
				s = fmt.Sprint(v)
			}
			q = strings.Replace(q, "?", s, 1)
		}
		out = append(out, strings.Join(strings.Fields(q), " ")+";")
	}
	return strings.Join(out, " "), nil
}

var timerLine = regexp.MustCompile(`Run Time: real ([0-9.]+) user ([0-9.]+) sys ([0-9.]+)`)

// mappedPragma makes the CLI read the file as the desk's read connections do.
var mappedPragma = fmt.Sprintf("PRAGMA mmap_size = %d;", sqlite.ReaderMmapBytes)

// cliTimer runs every search in one sqlite3 process with .timer on, after
// one untimed warm-up pass; prelude (SQL) runs first. Each search is one
// line, which the CLI times as one: a prefix search's look-ups (its values,
// the count of its range) and its page together.
func cliTimer(db, prelude string, searches []string) (cpu, real []time.Duration, err error) {
	var script bytes.Buffer
	script.WriteString(".output /dev/null\n" + prelude + "\n")
	for _, q := range searches {
		script.WriteString(q + "\n")
	}
	script.WriteString(".timer on\n")
	for _, q := range searches {
		script.WriteString(q + "\n")
	}
	cmd := exec.Command("sqlite3", "-readonly", db)
	cmd.Stdin = &script
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite3: %v: %s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := timerLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		r, _ := strconv.ParseFloat(m[1], 64)
		u, _ := strconv.ParseFloat(m[2], 64)
		s, _ := strconv.ParseFloat(m[3], 64)
		real = append(real, seconds(r))
		cpu = append(cpu, seconds(u+s))
	}
	if len(cpu) != len(searches) {
		return nil, nil, fmt.Errorf("sqlite3 printed %d timings for %d searches: %s", len(cpu), len(searches), out)
	}
	return cpu, real, nil
}

// cliProcesses times one sqlite3 process per search, start to exit.
func cliProcesses(db string, searches []string) ([]time.Duration, error) {
	out := make([]time.Duration, len(searches))
	for i, q := range searches {
		start := time.Now()
		cmd := exec.Command("sqlite3", "-readonly", db, q)
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("sqlite3: %v: %s", err, b)
		}
		out[i] = time.Since(start)
	}
	return out, nil
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}

// threadCPU is the CPU time of the calling OS thread, to the nanosecond.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

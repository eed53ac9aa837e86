// Command intakeload is the intake API's load test: it starts the API on a
// fresh database (SQLite file, or Postgres) on a loopback port, sends a
// fixed rate of mixed POST and GET requests for a bounded time, and prints
// throughput, status counts and latency percentiles. Latency is measured
// from when each request was due, not when it was sent, so a server that
// falls behind cannot hide it. With -find it also searches, per engine, the
// highest rate whose p99 holds (search.go), and the same for a bare HTTP
// server with no store (bare.go): the baseline of what this machine and the
// generator can do at all; when an engine's fixed rate is required, the
// bare server is also driven at that rate, the baseline of its latencies.
// Results go to stdout as benchmark lines
// (depositdesk/bench/benchline) beside the human-readable steps. It talks to
// 127.0.0.1 (and the Postgres server it is given) only and stops by itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/jackc/pgx/v5"

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
	// maxSettle is the longest pause between two steps: the previous
	// step's last writes and checkpoints finish before the next is timed.
	maxSettle = 3 * time.Second
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
	bare     bool
	from     perEngine
	step     perEngine
	max      perEngine
	steps    int
}

// settle is the pause after each step: a quarter of a short step, so a
// quick run stays quick.
func (o options) settle() time.Duration { return min(maxSettle, o.duration/4) }

func main() {
	o := options{
		from: perEngine{"sqlite": 1000, "postgres": 250, "bare": 2000},
		step: perEngine{"sqlite": 250, "postgres": 125, "bare": 1000},
		max:  perEngine{"sqlite": 8000, "postgres": 8000, "bare": 32000},
	}
	var dbs, require string
	flag.IntVar(&o.rate, "rate", 2000, "requests per second of the fixed run, which must hold on the -require databases")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send at each rate (at most 2m)")
	flag.IntVar(&o.postPct, "post", 50, "percentage of POSTs; the rest are GETs of created records")
	flag.IntVar(&o.workers, "workers", 256, "concurrent connections")
	flag.DurationVar(&o.p99Max, "p99", 50*time.Millisecond, "a rate holds when p99 latency is at most this")
	flag.StringVar(&dbs, "db", "sqlite", "databases to run on, comma-separated: sqlite, postgres")
	flag.StringVar(&require, "require", "sqlite", "the databases of -db on which -rate must hold (all: every one; none: a quick run that only reports, as make test's); with -find only they get the fixed run")
	flag.StringVar(&o.pgURL, "pg", "", "URL of a Postgres server to make a fresh database on (dropped at the end); default: a throwaway cluster, as the tests start")
	flag.BoolVar(&o.find, "find", false, "search each engine's highest rate whose p99 holds, and the bare server's")
	flag.BoolVar(&o.bare, "bare", true, "with -find, also search the bare server (the baseline)")
	flag.Var(o.from, "from", "first rate -find tries, one number or by engine: sqlite=1000,postgres=250,bare=2000")
	flag.Var(o.step, "step", "resolution of -find: it stops when the highest rate that held and the lowest that failed are this close; by engine like -from")
	flag.Var(o.max, "max", "highest rate -find tries; by engine like -from")
	flag.IntVar(&o.steps, "steps", 8, "most rates -find tries per engine (a failing rate's second try not counted)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (server and load) to this file")
	mutexProfile := flag.String("mutexprofile", "", "write a mutex contention profile of the whole run to this file")
	blockProfile := flag.String("blockprofile", "", "write a blocking profile of the whole run to this file")
	traceFile := flag.String("trace", "", "write an execution trace of the whole run to this file (go tool trace)")
	flag.Parse()
	o.dbs = strings.Split(dbs, ",")
	switch require {
	case "all":
		o.require = o.dbs
	case "none":
	default:
		o.require = strings.Split(require, ",")
	}
	o.duration = min(o.duration, maxDuration)
	if err := o.check(); err != nil {
		fail(err)
	}
	startTo(*cpuProfile, pprof.StartCPUProfile)
	startTo(*traceFile, trace.Start)
	if *mutexProfile != "" {
		runtime.SetMutexProfileFraction(5)
	}
	if *blockProfile != "" {
		runtime.SetBlockProfileRate(int(10 * time.Microsecond))
	}
	err := run(o)
	pprof.StopCPUProfile()
	trace.Stop()
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

func (o options) check() error {
	if o.rate <= 0 || o.steps <= 0 || o.duration <= 0 {
		return errors.New("-rate, -steps and -duration must be positive")
	}
	for _, engine := range engines {
		if o.from[engine] <= 0 || o.step[engine] <= 0 || o.max[engine] < o.from[engine] {
			return fmt.Errorf("%s: -from and -step must be positive and -max at least -from", engine)
		}
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "intakeload:", err)
	os.Exit(1)
}

// startTo starts a CPU profile or an execution trace writing to file,
// unless file is empty; main stops both once the run is over.
func startTo(file string, start func(io.Writer) error) {
	if file == "" {
		return
	}
	f, err := os.Create(file)
	if err == nil {
		err = start(f)
	}
	if err != nil {
		fail(err)
	}
}

func writeProfile(name, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup(name).WriteTo(f, 0)
}

// run loads each database in turn, then the bare server.
func run(o options) error {
	var errs []error
	for _, db := range o.dbs {
		if err := runOn(db, o); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", db, err))
		}
	}
	if o.find && o.bare {
		if err := runBare(o); err != nil {
			errs = append(errs, fmt.Errorf("bare: %w", err))
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
	l, err := newLoader(ln.Addr().String(), token, o)
	if err != nil {
		return err
	}
	required := slices.Contains(o.require, db)
	var fixed error
	if required || !o.find {
		r := l.drive(o, o.rate)
		r.printFixed("BenchmarkIntake/engine="+db, o.rate)
		fixed = r.report(o, db, o.rate)
		if fixed != nil && !required {
			fmt.Printf("%s: %v (reported, not required)\n", db, fixed)
			fixed = nil
		}
		time.Sleep(o.settle())
	}
	if o.find {
		l.search(o, db).print("BenchmarkIntake/engine=" + db + "/side=desk")
	}
	return fixed
}

// newLoader is a generator for the server at addr, with records to read
// from the first GET on.
func newLoader(addr, token string, o options) (*loader, error) {
	l := &loader{base: "http://" + addr, token: token, client: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: o.workers, MaxConnsPerHost: o.workers},
	}}
	for i := range 200 {
		if _, err := l.post(fmt.Sprintf("warm-%d", i)); err != nil {
			return nil, fmt.Errorf("warm up: %w", err)
		}
	}
	return l, nil
}

// openStore opens a fresh database of the named engine. Postgres is a new
// database on the server at pgURL, else a throwaway cluster started for the
// run.
func openStore(ctx context.Context, db, pgURL string) (core.Store, func(), error) {
	switch db {
	case "sqlite":
		dir, err := os.MkdirTemp("", "intakeload")
		if err != nil {
			return nil, nil, err
		}
		st, err := sqlite.Open(ctx, filepath.Join(dir, "load.db")) // as depositctl serve opens it
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return st, func() { st.Close(); os.RemoveAll(dir) }, nil
	case "postgres":
		var stop func()
		var err error
		if pgURL == "" {
			pgURL, stop, err = pgtest.StartServer()
		} else {
			pgURL, stop, err = freshDatabase(ctx, pgURL)
		}
		if err != nil {
			return nil, nil, err
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

// freshDatabase makes an empty database on the server at serverURL and
// returns its URL and how to drop it: the server may be shared with other
// benchmarks, and a second run must not find the first one's rows.
func freshDatabase(ctx context.Context, serverURL string) (string, func(), error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("-pg: %w", err)
	}
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("-pg: %w", err)
	}
	name := fmt.Sprintf("intakeload_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(dctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "intakeload: drop database %s: %v\n", name, err)
		}
		admin.Close(dctx)
	}
	return u.String(), drop, nil
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

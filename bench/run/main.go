// Command run is `make bench`: it measures every figure of
// docs/benchmarks.md in one run on this machine — seeding, search on both
// engines against their own CLIs, every `go test` benchmark, the intake
// under load, several desks on one Postgres, the desktop under Xvfb — and
// writes the table (bench/report) between the generated markers of
// docs/benchmarks.md. With -short (inside `make test`) everything runs at
// small sizes, the table goes to a temporary file, and a row no benchmark
// filled fails the run: no benchmark can rot unnoticed.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mattn/go-sqlite3"

	"depositdesk/bench/benchline"
	"depositdesk/bench/report"
	"depositdesk/internal/pgtest"
)

// password is the bench administrator's; the seeded databases are throwaway.
const password = "bench-password-1"

type options struct {
	short   bool
	doc     string
	from    string
	records int
	session int
}

func main() {
	var o options
	flag.BoolVar(&o.short, "short", false, "small sizes, table to a temporary file, fail on a row no benchmark filled (make test)")
	flag.StringVar(&o.doc, "doc", "docs/benchmarks.md", "document whose generated block receives the table")
	flag.StringVar(&o.from, "from", "", "render the table from this saved log instead of measuring")
	flag.IntVar(&o.records, "records", 1_000_000, "records to seed (-short: 20,000)")
	flag.IntVar(&o.session, "session", 600, "seconds of the scripted desktop session (-short: 15)")
	flag.Parse()
	if o.short {
		o.records, o.session = 20_000, 15
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	var logText []byte
	var measured error // the table still shows what was measured
	if o.from != "" {
		b, err := os.ReadFile(o.from)
		if err != nil {
			return err
		}
		logText = b
	} else {
		logText, measured = measure(o)
	}
	results, facts, err := report.Read(bytes.NewReader(logText))
	if err != nil {
		return err
	}
	if err := write(o, results, facts); err != nil {
		return err
	}
	return measured
}

// write renders the table: into the document, or with -short to standard
// output, failing on rows no benchmark filled.
func write(o options, results []benchline.Result, facts []report.Fact) error {
	var block bytes.Buffer
	report.Render(&block, report.Sections, results, facts)
	if o.short {
		fmt.Print(block.String())
		if missing := report.Missing(report.Sections, results); len(missing) > 0 {
			return fmt.Errorf("rows no benchmark filled:\n  %s", strings.Join(missing, "\n  "))
		}
		return nil
	}
	doc, err := os.ReadFile(o.doc)
	if err != nil {
		return err
	}
	out, err := report.Splice(string(doc), block.String())
	if err != nil {
		return err
	}
	fmt.Printf("bench: table written to %s\n", o.doc)
	return os.WriteFile(o.doc, []byte(out), 0o644)
}

// measure runs every step, echoing its output and keeping it in the log it
// returns. A failed step is reported at the end; the others still run.
func measure(o options) ([]byte, error) {
	dir, err := os.MkdirTemp("", "depositdesk-bench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var logBuf bytes.Buffer
	out := io.MultiWriter(os.Stdout, &logBuf)
	started := time.Now()
	fact := func(name, value string) { fmt.Fprintf(out, "fact\t%s\t%s\n", name, value) }
	machineFacts(fact)

	pgURL, stop, err := pgtest.StartBenchServer()
	if err != nil {
		return logBuf.Bytes(), err
	}
	defer stop()
	fact("Postgres", postgresVersion(pgURL))
	// The seeded database on it, for the search; the intake and the desks
	// make databases of their own on the same server.
	benchURL, err := createDatabase(pgURL, "bench")
	if err != nil {
		return logBuf.Bytes(), err
	}

	bin := filepath.Join(dir, "bin")
	for _, pkg := range []string{"cmd/depositctl", "bench/seedbench", "bench/searchbench", "bench/intakeload", "bench/desks"} {
		if err := command(out, nil, goTool(), "build", "-o", filepath.Join(bin, filepath.Base(pkg)), "./"+pkg); err != nil {
			return logBuf.Bytes(), err
		}
	}
	db := filepath.Join(dir, "bench.db")
	env := []string{"DEPOSITDESK_PASSWORD=" + password, "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	records := fmt.Sprint(o.records)
	var failed []string
	step := func(name string, extra []string, argv ...string) {
		// The seeds leave gigabytes of dirty pages behind; written back
		// during the next step, they would stall its commits and
		// checkpoints and measure the previous step's writes.
		syscall.Sync()
		fmt.Fprintf(out, "\n== %s\n", name)
		if err := command(out, append(env, extra...), argv[0], argv[1:]...); err != nil {
			fmt.Fprintf(out, "== %s failed: %v\n", name, err)
			failed = append(failed, name)
		}
	}
	tool := func(name string) string { return filepath.Join(bin, name) }
	short := func(full, small []string) []string {
		if o.short {
			return small
		}
		return full
	}

	step("seeding SQLite", nil, tool("seedbench"), "-engine", "sqlite", "-db", db, "-records", records, "-depositctl", tool("depositctl"))
	step("seeding Postgres", nil, tool("seedbench"), "-engine", "postgres", "-pg", benchURL, "-records", records, "-depositctl", tool("depositctl"))
	step("search on SQLite", nil, append([]string{tool("searchbench"), "-engine", "sqlite", "-db", db}, short(nil, []string{"-runs", "10"})...)...)
	step("search on Postgres", nil, append([]string{tool("searchbench"), "-engine", "postgres", "-pg", benchURL}, short(nil, []string{"-runs", "10"})...)...)
	goBench := []string{goTool(), "test", "-count=1", "-timeout", "60m", "-run", "^$", "-bench", ".", "-benchmem"}
	// One package at a time in full: benchmarks of two packages would
	// otherwise share the two cores and each report the other's load.
	goBench = append(goBench, short([]string{"-p", "1"}, []string{"-benchtime", "1x", "-short"})...)
	step("go test benchmarks", []string{"DEPOSITDESK_BENCH_DB=" + db, "DEPOSITDESK_BENCH_PASSWORD=" + password}, append(goBench, "./...")...)
	step("intake under load", nil, append([]string{tool("intakeload"), "-find", "-db", "sqlite,postgres", "-pg", pgURL},
		// -short fills the rows but asserts no timing: a rate holds below 1 s.
		short(nil, []string{"-require", "sqlite", "-p99", "1s", "-duration", "1s", "-rate", "200", "-from", "100", "-step", "100", "-max", "200", "-steps", "2"})...)...)
	step("desks on one Postgres", nil, append([]string{tool("desks"), "-pg", pgURL},
		short(nil, []string{"-duration", "5s", "-alone", "3s", "-records", "1000", "-drain", "1500ms"})...)...)
	step("the desktop under Xvfb", nil, "bench/desktop.sh", db, password, fmt.Sprint(o.session))

	fact("load average at the end", loadAverage())
	fact("run took", time.Since(started).Round(time.Second).String())
	if len(failed) > 0 {
		return logBuf.Bytes(), fmt.Errorf("steps failed: %s", strings.Join(failed, ", "))
	}
	return logBuf.Bytes(), nil
}

// machineFacts are what a reader needs to compare two tables.
func machineFacts(fact func(name, value string)) {
	fact("measured", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	if rev, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		fact("commit", strings.TrimSpace(string(rev)))
	}
	fact("cores", fmt.Sprint(runtime.NumCPU()))
	fact("CPU", procField("/proc/cpuinfo", "model name"))
	fact("memory", procField("/proc/meminfo", "MemTotal"))
	fact("load average at the start", loadAverage())
	fact("Go", runtime.Version())
	v, _, _ := sqlite3.Version()
	fact("SQLite", v)
}

func postgresVersion(url string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "unknown: " + err.Error()
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "unknown: " + err.Error()
	}
	return v + " (throwaway cluster, fsync on, shared_buffers 512 MB)"
}

// createDatabase makes an empty database on the server at url and
// returns its URL.
func createDatabase(url, name string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := neturl.Parse(url)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// procField is the value of the first "name : value" line of a /proc file.
func procField(path, name string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// goTool is the go command make found (GO), else the one on PATH.
func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

func command(out io.Writer, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	return cmd.Run()
}

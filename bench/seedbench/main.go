//go:build linux

// Command seedbench times `depositctl seed` into a fresh database and, as
// the baseline of the same run, the engine itself writing the very same
// rows. It creates the operator admin (password from DEPOSITDESK_PASSWORD,
// every permission) as bench/search.sh does, runs the built depositctl's
// seed (the code path operators use, in a process of its own so that its
// peak resident memory is the seed's alone), then has the engine's own CLI
// copy every table the seeded database holds into a second, empty set of
// tables with the same schema and indexes, in one transaction. The seeded
// database is left as the seed made it, for the search benchmark that
// follows; the copy is removed.
//
//	seedbench -engine sqlite -db FILE -records N
//	seedbench -engine postgres -pg URL -records N
//
// FILE must not exist yet (or hold no deposit records); URL names a
// database with no deposit records, empty or migrated (depositctl migrates
// it). It prints, in the Go benchmark format (bench/benchline):
//
//	BenchmarkSeed/engine=E/records=N/side=desk    1  <seconds> s  <MB> MB-peak
//	BenchmarkSeed/engine=E/records=N/side=engine  1  <seconds> s  <MB> MB-peak
//
// The engine's peak memory: on SQLite, the sqlite3 process that does the
// copy; on Postgres, where the server does the copy and psql only sends
// it, a psql receiving the seeded deposit rows on its standard input and
// streaming them to the server (COPY FROM STDIN), as the seed streams its
// rows from the client.
package main

import (
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"depositdesk/bench/benchline"
	"depositdesk/storage/sqlite"
)

// engineCopy names the second set of tables: a file beside the SQLite
// database (attached), a schema in the Postgres database.
const engineCopy = "seedbench_engine"

type options struct {
	engine     string
	db, pg     string
	records    int
	seed       uint64
	depositctl string
	sqlite3    string
	psql       string
}

func main() {
	var o options
	flag.StringVar(&o.engine, "engine", "sqlite", "sqlite or postgres")
	flag.StringVar(&o.db, "db", "", "SQLite file to seed (-engine sqlite); must not exist yet or hold no records")
	flag.StringVar(&o.pg, "pg", "", "Postgres URL of a database without deposit records, empty or migrated (-engine postgres)")
	flag.IntVar(&o.records, "records", 1_000_000, "records to seed")
	flag.Uint64Var(&o.seed, "seed", 1, "depositctl seed --seed")
	flag.StringVar(&o.depositctl, "depositctl", "", "built depositctl (default: go build ./cmd/depositctl into a temporary directory; run from the repository)")
	flag.StringVar(&o.sqlite3, "sqlite3", "sqlite3", "the sqlite3 CLI")
	flag.StringVar(&o.psql, "psql", "psql", "the psql CLI")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "seedbench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	var dsn string
	switch o.engine {
	case "sqlite":
		dsn = o.db
	case "postgres":
		dsn = o.pg
	default:
		return fmt.Errorf("-engine %q: sqlite or postgres", o.engine)
	}
	if dsn == "" {
		return errors.New("-db FILE (sqlite) or -pg URL (postgres) is required")
	}
	password := os.Getenv("DEPOSITDESK_PASSWORD")
	if password == "" {
		return errors.New("DEPOSITDESK_PASSWORD must hold the password to give the operator admin")
	}
	if o.depositctl == "" {
		dir, err := os.MkdirTemp("", "seedbench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.depositctl = filepath.Join(dir, "depositctl")
		gobin := cmp.Or(os.Getenv("GO"), "go")
		if out, err := exec.Command(gobin, "build", "-o", o.depositctl, "./cmd/depositctl").CombinedOutput(); err != nil {
			return fmt.Errorf("build depositctl: %v\n%s", err, out)
		}
	}

	create := exec.Command(o.depositctl, "--db", dsn, "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all")
	create.Stdin = strings.NewReader(password + "\n")
	if out, err := create.CombinedOutput(); err != nil {
		return fmt.Errorf("create operator admin: %v\n%s", err, out)
	}

	seed := exec.Command(o.depositctl, "--db", dsn, "--operator", "admin", "seed",
		"--records", strconv.Itoa(o.records), "--seed", strconv.FormatUint(o.seed, 10))
	seed.Env = append(os.Environ(), "DEPOSITDESK_PASSWORD="+password)
	var seedErr bytes.Buffer
	seed.Stdout, seed.Stderr = os.Stderr, &seedErr
	start := time.Now()
	if err := seed.Run(); err != nil {
		return fmt.Errorf("depositctl seed: %v\n%s", err, seedErr.Bytes())
	}
	desk := time.Since(start)
	peakMB := peakRSS(seed)

	engineLine := []benchline.Metric{{Unit: "s"}}
	if o.engine == "sqlite" {
		// The sqlite3 process does the copy itself: its peak memory is the
		// baseline of the seed's. psql only sends the statements.
		cp, err := sqliteCopy(o.sqlite3, o.db)
		if err != nil {
			return err
		}
		engineLine[0].Value = cp.took.Seconds()
		engineLine = append(engineLine, benchline.Metric{Value: cp.peakMB, Unit: "MB-peak"})
	} else {
		cp, err := postgresCopy(o.psql, o.pg)
		if err != nil {
			return err
		}
		engineLine[0].Value = cp.took.Seconds()
		peak, err := postgresStreamPeak(o.psql, o.pg)
		if err != nil {
			return err
		}
		engineLine = append(engineLine, benchline.Metric{Value: peak, Unit: "MB-peak"})
	}

	name := fmt.Sprintf("BenchmarkSeed/engine=%s/records=%d/side=", o.engine, o.records)
	if err := benchline.Print(os.Stdout, name+"desk", 1, benchline.Metric{Value: desk.Seconds(), Unit: "s"},
		benchline.Metric{Value: peakMB, Unit: "MB-peak"}); err != nil {
		return err
	}
	return benchline.Print(os.Stdout, name+"engine", 1, engineLine...)
}

// peakRSS is a finished process's peak resident memory in MB (Linux
// reports ru_maxrss in KiB).
func peakRSS(cmd *exec.Cmd) float64 {
	return float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) * 1024 / 1e6
}

// copied is what an engine's CLI copy took: time, and the CLI's peak memory.
type copied struct {
	took   time.Duration
	peakMB float64
}

// sqliteCopy times the sqlite3 CLI copying every table of db into a fresh
// file attached beside it: tables created from the seeded schema's own
// statements, rows copied, then the indexes built (as the seed builds its
// indexes after its rows), one transaction, with the settings the seed's
// writer uses (storage/sqlite, decision 63): its everyday page cache for
// the rows, SQLite's 2 MB for the builds, sorts in temporary files on
// helper threads.
func sqliteCopy(sqlite3, db string) (copied, error) {
	out, err := exec.Command(sqlite3, "-readonly", db,
		`SELECT type || char(31) || tbl_name || char(31) || replace(sql, char(10), ' ') FROM sqlite_schema
		WHERE sql IS NOT NULL AND type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', name`).Output()
	if err != nil {
		return copied{}, fmt.Errorf("read the schema of %s: %w", db, err)
	}
	copyFile := db + "." + engineCopy
	defer removeSQLite(copyFile)
	if err := removeSQLite(copyFile); err != nil {
		return copied{}, err
	}
	var tables, indexes []string
	var script strings.Builder
	// The page cache is each schema's own: the copy's, which its inserts
	// and index builds go through, as the seed's writer's does; the
	// sorter's runs are main's (vdbesort.c), so the builds set both.
	fmt.Fprintf(&script, "PRAGMA temp_store = FILE;\nPRAGMA threads = %d;\nATTACH '%s' AS %s;\n%sBEGIN;\n",
		sqlite.SortThreads, strings.ReplaceAll(copyFile, "'", "''"), engineCopy, cacheSize(sqlite.WriterCacheKiB))
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "\x1f", 3)
		if len(f) != 3 {
			return copied{}, fmt.Errorf("schema line %q", line)
		}
		// "CREATE TABLE x (…" / "CREATE [UNIQUE] INDEX x ON …": the name
		// after the keyword gets the attached schema's prefix.
		kw := " TABLE "
		if f[0] == "index" {
			kw = " INDEX "
		}
		i := strings.Index(f[2], kw)
		if i < 0 {
			return copied{}, fmt.Errorf("schema statement %q", f[2])
		}
		stmt := f[2][:i+len(kw)] + engineCopy + "." + strings.TrimLeft(f[2][i+len(kw):], " ") + ";\n"
		if f[0] == "table" {
			tables = append(tables, f[1])
			script.WriteString(stmt)
		} else {
			indexes = append(indexes, stmt)
		}
	}
	for _, t := range tables {
		fmt.Fprintf(&script, "INSERT INTO %s.\"%s\" SELECT * FROM main.\"%s\";\n", engineCopy, t, t)
	}
	script.WriteString(cacheSize(sqlite.IndexBuildCacheKiB))
	script.WriteString(strings.Join(indexes, ""))
	script.WriteString("COMMIT;\n")
	return timeCLI(exec.Command(sqlite3, "-bail", db), script.String())
}

// cacheSize sets the page cache of both schemas of the copy to kib KiB.
func cacheSize(kib int) string {
	return fmt.Sprintf("PRAGMA main.cache_size = -%[1]d;\nPRAGMA %[2]s.cache_size = -%[1]d;\n", kib, engineCopy)
}

func removeSQLite(file string) error {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		if err := os.Remove(file + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// postgresCopy times psql copying every table of the database's public
// schema into tables made LIKE them (INCLUDING ALL: defaults, constraints,
// indexes) in a schema of their own, in one transaction, then drops that
// schema.
func postgresCopy(psql, url string) (copied, error) {
	out, err := psqlCommand(psql, url, "-A", "-t", "-c",
		`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`).Output()
	if err != nil {
		return copied{}, fmt.Errorf("list tables: %w", err)
	}
	var script strings.Builder
	fmt.Fprintf(&script, "BEGIN;\nCREATE SCHEMA %s;\n", engineCopy)
	for _, t := range strings.Fields(string(out)) {
		fmt.Fprintf(&script, "CREATE TABLE %s.%q (LIKE public.%q INCLUDING ALL);\n", engineCopy, t, t)
		fmt.Fprintf(&script, "INSERT INTO %s.%q OVERRIDING SYSTEM VALUE SELECT * FROM public.%q;\n", engineCopy, t, t)
	}
	script.WriteString("COMMIT;\n")
	cp, err := timeCLI(psqlCommand(psql, url), script.String())
	if derr := psqlRun(psql, url, "DROP SCHEMA IF EXISTS "+engineCopy+" CASCADE"); err == nil {
		err = derr
	}
	return cp, err
}

// postgresStreamPeak is the peak memory of a psql streaming the seeded
// deposit rows to the server: one psql writes them out (COPY TO STDOUT),
// another reads them on its standard input into an empty table of the same
// columns (COPY FROM STDIN); the second's peak is the figure. The table is
// dropped after.
func postgresStreamPeak(psql, url string) (peak float64, err error) {
	if err := psqlRun(psql, url, "CREATE SCHEMA "+engineCopy+"; CREATE TABLE "+engineCopy+".deposits (LIKE public.deposits)"); err != nil {
		return 0, err
	}
	defer func() {
		if derr := psqlRun(psql, url, "DROP SCHEMA IF EXISTS "+engineCopy+" CASCADE"); err == nil {
			err = derr
		}
	}()
	send := psqlCommand(psql, url, "-c", `\copy public.deposits TO STDOUT`)
	receive := psqlCommand(psql, url, "-c", `\copy `+engineCopy+`.deposits FROM STDIN`)
	pipe, perr := send.StdoutPipe()
	if perr != nil {
		return 0, perr
	}
	var sendErr, receiveErr bytes.Buffer
	send.Stderr, receive.Stdin, receive.Stderr = &sendErr, pipe, &receiveErr
	if err := send.Start(); err != nil {
		return 0, err
	}
	if err := receive.Run(); err != nil {
		_ = send.Wait()
		return 0, fmt.Errorf("psql COPY FROM STDIN: %v\n%s", err, receiveErr.Bytes())
	}
	if err := send.Wait(); err != nil {
		return 0, fmt.Errorf("psql COPY TO STDOUT: %v\n%s", err, sendErr.Bytes())
	}
	return peakRSS(receive), nil
}

// timeCLI runs cmd with script on its standard input and times it.
func timeCLI(cmd *exec.Cmd, script string) (copied, error) {
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	took := time.Since(start)
	if err != nil || stderr.Len() > 0 {
		return copied{}, fmt.Errorf("%s: %v\n%s%s", filepath.Base(cmd.Path), err, out, stderr.Bytes())
	}
	return copied{took, peakRSS(cmd)}, nil
}

// psqlCommand is psql on url, quiet, stopping at the first error.
func psqlCommand(psql, url string, args ...string) *exec.Cmd {
	return cliCommand(psql, append([]string{"-X", "-q", "-v", "ON_ERROR_STOP=1", url}, args...)...)
}

// psqlRun runs sql with psql on url.
func psqlRun(psql, url, sql string) error {
	if out, err := psqlCommand(psql, url, "-c", sql).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", sql, err, out)
	}
	return nil
}

// cliCommand is an engine's CLI run in the C.UTF-8 locale, which every
// Debian has: Debian's psql is a Perl wrapper that warns on standard error
// when the caller's locale (make's en_US.UTF-8) is not generated, and a
// copy that wrote to standard error counts as failed.
func cliCommand(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	return cmd
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"depositdesk/core"
	"depositdesk/storage/sqlite"
)

// sqliteEngine is a SQLite file and the sqlite3 CLI.
type sqliteEngine struct {
	st   *sqlite.Store
	path string
}

func (e *sqliteEngine) name() string      { return "sqlite" }
func (e *sqliteEngine) store() core.Store { return e.st }
func (e *sqliteEngine) close()            { e.st.Close() }

// cpu: the CLI's .timer gives real time to the millisecond only, but user
// and sys to the microsecond, so both sides are measured in CPU time: the
// CLI's per-line user+sys against the desk's thread CPU (the driver runs
// SQLite on the calling thread).
func (e *sqliteEngine) cpu() bool { return true }

// block: a sqlite3 process times each block of 50 runs; its CPU time is
// not lengthened by a moment the machine is busy elsewhere, as a wall
// time is.
func (e *sqliteEngine) block() int { return 50 }
func (e *sqliteEngine) clock() string {
	return "sqlite3 CLI, file mapped and malloc trim threshold set as the desk sets them, .timer user+sys; desk thread CPU (wall beside)"
}

// statements are the store's statements of a search, on one line: the CLI
// times a line as one, the look-ups that choose a prefix's plan and the
// page or count together.
func (e *sqliteEngine) statements(ctx context.Context, f core.DepositFilter, kind string) ([]string, error) {
	var stmts []sqlite.Statement
	var err error
	if kind == "count" {
		stmts, err = e.st.CountSQL(ctx, f, core.DepositCountCap)
	} else {
		stmts, err = e.st.SearchSQL(ctx, f)
	}
	if err != nil {
		return nil, err
	}
	line := make([]string, len(stmts))
	for i, s := range stmts {
		q := s.SQL
		for _, a := range s.Args {
			q = strings.Replace(q, "?", sqlArg(a), 1)
		}
		line[i] = oneLine(q)
	}
	return []string{strings.Join(line, " ")}, nil
}

// mappedPragma makes the CLI read the file as the desk's read connections
// do (storage/sqlite: readerDriver); their other settings are SQLite's
// defaults, as the CLI's are.
var mappedPragma = fmt.Sprintf("PRAGMA mmap_size = %d;", sqlite.ReaderMmapBytes)

// trimEnv gives the CLI the desk's C allocator setting (storage/sqlite:
// MallocTrimBytes), so that neither side shrinks its heap after each
// statement's temporary b-tree.
var trimEnv = fmt.Sprintf("GLIBC_TUNABLES=glibc.malloc.trim_threshold=%d", sqlite.MallocTrimBytes)

var timerLine = regexp.MustCompile(`Run Time: real ([0-9.]+) user ([0-9.]+) sys ([0-9.]+)`)

// time runs every search in one sqlite3 process with .timer on, after one
// untimed pass.
func (e *sqliteEngine) time(runs [][]string) ([]time.Duration, error) {
	var script bytes.Buffer
	script.WriteString(".output /dev/null\n" + mappedPragma + "\n")
	for pass := range 2 {
		if pass == 1 {
			script.WriteString(".timer on\n")
		}
		for _, r := range runs {
			script.WriteString(strings.Join(r, " ") + "\n")
		}
	}
	cmd := exec.Command("sqlite3", "-readonly", e.path)
	cmd.Stdin = &script
	cmd.Env = append(os.Environ(), trimEnv)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("sqlite3: %v: %s", err, out)
	}
	var cpu []time.Duration
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := timerLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		u, _ := strconv.ParseFloat(m[2], 64)
		s, _ := strconv.ParseFloat(m[3], 64)
		cpu = append(cpu, time.Duration((u+s)*float64(time.Second)))
	}
	if len(cpu) != len(runs) {
		return nil, fmt.Errorf("sqlite3 printed %d timings for %d searches: %s", len(cpu), len(runs), out)
	}
	return cpu, nil
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"time"

	"depositdesk/core"
	"depositdesk/storage/postgres"
)

// postgresEngine is a Postgres database and psql.
type postgresEngine struct {
	st  *postgres.Store
	url string
}

func (e *postgresEngine) name() string      { return "postgres" }
func (e *postgresEngine) store() core.Store { return e.st }
func (e *postgresEngine) close()            { e.st.Close() }
func (e *postgresEngine) cpu() bool         { return false }
func (e *postgresEngine) clock() string {
	return "psql \\timing (wall, statement sent to last row received), same session settings; desk wall"
}

var placeholder = regexp.MustCompile(`\$(\d+)`)

// statements are the store's statements of a search with their arguments
// inlined: a literal is planned for its value each time, as the desk's
// first executions of a statement are (pgx prepares it; Postgres plans the
// first five executions for their values before it may keep a generic
// plan).
func (e *postgresEngine) statements(ctx context.Context, f core.DepositFilter, kind string) ([]string, error) {
	var stmts []postgres.Statement
	var err error
	if kind == "count" {
		stmts, err = e.st.CountSQL(ctx, f, core.DepositCountCap)
	} else {
		stmts, err = e.st.SearchSQL(ctx, f)
	}
	if err != nil {
		return nil, err
	}
	out := make([]string, len(stmts))
	for i, s := range stmts {
		var bad error
		q := placeholder.ReplaceAllStringFunc(s.SQL, func(p string) string {
			n, _ := strconv.Atoi(p[1:])
			if n < 1 || n > len(s.Args) {
				bad = fmt.Errorf("%s of %d arguments in %s", p, len(s.Args), s.SQL)
				return p
			}
			return sqlArg(s.Args[n-1])
		})
		if bad != nil {
			return nil, bad
		}
		out[i] = oneLine(q)
	}
	return out, nil
}

// session is what the desk's pool sets on each connection
// (storage/postgres.Open).
const session = "SET timezone = 'UTC';"

var timingLine = regexp.MustCompile(`^Time: ([0-9.]+) ms`)

// time runs every search in one psql session with \timing on, after one
// untimed pass; a search of several statements takes their sum.
func (e *postgresEngine) time(runs [][]string) ([]time.Duration, error) {
	var script bytes.Buffer
	script.WriteString("\\set ON_ERROR_STOP on\n" + session + "\n\\o /dev/null\n")
	statements := 0
	for pass := range 2 {
		if pass == 1 {
			script.WriteString("\\timing on\n")
		}
		for _, r := range runs {
			for _, s := range r {
				script.WriteString(s + "\n")
			}
			if pass == 1 {
				statements += len(r)
			}
		}
	}
	cmd := exec.Command("psql", "-X", "-q", e.url)
	cmd.Stdin = &script
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("psql: %v: %s", err, out)
	}
	var times []time.Duration
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if m := timingLine.FindStringSubmatch(sc.Text()); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			times = append(times, time.Duration(v*float64(time.Millisecond)))
		}
	}
	if len(times) != statements {
		return nil, fmt.Errorf("psql printed %d timings for %d statements: %s", len(times), statements, out)
	}
	per := make([]time.Duration, len(runs))
	for i, r := range runs {
		for range r {
			per[i] += times[0]
			times = times[1:]
		}
	}
	return per, nil
}

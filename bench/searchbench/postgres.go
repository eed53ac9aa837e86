package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"time"

	"depositdesk/core"
	"depositdesk/storage/postgres"
)

// postgresEngine is a Postgres database and psql.
type postgresEngine struct {
	st   *postgres.Store
	url  string
	psql *psqlSession // started by the first time
}

func (e *postgresEngine) name() string      { return "postgres" }
func (e *postgresEngine) store() core.Store { return e.st }
func (e *postgresEngine) close() {
	if e.psql != nil {
		e.psql.close()
	}
	e.st.Close()
}
func (e *postgresEngine) cpu() bool  { return false }
func (e *postgresEngine) block() int { return 1 }
func (e *postgresEngine) clock() string {
	return "psql \\timing (wall, statement sent to last row received), one session, same settings, alternating with the desk run by run; desk wall"
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

// time runs every search in the engine's one psql session with \timing
// on, every run untimed, then timed; a search of several statements takes
// their sum.
func (e *postgresEngine) time(runs [][]string) ([]time.Duration, error) {
	if e.psql == nil {
		s, err := startPsql(e.url)
		if err != nil {
			return nil, err
		}
		e.psql = s
	}
	var script bytes.Buffer
	statements := 0
	for _, r := range runs {
		for _, s := range r {
			script.WriteString(s + "\n")
		}
		statements += len(r)
	}
	if _, err := e.psql.run(script.Bytes(), statements); err != nil { // untimed
		return nil, err
	}
	times, err := e.psql.run(script.Bytes(), statements)
	if err != nil {
		return nil, err
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

// psqlSession is one psql process for the whole benchmark, its server
// session as warm as the desk's pooled ones. It keeps its turn: a script
// is sent only when the desk is waiting, and the desk goes on only once
// psql has printed every statement's time, so that desk and psql can
// alternate run by run and a moment the machine is busy lands on both
// sides alike, not on one side's whole block.
type psqlSession struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr bytes.Buffer
	closed bool
}

// startPsql starts psql with the desk's session settings. stdbuf makes
// psql's standard output line-buffered: a pipe's would hold the timings
// back until its buffer filled.
func startPsql(url string) (*psqlSession, error) {
	s := &psqlSession{cmd: exec.Command("stdbuf", "-oL", "psql", "-X", "-q", url)}
	s.cmd.Stderr = &s.stderr
	in, err := s.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("psql: %w", err)
	}
	s.in, s.out = in, bufio.NewReader(out)
	if _, err := s.run([]byte("\\set ON_ERROR_STOP on\n"+session+"\n\\o /dev/null\n\\timing on\nSELECT 1;\n"), 1); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// run sends script and reads the times of its n statements.
func (s *psqlSession) run(script []byte, n int) ([]time.Duration, error) {
	if _, err := s.in.Write(script); err != nil {
		return nil, s.failed(err)
	}
	times := make([]time.Duration, 0, n)
	for len(times) < n {
		line, err := s.out.ReadString('\n')
		if err != nil {
			return nil, s.failed(err)
		}
		if m := timingLine.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			times = append(times, time.Duration(v*float64(time.Millisecond)))
		}
	}
	return times, nil
}

// failed is err with what psql said; psql stops at the first error
// (ON_ERROR_STOP), so its output ends there.
func (s *psqlSession) failed(err error) error {
	s.close()
	return fmt.Errorf("psql: %v: %s", err, bytes.TrimSpace(s.stderr.Bytes()))
}

// close ends psql once: after a failure the engine's close comes again.
func (s *psqlSession) close() {
	if s.closed {
		return
	}
	s.closed = true
	s.in.Close()
	s.cmd.Wait()
}

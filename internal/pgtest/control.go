package pgtest

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Restart restarts the test binary's own cluster (pg_ctl restart -m fast:
// every session is ended, as by an operator restarting the server) and
// returns once it accepts connections again. It ends the sessions of every
// test in the binary, so tests that call it use MainOwnServer, run in a
// package of their own and never in parallel.
func Restart(tb testing.TB) {
	tb.Helper()
	c := server.cluster
	if c == nil {
		tb.Fatal("pgtest: Restart needs the binary's own cluster; use pgtest.MainOwnServer in TestMain")
	}
	// pg_ctl restart starts the server with the options it last ran with
	// (postmaster.opts): same port, same settings. The log file keeps the
	// server's output off pg_ctl's, which would otherwise stay open.
	if out, err := c.run("pg_ctl", "-D", c.dataDir(), "-l", c.logFile(), "-m", "fast", "-w", "-t", "60", "restart"); err != nil {
		tb.Fatalf("pgtest: pg_ctl restart: %v: %s", err, out)
	}
}

// TerminateBackends ends the sessions of database dbURL whose
// application_name is application (pg_terminate_backend, as an operator or
// a failing network would) and returns how many it ended. It returns once
// they have exited, their locks released: signalled only, a session still
// held its advisory lock for a moment, and a test that took the lock next
// was refused ("another watcher follows this network").
func TerminateBackends(tb testing.TB, dbURL, application string) int {
	tb.Helper()
	var n int
	queryBackends(tb, dbURL, application, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000))`, &n)
	return n
}

// BackendPIDs returns the server process ids of the sessions of database
// dbURL whose application_name is application.
func BackendPIDs(tb testing.TB, dbURL, application string) []int {
	tb.Helper()
	var pids []int
	queryBackends(tb, dbURL, application, `SELECT coalesce(array_agg(pid), '{}')`, &pids)
	return pids
}

// queryBackends runs selectList over the sessions of dbURL's database
// named application, on the maintenance database, and scans into dst.
func queryBackends(tb testing.TB, dbURL, application, selectList string, dst any) {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server.url)
	if err != nil {
		tb.Fatalf("pgtest: connect %s: %v", redact(server.url), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	err = conn.QueryRow(ctx, selectList+` FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
		strings.TrimPrefix(u.Path, "/"), application).Scan(dst)
	if err != nil {
		tb.Fatalf("pgtest: sessions of %s: %v", application, err)
	}
}

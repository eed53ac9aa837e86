// Package pgtest runs tests against a real, throwaway Postgres server: one
// cluster per test binary (initdb in a temp dir, random port, fsync off),
// one fresh database per store. DEPOSITDESK_TEST_POSTGRES (a server URL)
// points it at an existing server instead.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that overrides the throwaway cluster.
const EnvURL = "DEPOSITDESK_TEST_POSTGRES"

// server is what Main set up for this test binary.
var server struct {
	url      string // postgres://…/postgres of the running server
	template string // migrated database new ones are copied from; "" for empty ones
	// copyStrategy copies the template's files instead of WAL-logging
	// every block: several times faster for a small database (Postgres ≥ 15).
	copyStrategy string
	prefix       string // database names of this binary, unique on a shared server
	n            atomic.Int64
	cluster      *cluster // nil when EnvURL named the server
}

// PrepareFunc fills a freshly created template database at url (applies
// migrations); every database NewDatabase makes starts as a copy of it.
type PrepareFunc func(ctx context.Context, url string) error

// Main starts a cluster (unless EnvURL is set), prepares the template with
// prepare when it is not nil, runs the tests and stops the cluster. Use it
// from TestMain: func TestMain(m *testing.M) { pgtest.Main(m, migrate) }.
// A missing Postgres installation fails the binary; it never skips.
func Main(m *testing.M, prepare PrepareFunc) {
	os.Exit(Run(m, prepare))
}

// Run is Main for a TestMain with work of its own after the tests: it
// returns the exit status instead of exiting.
func Run(m *testing.M, prepare PrepareFunc) int {
	return run(m, prepare, os.Getenv(EnvURL))
}

// MainOwnServer is Main for tests that restart the server (Restart): it
// always starts a throwaway cluster of its own, whatever EnvURL says,
// because a restart ends every session on the server.
func MainOwnServer(m *testing.M, prepare PrepareFunc) {
	os.Exit(run(m, prepare, ""))
}

func run(m *testing.M, prepare PrepareFunc, url string) int {
	server.prefix = fmt.Sprintf("depositdesk_test_%d", os.Getpid())
	server.url = url
	if server.url == "" {
		c, err := startCluster(testSettings)
		if err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: cannot start a throwaway Postgres server: %v\n"+
				"Install it with `apt-get install postgresql` (or run `make test`, which does), or set %s to a server URL.\n", err, EnvURL)
			return 1
		}
		defer c.stop()
		server.url = c.url
		server.cluster = c
	}
	if prepare != nil {
		name, err := prepareTemplate(prepare)
		if err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: prepare template database: %v\n", err)
			return 1
		}
		defer dropDatabase(name)
		server.template = name
	}
	return m.Run()
}

func prepareTemplate(prepare PrepareFunc) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := server.prefix + "_template"
	if err := adminExec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	if v, err := serverVersion(ctx); err != nil {
		return "", err
	} else if v >= 150000 {
		server.copyStrategy = " STRATEGY FILE_COPY"
	}
	if err := prepare(ctx, withDatabase(server.url, name)); err != nil {
		dropDatabase(name)
		return "", err
	}
	return name, nil
}

// NewDatabase creates a database on the test server (a copy of the
// prepared template, or empty without one) and returns its URL; it is
// dropped when the test ends.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	if server.template == "" {
		return NewEmptyDatabase(tb)
	}
	return newDatabase(tb, " TEMPLATE "+server.template+server.copyStrategy)
}

// NewEmptyDatabase creates a database with nothing in it, for tests of
// what happens before migrations ran.
func NewEmptyDatabase(tb testing.TB) string {
	tb.Helper()
	return newDatabase(tb, "")
}

func newDatabase(tb testing.TB, options string) string {
	tb.Helper()
	if server.url == "" {
		tb.Fatal("pgtest: no server; call pgtest.Main from TestMain")
	}
	name := fmt.Sprintf("%s_%d", server.prefix, server.n.Add(1))
	stmt := "CREATE DATABASE " + name + options
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := adminExec(ctx, stmt); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() { dropDatabase(name) })
	return withDatabase(server.url, name)
}

// adminExec runs one statement on the server's maintenance database.
func adminExec(ctx context.Context, stmt string) error {
	conn, err := pgx.Connect(ctx, server.url)
	if err != nil {
		return fmt.Errorf("connect %s: %w", redact(server.url), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

func serverVersion(ctx context.Context) (int, error) {
	conn, err := pgx.Connect(ctx, server.url)
	if err != nil {
		return 0, fmt.Errorf("connect %s: %w", redact(server.url), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var v int
	err = conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&v)
	return v, err
}

// dropDatabase removes a test database, disconnecting whatever a failed
// test left open; errors are ignored because the cluster goes away anyway.
func dropDatabase(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = adminExec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

// withDatabase returns u with its database replaced by name.
func withDatabase(u, name string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u // pgx reports the malformed URL on connect
	}
	p.Path = "/" + name
	return p.String()
}

// redact hides a password in a URL for error messages.
func redact(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Redacted()
	}
	return "(unparsable URL)"
}

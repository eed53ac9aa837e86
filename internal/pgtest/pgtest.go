// Package pgtest runs tests against a real, throwaway Postgres server: one
// cluster per test binary (initdb in a temp dir, random port, fsync off),
// one fresh database per store. DEPOSITDESK_TEST_POSTGRES (a server URL)
// points it at an existing server instead.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that overrides the throwaway cluster.
const EnvURL = "DEPOSITDESK_TEST_POSTGRES"

var (
	serverURL string // postgres://…/postgres of the running server
	dbCounter atomic.Int64
)

// Main starts a cluster (unless EnvURL is set), runs the tests and stops it.
// Use it from TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }.
func Main(m *testing.M) {
	if u := os.Getenv(EnvURL); u != "" {
		serverURL = u
		os.Exit(m.Run())
	}
	c, err := startCluster()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: cannot start a throwaway Postgres: %v\n"+
			"Install the server (apt-get install postgresql) or run `make test`, or set %s.\n", err, EnvURL)
		os.Exit(1)
	}
	serverURL = c.url
	code := m.Run()
	c.stop()
	os.Exit(code)
}

// NewDatabase creates an empty database on the test server and returns its
// URL; it is dropped when the test ends.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	if serverURL == "" {
		tb.Fatal("pgtest: no server; call pgtest.Main from TestMain")
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbCounter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, serverURL); err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	return replaceDatabase(serverURL, name)
}

func replaceDatabase(u, name string) string {
	base, query, _ := strings.Cut(u, "?")
	base = base[:strings.LastIndex(base, "/")+1] + name
	if query != "" {
		return base + "?" + query
	}
	return base
}

type cluster struct {
	dir, bin, url string
	asUser        []string // runuser prefix when running as root
}

func startCluster() (*cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "depositdesk-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 { // initdb refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		c.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", port, dir)
	if out, err := c.run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return nil, fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
	}
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return c, nil
}

func (c *cluster) run(tool string, args ...string) ([]byte, error) {
	cmd := append(append([]string{}, c.asUser...), append([]string{filepath.Join(c.bin, tool)}, args...)...)
	return exec.Command(cmd[0], cmd[1:]...).CombinedOutput()
}

func (c *cluster) stop() {
	_, _ = c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	_ = os.RemoveAll(c.dir)
}

// findBin returns the newest installed Postgres server's bin directory.
func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) < version(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("no Postgres server binaries (initdb) found")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

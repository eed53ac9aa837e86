package pgtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// cluster is a throwaway Postgres server in a temp dir.
type cluster struct {
	dir, bin, url string
	settings      string
	asUser        []string // runuser prefix when running as root
}

// Settings for a throwaway server. Tests switch durability off: the data
// dies with the test binary, so fsync buys nothing but time. Benchmarks
// keep it on, with the memory a firm's server would give Postgres, so that
// a figure is one a desk would see.
const (
	testSettings  = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	benchSettings = "-c shared_buffers=512MB -c effective_cache_size=4GB -c work_mem=16MB"
)

// startCluster runs initdb and pg_ctl start with settings.
func startCluster(settings string) (*cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	reapOrphans()
	dir, err := tempDir()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, bin: bin, settings: settings}
	if err := c.start(); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

func (c *cluster) start() error {
	if os.Geteuid() == 0 { // initdb refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root needs the postgres user (from the postgresql package): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			return err
		}
		c.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	data := c.dataDir()
	if out, err := c.run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c max_connections=200 %s", port, c.dir, c.settings)
	logFile := c.logFile()
	if out, err := c.run("pg_ctl", "-D", data, "-l", logFile, "-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		return fmt.Errorf("pg_ctl start: %w: %s %s", err, out, log)
	}
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return nil
}

func (c *cluster) dataDir() string { return filepath.Join(c.dir, "data") }
func (c *cluster) logFile() string { return filepath.Join(c.dir, "log") }

func (c *cluster) run(tool string, args ...string) ([]byte, error) {
	argv := slices.Concat(c.asUser, []string{filepath.Join(c.bin, tool)}, args)
	return exec.Command(argv[0], argv[1:]...).CombinedOutput()
}

// stop kills the server without a checkpoint and removes its files.
func (c *cluster) stop() {
	if _, err := os.Stat(filepath.Join(c.dataDir(), "postmaster.pid")); err == nil {
		_, _ = c.run("pg_ctl", "-D", c.dataDir(), "-m", "immediate", "-w", "stop")
	}
	_ = os.RemoveAll(c.dir)
}

// findBin returns the newest installed server's bin directory (Debian keeps
// each major version under /usr/lib/postgresql/<major>/bin), else initdb's
// directory on PATH.
func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return majorVersion(a) - majorVersion(b) })
	for _, d := range slices.Backward(dirs) {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no Postgres server binaries (initdb) in /usr/lib/postgresql/*/bin or on PATH")
}

// ownerFile holds the PID of the test binary that started a cluster.
const ownerFile = "owner.pid"

// reapOrphans stops clusters whose test binary died without stopping them
// (killed, or a test timeout's panic skips deferred cleanup). Only
// directories carrying an owner.pid of a process that no longer exists
// are touched.
func reapOrphans() {
	for _, parent := range []string{"/dev/shm", os.TempDir()} {
		dirs, _ := filepath.Glob(filepath.Join(parent, "depositdesk-pg-*"))
		for _, dir := range dirs {
			b, err := os.ReadFile(filepath.Join(dir, ownerFile))
			if err != nil {
				continue
			}
			pid, err := strconv.Atoi(string(b))
			if err != nil || processAlive(pid) {
				continue
			}
			bin, err := findBin()
			if err != nil {
				return
			}
			c := &cluster{dir: dir, bin: bin}
			if os.Geteuid() == 0 {
				c.asUser = []string{"runuser", "-u", "postgres", "--"}
			}
			c.stop()
		}
	}
}

// processAlive reports whether pid exists. Where signal 0 is unsupported
// (Windows) every process counts as alive, so nothing live is reaped.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ESRCH)
}

// tempDir prefers a memory file system (Linux /dev/shm): the cluster is
// thrown away, and CREATE/DROP DATABASE per test then cost half as much.
func tempDir() (string, error) {
	if dir, err := os.MkdirTemp("/dev/shm", "depositdesk-pg-"); err == nil {
		return dir, nil
	}
	return os.MkdirTemp("", "depositdesk-pg-")
}

func majorVersion(binDir string) int {
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

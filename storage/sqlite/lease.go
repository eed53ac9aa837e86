package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gofrs/flock"

	"depositdesk/core"
)

// TryLockWatcher claims the right to run the chain watcher for network n
// among every process using this database file: an OS file lock
// (flock(2), LockFileEx on Windows) on WatcherLockPath, held until
// Release or until ctx ends, and released by the OS if the process dies.
// A second claim, from this process or another, gets ErrWatcherLocked.
//
// The lease is never lost otherwise, and it needs no wait before
// following: the lock is free only once its holder let go after its
// watcher stopped, or died, and a dead process writes nothing more.
func (s *Store) TryLockWatcher(ctx context.Context, n core.Network) (core.WatcherLease, error) {
	path := WatcherLockPath(s.path, n)
	// The file stays when released: removing it would let one process
	// lock the removed file while another creates and locks a new one.
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		return nil, core.ErrWatcherLocked
	}
	l := &fileLease{fl: fl, lost: make(chan struct{})}
	l.stopAfter = context.AfterFunc(ctx, l.end)
	return l, nil
}

// WatcherLockPath is the lock file of n's watcher beside the database at
// db: db.watch-<chain>-<network>.lock.
func WatcherLockPath(db string, n core.Network) string {
	return db + ".watch-" + fileSafe(n.Chain) + "-" + fileSafe(n.Name) + ".lock"
}

// fileSafe keeps letters, digits, '.', '_' and '-' and writes any other
// byte as %XX, so a network name can never reach another directory or
// spell a name Windows refuses.
func fileSafe(s string) string {
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// realPath is path made absolute with symbolic links resolved.
func realPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("database path: %w", err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("database path: %w", err)
	}
	return real, nil
}

// fileLease is a held watcher lock file.
type fileLease struct {
	fl        *flock.Flock
	lost      chan struct{}
	once      sync.Once
	stopAfter func() bool // cancels the end that ctx's end would bring
}

func (l *fileLease) Lost() <-chan struct{} { return l.lost }

func (l *fileLease) Release() {
	l.stopAfter()
	l.end()
}

// end gives the lock up once, whether Release or ctx ends it first.
func (l *fileLease) end() {
	l.once.Do(func() {
		close(l.lost)
		// Unlock closes the file; the OS would free the lock with it anyway.
		_ = l.fl.Unlock()
	})
}

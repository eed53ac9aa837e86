// Package storage opens the store an operator names: a postgres:// URL is a
// shared Postgres database, anything else a local SQLite file.
package storage

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"depositdesk/core"
	"depositdesk/storage/postgres"
	"depositdesk/storage/sqlite"
)

// Store is an opened engine: everything core asks of storage, and the
// watcher leases that let one watcher follow each network.
type Store interface {
	core.Store
	core.WatcherLocker
	core.SessionStore
}

var (
	_ Store = (*postgres.Store)(nil)
	_ Store = (*sqlite.Store)(nil)
)

// Open opens the store for dsn.
func Open(ctx context.Context, dsn string) (Store, error) {
	return OpenWith(ctx, dsn, sqlite.Options{})
}

// OpenWith is Open with the options a SQLite file is opened with.
func OpenWith(ctx context.Context, dsn string, o sqlite.Options) (Store, error) {
	if IsPostgres(dsn) {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.OpenWith(ctx, dsn, o)
}

// Desktop is how the desktop opens a SQLite file: unmapped, so that its
// resident memory does not grow with every page its searches and Home's
// charts have read (decision 53). The CLI keeps the mapped reads of
// decision 24.
func Desktop() sqlite.Options {
	return sqlite.Options{Unmapped: true}
}

// Server is how the intake server (depositctl serve) opens a SQLite file:
// unmapped too. A read connection that maps the file drops the whole map
// at the start of every read that follows a commit, anyone's (SQLite's
// pagerBeginReadTransaction), then maps it again and takes a page fault on
// every page it reads. The intake commits about once per request, so every
// read paid an munmap (a TLB flush on every core), a mmap and its faults:
// a GET's read of one record cost 2–3 times the CPU of the same read with
// pread (decision 54). The intake's reads are one record or one asset;
// the large searches the map was chosen for are the desktop's and the CLI's.
func Server() sqlite.Options {
	return sqlite.Options{Unmapped: true}
}

// IsPostgres reports whether dsn names a Postgres database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// DefaultPath is the SQLite file used when no database is named: in the
// user's config directory, so it survives rebuilds and is per user.
func DefaultPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "depositdesk", "depositdesk.db")
}

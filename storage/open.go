// Package storage opens the store an operator names: a postgres:// URL is a
// shared Postgres database, anything else a local SQLite file.
package storage

import (
	"context"
	"net/url"
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

// Open opens the store for dsn as the desktop and the intake server do
// (a SQLite file's readers unmapped: sqlite.Options).
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

// IsPostgres reports whether dsn names a Postgres database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Shown is dsn as messages may show it: a Postgres URL with its password
// masked (url.Redacted), anything else as it is.
func Shown(dsn string) string {
	if IsPostgres(dsn) {
		if u, err := url.Parse(dsn); err == nil {
			return u.Redacted()
		}
		return "the Postgres URL given"
	}
	return dsn
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

// Package postgres implements core.Store on a shared Postgres server for
// many desktops at once: a pgx pool, guarded updates under row locks, the
// audit chain serialised by a row lock on its head, NOTIFY on every deposit
// change so open desktops refresh, and an advisory lock per network so one
// chain watcher runs however many desktops are open.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"depositdesk/core"
	"depositdesk/storage/migrations"
)

// Store is a core.Store on one Postgres database.
type Store struct {
	pool *pgxpool.Pool
	// counts carries the deposit counts of several conditions. Its
	// connections plan every run of a statement for its values, as psql
	// plans them, where pool's may keep a prepared statement's generic
	// plan after five runs: such a count has no order for an index to
	// match, and its generic plan guesses from average shares which
	// indexes to AND (33–203 ms at a million records for one customer's
	// records of a status, an asset and 30 days, where the plan for those
	// values takes 0.2–1 ms). Pages and one-condition counts keep their
	// plans (decision 67).
	counts *pgxpool.Pool
}

var _ core.Store = (*Store)(nil)

// connectTimeout bounds each new connection when the URL names none.
const connectTimeout = 10 * time.Second

// Open connects to the database at url and applies pending migrations
// under a session lock, so desktops starting together migrate once.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "Invalid Postgres URL: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	// A server that accepts and never answers (a black-holed proxy) would
	// otherwise hold the desk's start, and every reconnection, for as long
	// as the OS keeps the socket; the URL's connect_timeout still wins.
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	// The connect timeout ends at the server's ReadyForQuery; a server (or a
	// pooler with no connection free) that greets and then never answers
	// would hold the start as long. The first statement gets the same time.
	pctx, cancel := context.WithTimeout(ctx, cfg.ConnConfig.ConnectTimeout)
	err = pool.Ping(pctx)
	cancel()
	if err != nil {
		pool.Close()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			// Bare, the deadline reads "context deadline exceeded".
			err = fmt.Errorf("the server did not answer within %s: %w", cfg.ConnConfig.ConnectTimeout, err)
		}
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	ccfg := cfg.Copy()
	ccfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	counts, err := pgxpool.NewWithConfig(ctx, ccfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	s := &Store{pool: pool, counts: counts}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations.Postgres, "postgres")
	if err != nil {
		return err
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(migrationLock{}))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		if pgCode(err) == insufficientPrivilege {
			// A desk logged in with the application role (README) may not
			// change the owner's schema; the update waits for the owner.
			return core.Errorf(core.EFORBIDDEN, "The database's schema is older than this desk and this login may not update it (%v). "+
				"The database's owner applies the update with `depositctl --db <owner's URL> migrate`; then start the desk again.", err)
		}
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// migrationLockID keys the advisory lock held while migrating; advisory
// locks are per database, so it only has to be unique within ours.
const migrationLockID int64 = 0x6465_706f_7369_74 // "deposit"

// migrationLock is a goose session locker that waits in the server for the
// advisory lock (goose's own polls every few seconds): a desktop starting
// while another migrates proceeds the moment that one finishes, and then
// finds nothing left to apply. Open's ctx bounds the wait.
type migrationLock struct{}

func (migrationLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockID); err != nil {
		return fmt.Errorf("wait for migration lock: %w", err)
	}
	return nil
}

func (migrationLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, migrationLockID); err != nil {
		return fmt.Errorf("release migration lock: %w", err)
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	s.counts.Close()
	s.pool.Close()
	return nil
}

// withTx runs fn in a transaction and commits it. Rollback uses a context
// detached from cancellation so a cancelled request still releases locks.
func (s *Store) withTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		rctx, cancel := cleanupContext(ctx)
		defer cancel()
		_ = tx.Rollback(rctx)
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return conflict(fmt.Errorf("commit: %w", err), "The change conflicts with a concurrent one; try again.")
	}
	return nil
}

// pipelinedTx runs fn on one connection of the pool; fn sends its own
// BEGIN and COMMIT, queued in its batches. pgx's Tx sends COMMIT in a round
// trip of its own, and a transaction holding a lock every desk waits for
// (the audit head, the day's record number) should not spend one more round
// trip under it. A transaction still open when fn returns (it failed, or
// fn never sent COMMIT) is rolled back before the connection goes back to
// the pool, where the next caller's statements would otherwise join it.
func (s *Store) pipelinedTx(ctx context.Context, fn func(conn *pgxpool.Conn) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Release()
	err = fn(conn)
	if conn.Conn().PgConn().TxStatus() != 'I' {
		if err == nil {
			err = errors.New("transaction left open without COMMIT; rolled back")
		}
		rctx, cancel := cleanupContext(ctx)
		defer cancel()
		if _, rerr := conn.Exec(rctx, `ROLLBACK`); rerr != nil {
			// A connection left inside a transaction must not serve again.
			_ = conn.Conn().Close(rctx)
		}
	}
	return err
}

// cleanupTimeout bounds what runs after the caller's context may have
// ended: a rollback, closing a connection.
const cleanupTimeout = 5 * time.Second

// cleanupContext is ctx without its cancellation, bounded by
// cleanupTimeout: a cancelled request still rolls back what it began.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}

// querier is what read helpers need; the pool and a transaction have it.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ts converts a zero time to NULL for nullable columns.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func fromTS(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// limitClause is " LIMIT n" for n > 0, nothing otherwise.
func limitClause(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" LIMIT %d", n)
}

// Package sqlite implements core.Store on a local SQLite file: WAL mode,
// foreign keys, one writer connection (so writers queue in Go instead of
// failing with SQLITE_BUSY) and a pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"

	"depositdesk/core"
	"depositdesk/storage/migrations"
)

// Store is a core.Store on one SQLite database file.
type Store struct {
	path   string  // absolute, symbolic links resolved: where watcher lock files go
	write  *sql.DB // exactly one connection: SQLite has one writer
	read   *sql.DB
	ckpt   *sql.DB // one connection that checkpoints the WAL in the background
	stmts  statements
	writes writeQueue
	mark   changeMark

	stop        chan struct{}
	stopOnce    sync.Once
	checkpoints sync.WaitGroup
	ckptPause   sync.Mutex // held by each checkpoint, and by a bulk load for its whole length (bulkjournal.go)
}

var _ core.Store = (*Store)(nil)

// readerDriver is mattn/go-sqlite3 with each connection reading the file
// through a memory map (PRAGMA mmap_size, which the DSN cannot set). A
// search at a million records read most of its pages with a pread each and
// spent the largest part of its time copying them out of the OS page cache
// (perf, docs/storage.md); mapped, those pages are read in place. Only the
// read pool maps the file: the writer keeps pread/pwrite, so a write never
// goes through the map, and nothing here truncates the file under a map
// (the desk never VACUUMs). An I/O error under a map is a signal, not an
// error code: the cost of this choice, taken for reads of a local file.
const readerDriver = "sqlite3-mapped-reader"

// unmappedDriver is the read pool's driver when the file is not mapped
// (Options.Mapped). Every driver of the store's own pools plans each
// statement once (planOnce).
const unmappedDriver = "sqlite3-reader"

// readConns is how many reads run at once; each has its own connection.
const readConns = 8

// ReaderMmapBytes is how much of the file each read connection maps:
// SQLite's own ceiling (SQLITE_MAX_MMAP_SIZE); a larger file is read
// with pread beyond it.
const ReaderMmapBytes = 0x7fff0000

// writerDriver is mattn/go-sqlite3 with the writer's statement journals in
// memory (PRAGMA temp_store, which the DSN cannot set either). Every write
// of the group commit runs in a savepoint (writeQueue), and SQLite copies
// each page a savepoint changes into a statement journal first, so the
// savepoint can be rolled back alone. Past 64 KiB that journal spilled to
// a temporary file: under intake load 61 % of the process's pwrite calls
// went there, one per page per write, for a file that is never read
// unless a write fails and is thrown away at the next RELEASE. In memory
// it holds one write's pages (about 40, 160 KiB) and is emptied at each
// RELEASE. Durability is unchanged: commits still go to the WAL.
const writerDriver = "sqlite3-writer"

func init() {
	sql.Register(readerDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if _, err := c.Exec(fmt.Sprintf("PRAGMA mmap_size = %d", ReaderMmapBytes), nil); err != nil {
			return err
		}
		return planOnce(c)
	}})
	sql.Register(unmappedDriver, &sqlite3.SQLiteDriver{ConnectHook: planOnce})
	sql.Register(writerDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if _, err := c.Exec("PRAGMA temp_store = MEMORY", nil); err != nil {
			return err
		}
		return planOnce(c)
	}})
}

// Open opens (creating it and its directory if needed) the database at path
// and applies pending migrations. The database is always a file: SQLite's
// ":memory:" would give each of the store's connections a database of its
// own, and leave the watcher lock (lease.go) nowhere to live, so it is
// refused.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// Options change how a store reads its file; the zero value is what Open
// uses, and how the desktop and the intake server (depositctl serve) open
// it.
type Options struct {
	// Mapped read connections read the file through a memory map
	// (readerDriver) instead of with pread into their own page caches
	// (SQLite's default, 2 MB each). The CLI maps: its searches run once
	// and exit, and mapped they copy no page (decision 24). The desktop
	// does not: every page a mapped read touches stays in the process's
	// resident memory as long as the OS has room for it (on a million
	// records, a desk's day of searches maps hundreds of MB); read with
	// pread, the same pages sit in the OS page cache, shared and charged
	// to no one (decision 53). Nor does the intake server: a mapped reader
	// drops the whole map at the start of every read that follows a
	// commit, anyone's (SQLite's pagerBeginReadTransaction), then maps it
	// again and faults on every page it reads; the intake commits about
	// once per request, and a GET's read of one record cost 2–3 times the
	// CPU it costs with pread (decision 54).
	Mapped bool
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, o Options) (*Store, error) {
	if path == "" {
		return nil, core.Errorf(core.EINVALID, "Database path is empty.")
	}
	if path == ":memory:" {
		return nil, core.Errorf(core.EINVALID, "An in-memory database cannot be shared by the desk's connections; name a file.")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	// The file is made before SQLite opens it, readable by its owner only:
	// SQLite would create it with the process's umask (0644 in an existing
	// folder), and it gives the -wal and -shm files the database file's
	// permissions.
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	// mattn/go-sqlite3 reads its own _foreign_keys/_busy_timeout/_journal_mode
	// options; _txlock=immediate makes every write transaction take the write
	// lock at BEGIN so a reader never has to upgrade and deadlock.
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_journal_mode=WAL&_foreign_keys=on&_synchronous=NORMAL"
	dsn := base + "&_busy_timeout=10000"
	write, err := sql.Open(writerDriver, fmt.Sprintf("%s&_txlock=immediate&_cache_size=-%d", dsn, WriterCacheKiB))
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	driver := unmappedDriver
	if o.Mapped {
		driver = readerDriver
	}
	read, err := sql.Open(driver, dsn+"&mode=ro")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// database/sql keeps only 2 idle connections unless told otherwise: with
	// more readers at once, every connection past the second was closed when
	// its read ended and the next read opened a new one (open, map the file,
	// parse the schema, prepare the statement again). Under intake load that
	// was a third of the reads' time. Keep all of them.
	read.SetMaxOpenConns(readConns)
	read.SetMaxIdleConns(readConns)
	// The checkpointer waits briefly: a RESTART holds the write lock while
	// it waits for readers, and a long read (an export) must not hold the
	// writer for the 10 s the others wait.
	ckpt, err := sql.Open("sqlite3", base+"&_busy_timeout="+strconv.Itoa(int(restartWait/time.Millisecond)))
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	ckpt.SetMaxOpenConns(1)
	s := &Store{write: write, read: read, ckpt: ckpt, stop: make(chan struct{})}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	// Migrating created the file, so its real path can be resolved: two
	// names for one database (a relative path, a symbolic link) must
	// meet at the same lock files.
	if s.path, err = realPath(path); err != nil {
		s.Close()
		return nil, err
	}
	// The writer's single connection lives as long as the store; were it
	// ever replaced, SQLite's own checkpoints would simply resume.
	if _, err := write.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		s.Close()
		return nil, fmt.Errorf("configure checkpoints: %w", err)
	}
	s.mark.open(s.path)
	s.checkpoints.Add(1)
	go s.checkpointLoop()
	return s, nil
}

// checkpointInterval is how often committed WAL frames are copied into the
// database file.
const checkpointInterval = 100 * time.Millisecond

// walRestartFrames is the WAL's length (pages, 16 MiB) past which a
// checkpoint also starts the WAL over. SQLite starts it over by itself only
// when the writer begins while every frame is already copied and no reader
// is using one; under steady reads and writes (intake load) that moment
// never comes, and the WAL grew by every commit, 40 MB/s, for as long as
// the load lasted: file and page cache growing, writes into new file pages.
// A RESTART checkpoint holds the write lock while it copies what the
// PASSIVE one just before it left (little) and waits for the readers of
// the old frames (a read takes well under a millisecond), then the next
// commit writes from the WAL's start again.
const walRestartFrames = 4096

// restartWait bounds how long a RESTART checkpoint waits for readers (and
// so holds the writer); one that gave up is not tried again for
// restartBackoff.
const (
	restartWait    = 100 * time.Millisecond
	restartBackoff = time.Second
)

// checkpointLoop copies committed WAL frames into the database file from a
// connection of its own. Left to itself, SQLite checkpoints inside the
// commit that crosses 1,000 WAL pages, and that checkpoint's fsync held the
// one writer, and every write queued behind it, for tens of milliseconds:
// the p99 of intake under load. A PASSIVE checkpoint takes no lock that
// writers or readers wait for.
func (s *Store) checkpointLoop() {
	defer s.checkpoints.Done()
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	var restartAfter time.Time
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.ckptPause.Lock()
			s.checkpoint(&restartAfter)
			s.ckptPause.Unlock()
		}
	}
}

// checkpoint is one tick of checkpointLoop.
func (s *Store) checkpoint(restartAfter *time.Time) {
	// A failed checkpoint leaves the frames in the WAL, where readers
	// still find them; the next tick tries again.
	var busy, logFrames, done int
	if err := s.ckpt.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done); err != nil {
		return
	}
	// Only when the PASSIVE one copied every frame: then no reader still
	// holds an older snapshot (a long search or export), and the RESTART
	// waits only for reads that began just now.
	if logFrames < walRestartFrames || done < logFrames || time.Now().Before(*restartAfter) {
		return
	}
	// Busy: a reader outlasted restartWait; leave it alone a while.
	if err := s.ckpt.QueryRow(`PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &logFrames, &done); err != nil || busy != 0 {
		*restartAfter = time.Now().Add(restartBackoff)
	}
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations.SQLite, "sqlite")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// Close stops the checkpoints and closes the connection pools; closing the
// last connection checkpoints whatever the WAL still holds.
func (s *Store) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	s.checkpoints.Wait()
	s.closeStatements()
	s.mark.close()
	return errors.Join(s.read.Close(), s.write.Close(), s.ckpt.Close())
}

// withTx runs fn as one atomic write: it commits with it or, if fn fails,
// leaves nothing behind. Writes queued while the writer is busy share one
// transaction (group commit), each inside its own savepoint; see writeQueue.
func (s *Store) withTx(ctx context.Context, fn func(tx *writeTx) error) error {
	return s.writes.run(ctx, s, fn)
}

// withOwnTx runs fn in a transaction of its own, for bulk work (seeding)
// that changes the schema and should neither wait in nor hold up the queue.
func (s *Store) withOwnTx(ctx context.Context, fn func(tx *writeTx) error) error {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	tx := &writeTx{Tx: sqlTx, s: s}
	if err := fn(tx); err != nil {
		return err
	}
	if err := flushAuditHead(ctx, tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// queryer is what read helpers need; both *sql.DB and *sql.Tx have it.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// isUnique reports a uniqueness violation by its extended result code.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// conflict maps a uniqueness violation to ECONFLICT with msg and wraps
// anything else.
func conflict(err error, msg string, args ...any) error {
	if isUnique(err) {
		return core.Errorf(core.ECONFLICT, msg, args...)
	}
	return err
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// limitClause is " LIMIT n" for n > 0, nothing otherwise.
func limitClause(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" LIMIT %d", n)
}

// createPrivate creates the database file with mode 0600 when it does not
// exist yet; an existing file keeps the mode its owner gave it.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	return f.Close()
}

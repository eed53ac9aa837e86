package sqlite

import (
	"context"
	"errors"
	"fmt"
)

// leaveWAL switches the database from WAL to a rollback journal for one
// bulk load and returns what switches it back; back is nil, and nothing
// changed, when the switch could not be made.
//
// Why: in WAL every page a load writes goes into the WAL (at its commit,
// or earlier when the page cache spills) and is then copied a second time
// into the database file by the checkpoints, the last of them when the
// store closes: a 200,000-record seed spent 2 s committing and 2 s more
// closing, and a million records write 1.2 GB twice. Under a rollback
// journal the pages past the file's old end, which is nearly all a seed
// writes, go straight into the file once; only the few existing pages it
// changes (the schema, record_no_seq, the last page of audit_log) are
// copied into the journal first. A crash in the middle leaves that journal
// hot, and the next connection to open the file rolls it back: the
// database is as it was before the seed, never half seeded.
// synchronous = FULL while the journal is in use, as SQLite advises for
// a rollback journal to survive power loss.
//
// The switch needs the file to itself. This store's readers close their
// idle connections and its checkpointer pauses until back runs; a
// connection still open elsewhere (another process, a read in flight)
// makes SQLite refuse, and the load then runs in WAL as it always did.
// While the load runs, readers of other processes wait for it (busy
// timeout) instead of reading the snapshot before it.
func (s *Store) leaveWAL(ctx context.Context) (back func() error, err error) {
	s.ckptPause.Lock()
	// Commits under the rollback journal do not touch the WAL index, and
	// the -shm file is removed: no change mark until WAL is back.
	s.mark.close()
	s.read.SetMaxIdleConns(0)
	s.ckpt.SetMaxIdleConns(0)
	// A fresh context for going back: the load's may be cancelled, and the
	// writer must not stay on the rollback journal because of it.
	bctx := context.WithoutCancel(ctx)
	back = func() error {
		defer func() {
			s.mark.open(s.path)
			s.read.SetMaxIdleConns(readConns)
			s.ckpt.SetMaxIdleConns(1)
			s.ckptPause.Unlock()
		}()
		var mode string
		err := s.write.QueryRowContext(bctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
		if err == nil && mode != "wal" {
			err = errors.New("journal_mode is " + mode)
		}
		if _, serr := s.write.ExecContext(bctx, `PRAGMA synchronous = NORMAL`); err == nil {
			err = serr
		}
		if err != nil {
			return fmt.Errorf("bulk insert: back to WAL: %w", err)
		}
		return nil
	}
	var mode string
	if _, err = s.write.ExecContext(ctx, `PRAGMA synchronous = FULL`); err == nil {
		err = s.write.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode)
	}
	if err != nil || mode != "delete" {
		// Refused (the file is open elsewhere): still in WAL, where the
		// load runs as it always did once synchronous is NORMAL again.
		return nil, back()
	}
	return back, nil
}

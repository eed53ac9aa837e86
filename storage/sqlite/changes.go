package sqlite

import (
	"context"
	"fmt"
	"time"
)

// WatchChanges calls fn once it watches, then each time it finds that a
// transaction was committed to the database file since it last looked, by
// this process or another (a depositctl serve taking applications, a
// second desk on the same file), looking every `every` until ctx ends; it
// then returns nil. The first call covers what was committed before it
// began to watch.
// SQLite has no notifications: PRAGMA data_version, read on a connection
// of its own, changes exactly when another connection commits, and costs
// no I/O when nothing did (the WAL index in shared memory answers it).
func (s *Store) WatchChanges(ctx context.Context, every time.Duration, fn func()) error {
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("watch changes: %w", err)
	}
	defer conn.Close()
	version := func() (int64, error) {
		var v int64
		err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
		return v, err
	}
	last, err := version()
	if err != nil {
		return fmt.Errorf("watch changes: %w", err)
	}
	fn()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		v, err := version()
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			return fmt.Errorf("watch changes: %w", err)
		case v != last:
			last = v
			fn()
		}
	}
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

// watcherLockClass namespaces the per-network watcher locks among
// advisory locks (the two-key form: class, hashtext(network)).
const watcherLockClass int32 = 0x64657020 // "dep "

// Timing of a watcher lease. The lock is a session advisory lock, and the
// server ends it the moment it ends the session, whether or not the
// holder meant to: pg_terminate_backend, a restart, a cut network the
// server noticed. The holder's watcher writes through the pool, other
// sessions that know nothing of the lock, so it learns of the loss only by
// asking: it pings the lock's connection leasePing after each good ping,
// giving each leasePingTimeout, and on the first failure Lost closes and
// its watcher's context is cancelled. Nothing it starts after that reaches
// the server; a transaction it was in the middle of can no longer commit
// (pgx drops a connection whose statement was cancelled), and a COMMIT
// the server already has ends well within leaseMargin. So an old holder
// writes nothing later than leaseFence after its session ended, and
// TryLockWatcher, which can take the lock at that very moment, waits
// leaseFence before it hands out the lease: the new watcher starts after
// the old one has stopped. docs/decisions.md ("A new watcher waits out the
// old one's detection bound") has the measurements and what this assumes.
const (
	leasePing        = time.Second
	leasePingTimeout = time.Second
	leaseMargin      = time.Second
	leaseFence       = leasePing + leasePingTimeout + leaseMargin
)

// errLeaseLost is TryLockWatcher's answer when the lock's connection
// failed while it waited out the previous holder.
var errLeaseLost = errors.New("the watcher lock's connection failed before following began")

// WatcherLockApplication is the application_name of the connection that
// holds n's watcher lock, by which pg_stat_activity shows which desk
// follows n. A connection takes the name only once it holds the lock, so a
// standby asking for it is never mistaken for the holder.
func WatcherLockApplication(n core.Network) string {
	return "depositdesk watcher " + n.String()
}

// TryLockWatcher claims the right to run the chain watcher for network n,
// so exactly one runs per network however many desktops are open. The
// claim is a session advisory lock on a connection of its own, supervised
// by pings: the lease is lost when that connection fails, and the lock
// ends with the session if this process dies. It returns ErrWatcherLocked
// when someone else holds it, and otherwise only after leaseFence, when
// no earlier holder can still be writing.
func (s *Store) TryLockWatcher(ctx context.Context, n core.Network) (core.WatcherLease, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("connect watcher lock: %w", err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2))`, watcherLockClass, n.String()).Scan(&ok); err != nil {
		closeConn(ctx, conn)
		return nil, fmt.Errorf("try watcher lock: %w", err)
	}
	if !ok {
		closeConn(ctx, conn)
		return nil, core.ErrWatcherLocked
	}
	if _, err := conn.Exec(ctx, `SELECT set_config('application_name', $1, false)`, WatcherLockApplication(n)); err != nil {
		closeConn(ctx, conn)
		return nil, fmt.Errorf("name the watcher lock's connection: %w", err)
	}
	l := &lease{lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go l.hold(ctx, conn)
	fence := time.NewTimer(leaseFence)
	defer fence.Stop()
	select {
	case <-fence.C:
		return l, nil
	case <-l.lost:
		l.Release()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errLeaseLost
	}
}

// lease is a held watcher lock.
type lease struct {
	lost     chan struct{} // closed when the lease ends, whatever the reason
	stop     chan struct{} // closed by Release
	stopOnce sync.Once
	done     chan struct{} // closed once the lock's connection is closed
}

func (l *lease) Lost() <-chan struct{} { return l.lost }

func (l *lease) Release() {
	l.stopOnce.Do(func() { close(l.stop) })
	<-l.done
}

// hold pings conn until the lease is released, ctx ends or a ping fails.
// Lost closes first; closing the connection then ends the session and its
// lock (a dead connection's session the server ends by itself), which may
// take a while when the network is gone.
func (l *lease) hold(ctx context.Context, conn *pgx.Conn) {
	defer close(l.done)
	defer closeConn(ctx, conn)
	defer close(l.lost)
	t := time.NewTimer(leasePing)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, leasePingTimeout)
		err := conn.Ping(pctx)
		cancel()
		if err != nil {
			return
		}
		t.Reset(leasePing)
	}
}

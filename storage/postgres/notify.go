package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

// DepositChannel is the LISTEN/NOTIFY channel carrying the record number
// of every created or transitioned deposit ("*" after a bulk insert), so
// each open desktop can refresh what it shows.
const DepositChannel = "depositdesk_deposits"

// notifyDeposit queues a notification inside tx. Postgres delivers it only
// when tx commits, so listeners never see a change that rolled back.
func notifyDeposit(ctx context.Context, tx pgx.Tx, recordNo string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, DepositChannel, recordNo); err != nil {
		return fmt.Errorf("notify deposit change: %w", err)
	}
	return nil
}

// ListenDeposits calls fn with the record number of every deposit change
// committed by any desktop, until ctx ends (then it returns nil) or the
// connection fails. It holds its own connection, outside the pool.
func (s *Store) ListenDeposits(ctx context.Context, fn func(recordNo string)) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("connect listener: %w", err)
	}
	defer closeConn(ctx, conn)
	if _, err := conn.Exec(ctx, `LISTEN `+DepositChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if ctx.Err() != nil {
			return nil
		} else if err != nil {
			return fmt.Errorf("wait for notification: %w", err)
		}
		fn(n.Payload)
	}
}

// watcherLockClass namespaces the per-network watcher locks among
// advisory locks (the two-key form: class, hashtext(network)).
const watcherLockClass int32 = 0x64657020 // "dep "

// TryLockWatcher claims the right to run the chain watcher for network,
// so exactly one runs per network however many desktops are open. The
// claim is a session advisory lock on a connection of its own: it ends
// with release, or by itself if this process dies and its connection
// drops. It returns ErrWatcherLocked when someone else holds it.
func (s *Store) TryLockWatcher(ctx context.Context, n core.Network) (release func(), err error) {
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
	// Closing the session releases its advisory locks.
	return func() { closeConn(ctx, conn) }, nil
}

// closeConn closes a dedicated connection even when ctx has ended.
func closeConn(ctx context.Context, conn *pgx.Conn) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = conn.Close(cctx)
}

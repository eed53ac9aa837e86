package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DepositChannel is the LISTEN/NOTIFY channel carrying the record number
// of every created or transitioned deposit ("*" after a bulk insert), so
// each open desktop can refresh what it shows.
const DepositChannel = "depositdesk_deposits"

// notifyDepositQuery tells listening desks that a record changed; the
// server sends it at COMMIT.
const notifyDepositQuery = `SELECT pg_notify($1, $2)`

// notifyDeposit queues a notification inside tx. Postgres delivers it only
// when tx commits, so listeners never see a change that rolled back.
func notifyDeposit(ctx context.Context, tx pgx.Tx, recordNo string) error {
	if _, err := tx.Exec(ctx, notifyDepositQuery, DepositChannel, recordNo); err != nil {
		return fmt.Errorf("notify deposit change: %w", err)
	}
	return nil
}

// How ListenDeposits keeps its connection.
const (
	listenRetryMin = 100 * time.Millisecond // first wait after a failure, doubled after each further one
	listenRetryMax = 5 * time.Second
	// listenIdle is how long the listener waits for a notification before
	// it pings: a server that vanished without closing the connection (a
	// cut network) says nothing, and only a question finds out.
	listenIdle        = 15 * time.Second
	listenPingTimeout = 5 * time.Second
)

// ListenDeposits calls fn with the record number of every deposit change
// committed by any desktop until ctx ends, then returns nil. It holds a
// connection of its own, outside the pool. When that connection fails (a
// server restart, a cut network) it connects again, 100 ms after the first
// failure and twice as long after each further one up to 5 s, and once
// listening again calls fn("*"): anything may have changed while it was
// away, and notifications are not kept for absent listeners. Only a server
// that refuses this desk outright (its credentials, an unknown database)
// makes it give up and return that error.
func (s *Store) ListenDeposits(ctx context.Context, fn func(recordNo string)) error {
	retry := listenRetryMin
	for again := false; ; again = true {
		listened, err := s.listen(ctx, fn, again)
		switch {
		case ctx.Err() != nil:
			return nil
		case refused(err):
			return err
		case listened:
			retry = listenRetryMin
		}
		t := time.NewTimer(retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		retry = min(2*retry, listenRetryMax)
	}
}

// listen connects, listens and passes notifications to fn until the
// connection fails; listened says whether LISTEN took effect. After a
// reconnect fn first hears "*".
func (s *Store) listen(ctx context.Context, fn func(recordNo string), reconnect bool) (listened bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return false, fmt.Errorf("connect listener: %w", err)
	}
	defer closeConn(ctx, conn)
	if _, err := conn.Exec(ctx, `LISTEN `+DepositChannel); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	if reconnect {
		fn("*")
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, listenIdle)
		n, err := conn.WaitForNotification(wctx)
		idle := wctx.Err() != nil
		cancel()
		switch {
		case err == nil:
			fn(n.Payload)
		case ctx.Err() != nil:
			return true, nil
		case idle:
			pctx, cancel := context.WithTimeout(ctx, listenPingTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return true, fmt.Errorf("ping listener: %w", err)
			}
		default:
			return true, fmt.Errorf("wait for notification: %w", err)
		}
	}
}

// refused reports a server that will not take this desk's connection
// however often it is asked: invalid credentials (SQLSTATE class 28) or
// no such database (3D000).
func refused(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "28") || pe.Code == "3D000")
}

// closeConn closes a dedicated connection even when ctx has ended.
func closeConn(ctx context.Context, conn *pgx.Conn) {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	_ = conn.Close(cctx)
}

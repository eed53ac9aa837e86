package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestAFullStatementCacheRunsQueriesUnprepared(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "desk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	r := preparedReader{s}
	for i := range maxPrepared + 5 {
		var got int
		require.NoError(t, r.QueryRowContext(ctx, "SELECT "+strconv.Itoa(i)).Scan(&got))
		require.Equal(t, i, got)
	}
	rows, err := r.QueryContext(ctx, "SELECT 'past the cache'")
	require.NoError(t, err)
	require.True(t, rows.Next())
	require.NoError(t, rows.Close())
	require.Len(t, s.stmts.m, maxPrepared, "the cache holds what it can close, nothing more")
}

func TestReadConnectionsAreKeptBetweenReads(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "desk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	r := preparedReader{s}
	for range 20 {
		// readConns reads at once, each holding its connection until all
		// have one, then all released together.
		var rows [readConns]interface{ Close() error }
		for i := range readConns {
			rs, err := r.QueryContext(ctx, "SELECT 1")
			require.NoError(t, err)
			rows[i] = rs
		}
		for _, rs := range rows {
			require.NoError(t, rs.Close())
		}
	}
	st := s.read.Stats()
	require.Zero(t, st.MaxIdleClosed, "a released read connection was closed, so the next read opened a new one")
	require.Equal(t, readConns, st.OpenConnections)
}

func TestTheWALIsRestartedUnderSteadyReadsAndWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "desk.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	// Readers that never all pause, and a writer that never pauses: the
	// WAL is never entirely copied when the writer begins, so SQLite never
	// starts it over by itself, and it grew by the size of every commit
	// (40 MB/s under intake load).
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, _ = s.FindAudit(ctx, core.AuditFilter{Limit: 1})
				time.Sleep(time.Millisecond) // reads a few hundred a second each, as the intake's GETs
			}
		})
	}
	var writers sync.WaitGroup
	for w := range 8 {
		writers.Go(func() {
			for i := range 2500 {
				_ = s.AppendAudit(ctx, core.AuditEntry{At: time.Now(), Actor: "load", Action: "deposit.view", Entity: "deposit",
					EntityID: fmt.Sprintf("W%d-%d", w, i), Remarks: strings.Repeat("x", 400)})
				// Writes that keep coming but leave the writer idle now
				// and then, as under intake load: a writer busy without a
				// break starves the RESTART of the write lock.
				time.Sleep(300 * time.Microsecond)
			}
		})
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	fi, err := os.Stat(path + "-wal")
	require.NoError(t, err)
	// Past walRestartFrames a checkpoint starts it over: the file keeps its
	// largest size, that many pages plus what the writer added until a
	// restart found the readers done (without restarts: 190–290 MB here).
	require.Less(t, fi.Size(), int64(6*walRestartFrames*4096), "the WAL grew without bound")
}

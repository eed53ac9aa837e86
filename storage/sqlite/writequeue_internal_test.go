package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func openForQueue(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "desk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.withTx(context.Background(), func(tx *writeTx) error {
		_, err := tx.ExecContext(context.Background(), `CREATE TABLE queue_test (n INTEGER PRIMARY KEY)`)
		return err
	}))
	return s
}

func (q *writeQueue) state() (inFlight int, pending []*writeOp) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.inFlight, append([]*writeOp(nil), q.pending...)
}

// A caller writing one write after another finds the writer idle every
// time, its last write counted out before it was answered, so none of its
// writes waits for company (gatherWindow).
func TestWritesOneAfterAnotherNeverWaitForCompany(t *testing.T) {
	s := openForQueue(t)
	ctx := context.Background()
	for i := range 200 {
		require.NoError(t, s.withTx(ctx, func(tx *writeTx) error {
			inFlight, _ := s.writes.state()
			require.Equal(t, 1, inFlight, "write %d found another still in flight", i)
			_, err := tx.ExecContext(ctx, `INSERT INTO queue_test (n) VALUES (?)`, i)
			return err
		}))
	}
	inFlight, pending := s.writes.state()
	require.Zero(t, inFlight)
	require.Empty(t, pending)
}

// Writes that arrive while another is being committed wait for company
// and go into one transaction together; one that fails is rolled back
// alone and the others commit.
func TestWritesArrivingTogetherShareOneTransactionAndFailAlone(t *testing.T) {
	s := openForQueue(t)
	ctx := context.Background()
	hold, held := make(chan struct{}), make(chan struct{})
	blocker := make(chan error, 1)
	go func() {
		blocker <- s.withTx(ctx, func(*writeTx) error {
			close(held)
			<-hold
			return nil
		})
	}()
	<-held

	const writes = 20
	refused := errors.New("refused")
	var mu sync.Mutex
	txs := map[*writeTx]bool{}
	results := make(chan error, writes)
	for i := range writes {
		go func() {
			results <- s.withTx(ctx, func(tx *writeTx) error {
				mu.Lock()
				txs[tx] = true
				mu.Unlock()
				if _, err := tx.ExecContext(ctx, `INSERT INTO queue_test (n) VALUES (?)`, i); err != nil {
					return err
				}
				if i == 7 {
					return refused
				}
				return nil
			})
		}()
	}
	require.Eventually(t, func() bool { _, p := s.writes.state(); return len(p) == writes }, 10*time.Second, time.Millisecond)
	inFlight, pending := s.writes.state()
	require.Equal(t, writes+1, inFlight)
	for _, op := range pending {
		require.False(t, op.startBy.IsZero(), "a write queued behind another waits for company")
	}
	close(hold)
	require.NoError(t, <-blocker)

	var failed int
	for range writes {
		if err := <-results; err != nil {
			require.ErrorIs(t, err, refused)
			failed++
		}
	}
	require.Equal(t, 1, failed)
	require.Len(t, txs, 1, "the writes queued together were committed in one transaction")
	var n, seven int
	require.NoError(t, s.write.QueryRow(`SELECT count(*), count(*) FILTER (WHERE n = 7) FROM queue_test`).Scan(&n, &seven))
	require.Equal(t, writes-1, n)
	require.Zero(t, seven, "the refused write's row was rolled back with it")
}

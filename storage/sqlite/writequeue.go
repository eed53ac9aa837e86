package sqlite

import (
	"context"
	"fmt"
	"sync"
)

// writeQueue is the group commit of the one writer. Every write waits for
// the single writer connection anyway; instead of one transaction each,
// the writes that queue up while a transaction is being committed go into
// the next one together, each in its own savepoint, so a failing write is
// rolled back alone and the others commit. A caller returns only once its
// write is committed (or refused), exactly as with a transaction of its own;
// what it saves is a BEGIN and a COMMIT (the WAL append) per write, which
// under intake load is most of the writer's time.
type writeQueue struct {
	mu       sync.Mutex
	pending  []*writeOp
	flushing bool // a goroutine is draining pending
}

type writeOp struct {
	ctx  context.Context
	fn   func(*writeTx) error
	done chan error
}

// maxWriteBatch bounds one shared transaction so it stays short.
const maxWriteBatch = 64

func (q *writeQueue) run(ctx context.Context, s *Store, fn func(*writeTx) error) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	q.mu.Lock()
	q.pending = append(q.pending, op)
	if !q.flushing {
		q.flushing = true
		go q.flush(s)
	}
	q.mu.Unlock()
	// Not abandoned on cancellation: once queued, a write may be committed,
	// and its caller must not report it as failed.
	return <-op.done
}

func (q *writeQueue) flush(s *Store) {
	for {
		q.mu.Lock()
		n := min(len(q.pending), maxWriteBatch)
		if n == 0 {
			q.flushing = false
			q.mu.Unlock()
			return
		}
		batch := q.pending[:n:n]
		q.pending = q.pending[n:]
		q.mu.Unlock()
		s.commitBatch(batch)
	}
}

// commitBatch runs each write in a savepoint of one transaction and
// reports to each caller.
func (s *Store) commitBatch(batch []*writeOp) {
	ctx := context.Background()
	results := make([]error, len(batch))
	fail := func(err error) {
		for _, op := range batch {
			op.done <- err
		}
	}
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	defer sqlTx.Rollback()
	tx := &writeTx{Tx: sqlTx, s: s, shared: true}
	for i, op := range batch {
		if err := op.ctx.Err(); err != nil {
			results[i] = err // gave up while queued: nothing was written
			continue
		}
		if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT write_op`); err != nil {
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
		var head *auditHead
		if tx.head != nil {
			h := *tx.head
			head = &h
		}
		results[i] = op.fn(tx)
		undo := `RELEASE write_op`
		if results[i] != nil {
			undo = `ROLLBACK TO write_op; RELEASE write_op`
			tx.head = head // the rolled-back rows never joined the chain
		}
		if _, err := sqlTx.ExecContext(ctx, undo); err != nil {
			// SQLite rolled the whole transaction back (I/O error, full
			// disk): nothing of the batch is left to commit.
			fail(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := flushAuditHead(ctx, tx); err != nil {
		fail(err)
		return
	}
	if err := sqlTx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	if len(tx.missed) > 0 {
		s.prepareMissed(ctx, tx.missed)
	}
	for i, op := range batch {
		op.done <- results[i]
	}
}

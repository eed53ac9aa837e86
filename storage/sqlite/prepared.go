package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// maxPrepared bounds the statement cache; searches have at most a few
// hundred distinct statement texts (one per combination of filters).
const maxPrepared = 1024

// statements caches statements prepared on the read pool, so a search does
// not re-parse and re-plan its SQL on every call.
type statements struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
	w  map[string]*sql.Stmt // prepared on the writer's one connection
}

// prepared returns the cached statement of query, preparing it the first
// time; nil (and no error) once the cache is full, and the caller runs the
// query unprepared: a statement that is not cached would never be closed.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	if st, ok := s.stmts.m[query]; ok {
		return st, nil
	}
	if len(s.stmts.m) >= maxPrepared {
		return nil, nil
	}
	st, err := s.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if s.stmts.m == nil {
		s.stmts.m = map[string]*sql.Stmt{}
	}
	s.stmts.m[query] = st
	return st, nil
}

func (s *Store) closeStatements() {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	for _, st := range s.stmts.m {
		st.Close()
	}
	for _, st := range s.stmts.w {
		st.Close()
	}
	s.stmts.m, s.stmts.w = nil, nil
}

// writeTx is a write transaction. In the write queue its statements are
// prepared once on the writer's single connection and reused (parsing was
// a third of the writer's time, and the one writer bounds intake
// throughput); a statement seen for the first time runs unprepared and is
// prepared after commit, when the connection is free. Statements ignore
// their caller's cancellation: interrupting a write would roll back the
// whole shared transaction, other callers' writes included.
type writeTx struct {
	*sql.Tx
	s      *Store
	shared bool // in the write queue: cache statements, ignore cancellation
	missed []string
	head   *auditHead // nil until the first audit row of the transaction
}

func (tx *writeTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if !tx.shared {
		return nil
	}
	tx.s.stmts.mu.Lock()
	st, ok := tx.s.stmts.w[query]
	tx.s.stmts.mu.Unlock()
	if !ok {
		tx.missed = append(tx.missed, query)
		return nil
	}
	// Prepared on the writer's one connection, which this transaction
	// holds: database/sql reuses the statement instead of re-preparing.
	return tx.StmtContext(ctx, st)
}

func (tx *writeTx) ctx(ctx context.Context) context.Context {
	if tx.shared {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// prepareMissed prepares, once the writer's connection is free again, the
// statements a transaction ran unprepared.
func (s *Store) prepareMissed(ctx context.Context, queries []string) {
	for _, q := range queries {
		s.stmts.mu.Lock()
		_, ok := s.stmts.w[q]
		full := len(s.stmts.w) >= maxPrepared
		s.stmts.mu.Unlock()
		if ok || full {
			continue
		}
		st, err := s.write.PrepareContext(ctx, q)
		if err != nil {
			continue // the statement still runs unprepared next time
		}
		s.stmts.mu.Lock()
		if s.stmts.w == nil {
			s.stmts.w = map[string]*sql.Stmt{}
		}
		if _, ok := s.stmts.w[q]; ok {
			st.Close()
		} else {
			s.stmts.w[q] = st
		}
		s.stmts.mu.Unlock()
	}
}

// ExecContext runs query through a cached statement when there is one.
func (tx *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = tx.ctx(ctx)
	if st := tx.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs query through a cached statement when there is one.
func (tx *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = tx.ctx(ctx)
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query through a cached statement when there is one.
func (tx *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = tx.ctx(ctx)
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// preparedReader is a queryer that reads through cached statements.
type preparedReader struct{ s *Store }

func (r preparedReader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := r.s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return r.s.read.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (r preparedReader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := r.s.prepared(ctx, query)
	if err != nil || st == nil {
		return r.s.read.QueryRowContext(ctx, query, args...) // reports the same error through the row, or runs unprepared
	}
	return st.QueryRowContext(ctx, args...)
}

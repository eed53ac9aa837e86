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
}

func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	if st, ok := s.stmts.m[query]; ok {
		return st, nil
	}
	st, err := s.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if s.stmts.m == nil {
		s.stmts.m = map[string]*sql.Stmt{}
	}
	if len(s.stmts.m) < maxPrepared {
		s.stmts.m[query] = st
	}
	return st, nil
}

func (s *Store) closeStatements() {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	for _, st := range s.stmts.m {
		st.Close()
	}
	s.stmts.m = nil
}

// preparedReader is a queryer that reads through cached statements.
type preparedReader struct{ s *Store }

func (r preparedReader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := r.s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (r preparedReader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := r.s.prepared(ctx, query)
	if err != nil {
		return r.s.read.QueryRowContext(ctx, query, args...) // reports the same error through the row
	}
	return st.QueryRowContext(ctx, args...)
}

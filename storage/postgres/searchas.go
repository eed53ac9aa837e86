package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"depositdesk/core"
)

// FindDepositsAs implements core.OperatorSearcher: the operator's row goes
// to the server in one batch with the search's first statement, so the
// desk waits for the server once, as for the search alone, instead of
// once for the operator and once more for the search.
func (s *Store) FindDepositsAs(ctx context.Context, operatorID int64, f core.DepositFilter) (*core.Operator, core.DepositPage, error) {
	q := &withOperator{pool: s.pool, id: operatorID}
	page, err := findDeposits(ctx, q, f)
	if err == nil && !q.sent {
		err = fmt.Errorf("find deposits: the search sent no statement to read the operator with")
	}
	return q.op, page, err
}

// CountDepositsAs implements core.OperatorSearcher as FindDepositsAs does,
// on the pool CountDeposits would use.
func (s *Store) CountDepositsAs(ctx context.Context, operatorID int64, f core.DepositFilter, limit int) (*core.Operator, int, bool, error) {
	query, args, several := countQuery(f, limit)
	q := &withOperator{pool: s.countPool(several), id: operatorID}
	n, more, err := countDeposits(ctx, q, query, args, limit)
	return q.op, n, more, err
}

// withOperator is a querier that sends its first statement in one batch
// (pipelined: one round trip) after the read of operator id, and keeps the
// operator (nil when there is none); later statements go as usual.
type withOperator struct {
	pool *pgxpool.Pool
	id   int64
	sent bool
	op   *core.Operator
}

func (q *withOperator) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if q.sent {
		return q.pool.Query(ctx, sql, args...)
	}
	q.sent = true
	b := &pgx.Batch{}
	b.Queue(`SELECT `+operatorColumns+` FROM operators WHERE id = $1`, q.id)
	b.Queue(sql, args...)
	br := q.pool.SendBatch(ctx, b)
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, fmt.Errorf("find operators: %w", err)
	}
	ops, err := scanOperators(rows)
	if err != nil {
		br.Close()
		return nil, err
	}
	if len(ops) > 0 {
		q.op = ops[0]
	}
	if rows, err = br.Query(); err != nil {
		br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (q *withOperator) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := q.Query(ctx, sql, args...)
	return batchRow{rows, err}
}

// batchRows are the rows of a batch's last statement; closing them ends
// the batch and gives its connection back to the pool.
type batchRows struct {
	pgx.Rows
	br  pgx.BatchResults
	err error
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if err := r.br.Close(); err != nil && r.err == nil {
		r.err = err
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// batchRow is QueryRow's pgx.Row over Query's rows.
type batchRow struct {
	rows pgx.Rows
	err  error
}

func (r batchRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

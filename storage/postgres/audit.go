package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"depositdesk/core"
)

// auditColumns are audit_log's columns in the order rows are written.
var auditColumns = []string{"seq", "at", "actor", "action", "entity", "entity_id", "before", "after", "remarks", "prev_hash", "hash"}

// auditHead is the chain's last row as a transaction holding its lock sees it.
type auditHead struct {
	seq  int64
	hash string
}

// lockAuditHead reads the head and locks it until tx ends. The row lock
// serialises appenders across every connected desktop.
func lockAuditHead(ctx context.Context, tx pgx.Tx) (*auditHead, error) {
	var h auditHead
	return &h, scanAuditHead(tx.QueryRow(ctx, auditHeadQuery), &h)
}

const auditHeadQuery = `SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE`

func scanAuditHead(r pgx.Row, h *auditHead) error {
	err := r.Scan(&h.seq, &h.hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return core.ErrAuditHeadMissing
	} else if err != nil {
		return fmt.Errorf("lock audit head: %w", err)
	}
	return nil
}

// queueLockAuditHead is lockAuditHead as the last statement of a caller's
// batch, so taking the lock costs no round trip of its own; h is set when
// the batch has run.
func queueLockAuditHead(b *pgx.Batch, h *auditHead) {
	b.Queue(auditHeadQuery).QueryRow(func(r pgx.Row) error { return scanAuditHead(r, h) })
}

// appendAudit seals e onto the hash chain inside tx. Every appender in
// every desk waits for the head's row lock, so the lock is held for as few
// round trips as the chain allows: callers append last, just before COMMIT
// (anything else they send goes before), the head is read and locked in one
// statement, and the row and the head's advance go in one pipelined batch
// (writeAudit). The hash needs the previous one, so the read cannot join
// that batch; with the COMMIT that is three round trips under the lock,
// where it was five.
func appendAudit(ctx context.Context, tx pgx.Tx, e core.AuditEntry) error {
	h, err := lockAuditHead(ctx, tx)
	if err != nil {
		return err
	}
	return writeAudit(ctx, tx, h, e)
}

// writeAudit seals e after h, the head tx holds locked, and writes the row
// and the head's advance in one batch.
func writeAudit(ctx context.Context, tx pgx.Tx, h *auditHead, e core.AuditEntry) error {
	b := &pgx.Batch{}
	queueWriteAudit(b, h, &e)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("append audit row %d: %w", e.Seq, err)
	}
	return nil
}

// queueWriteAudit seals e after h and queues its row and the head's advance.
func queueWriteAudit(b *pgx.Batch, h *auditHead, e *core.AuditEntry) {
	e.Seal(h.seq+1, h.hash)
	b.Queue(`INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, remarks, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.Seq, e.At, e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.Remarks, e.PrevHash, e.Hash)
	b.Queue(`UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1`, e.Seq, e.Hash)
}

// AppendAudit implements core.Store for a row that is its transaction's
// only write (every API read writes one): BEGIN and the head's lock go in
// one batch, the row, the head's advance and COMMIT in a second, so the
// lock is held for one round trip.
func (s *Store) AppendAudit(ctx context.Context, e core.AuditEntry) error {
	return s.pipelinedTx(ctx, func(conn *pgxpool.Conn) error {
		var h auditHead
		b := &pgx.Batch{}
		b.Queue(`BEGIN`)
		queueLockAuditHead(b, &h)
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		b = &pgx.Batch{}
		queueWriteAudit(b, &h, &e)
		b.Queue(`COMMIT`)
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("append audit row %d: %w", e.Seq, err)
		}
		return nil
	})
}

// FindAudit implements core.Store.
func (s *Store) FindAudit(ctx context.Context, f core.AuditFilter) ([]*core.AuditEntry, error) {
	w := newWhere()
	w.add("seq > ?", f.AfterSeq)
	if f.Entity != nil {
		w.add("entity = ?", *f.Entity)
	}
	if f.EntityID != nil {
		w.add("entity_id = ?", *f.EntityID)
	}
	q := `SELECT seq, at, actor, action, entity, entity_id, before, after, remarks, prev_hash, hash FROM audit_log WHERE ` + w.sql() + ` ORDER BY seq`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.pool.Query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("find audit: %w", err)
	}
	defer rows.Close()
	var out []*core.AuditEntry
	for rows.Next() {
		var e core.AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.Remarks, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("scan audit: %w", err)
		}
		e.At = e.At.UTC()
		out = append(out, &e)
	}
	return out, rows.Err()
}

// where builds a conjunction with numbered placeholders: conditions are
// written with "?" and numbered as they are added.
type where struct {
	conds []string
	args  []any
}

func newWhere() *where { return &where{} }

func (w *where) add(cond string, vals ...any) {
	for _, v := range vals {
		w.args = append(w.args, v)
		cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "true"
	}
	return strings.Join(w.conds, " AND ")
}

// set builds an UPDATE's SET list the same way.
func (w *where) set() string { return strings.Join(w.conds, ", ") }

// AuditState implements core.Store.
func (s *Store) AuditState(ctx context.Context) (core.AuditState, error) {
	var st core.AuditState
	err := s.pool.QueryRow(ctx, `SELECT
		COALESCE((SELECT last_seq FROM audit_head WHERE id = 1), -1), COALESCE((SELECT last_hash FROM audit_head WHERE id = 1), ''),
		count(*), COALESCE(min(seq), 0), COALESCE(max(seq), 0) FROM audit_log`).Scan(&st.HeadSeq, &st.HeadHash, &st.Rows, &st.MinSeq, &st.MaxSeq)
	if err != nil {
		return st, fmt.Errorf("audit state: %w", err)
	}
	return st, nil
}

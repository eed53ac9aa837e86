package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"depositdesk/core"
)

// appendAudit seals e onto the hash chain and writes it, inside tx. The
// single writer connection serialises appenders, so reading the head and
// advancing it cannot interleave. The transaction reads the head once and
// writes it back once, before it commits (flushAuditHead): a shared
// transaction appends dozens of rows.
func appendAudit(ctx context.Context, tx *writeTx, e core.AuditEntry) error {
	if err := loadAuditHead(ctx, tx); err != nil {
		return err
	}
	e.Seal(tx.head.seq+1, tx.head.hash)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, remarks, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, micros(e.At), e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.Remarks, e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("insert audit row: %w", err)
	}
	tx.head.seq, tx.head.hash, tx.head.dirty = e.Seq, e.Hash, true
	return nil
}

// loadAuditHead reads the head into the transaction once.
func loadAuditHead(ctx context.Context, tx *writeTx) error {
	if tx.head != nil {
		return nil
	}
	var h auditHead
	err := tx.QueryRowContext(ctx, `SELECT last_seq, last_hash FROM audit_head WHERE id = 1`).Scan(&h.seq, &h.hash)
	if errors.Is(err, sql.ErrNoRows) {
		return core.ErrAuditHeadMissing
	} else if err != nil {
		return fmt.Errorf("read audit head: %w", err)
	}
	tx.head = &h
	return nil
}

// auditHead is a transaction's copy of the audit_head row.
type auditHead struct {
	seq   int64
	hash  string
	dirty bool // advanced since it was read
}

// flushAuditHead writes the transaction's head back before commit.
func flushAuditHead(ctx context.Context, tx *writeTx) error {
	if tx.head == nil || !tx.head.dirty {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1`, tx.head.seq, tx.head.hash); err != nil {
		return fmt.Errorf("advance audit head: %w", err)
	}
	tx.head.dirty = false
	return nil
}

// AppendAudit implements core.Store.
func (s *Store) AppendAudit(ctx context.Context, e core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error { return appendAudit(ctx, tx, e) })
}

// FindAudit implements core.Store.
func (s *Store) FindAudit(ctx context.Context, f core.AuditFilter) ([]*core.AuditEntry, error) {
	where, args := []string{"seq > ?"}, []any{f.AfterSeq}
	if f.Entity != nil {
		where, args = append(where, "entity = ?"), append(args, *f.Entity)
	}
	if f.EntityID != nil {
		where, args = append(where, "entity_id = ?"), append(args, *f.EntityID)
	}
	q := `SELECT seq, at, actor, action, entity, entity_id, before, after, remarks, prev_hash, hash
		FROM audit_log WHERE ` + strings.Join(where, " AND ") + ` ORDER BY seq`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := preparedReader{s}.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find audit: %w", err)
	}
	defer rows.Close()
	var out []*core.AuditEntry
	for rows.Next() {
		var e core.AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.Remarks, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("scan audit: %w", err)
		}
		e.At = fromMicros(at)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// AuditState implements core.Store.
func (s *Store) AuditState(ctx context.Context) (core.AuditState, error) {
	var st core.AuditState
	err := preparedReader{s}.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT last_seq FROM audit_head WHERE id = 1), -1), COALESCE((SELECT last_hash FROM audit_head WHERE id = 1), ''),
		count(*), COALESCE(min(seq), 0), COALESCE(max(seq), 0) FROM audit_log`).Scan(&st.HeadSeq, &st.HeadHash, &st.Rows, &st.MinSeq, &st.MaxSeq)
	if err != nil {
		return st, fmt.Errorf("audit state: %w", err)
	}
	return st, nil
}

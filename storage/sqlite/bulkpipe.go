package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"iter"

	"depositdesk/core"
)

// bulkBatch is up to bulkRows records and their sealed audit rows, as the
// values their INSERTs bind.
type bulkBatch struct {
	rows     int
	deposits []any
	audit    []any
	seq      int64  // the chain's head after this batch
	hash     string // its hash
}

// bulkInFlight is how many batches exist at once: one being written, the
// rest being filled or waiting. More would only hold memory: the writer is
// the slower side.
const bulkInFlight = 4

// insertBatches writes recs bulkRows at a time, each batch followed by its
// records' audit rows sealed onto the chain, and returns how many it wrote.
// Two goroutines share the work so that a second core helps: one draws the
// records from recs (the seed's generator), checks them, seals their audit
// rows in order and turns both into bind values; this one, the
// transaction's, only binds and steps the prepared INSERTs. The chain stays
// one sequence: only the producer seals, batch after batch, starting from
// the head the transaction read, and batches are written in the order they
// were sealed.
func insertBatches(ctx context.Context, tx *writeTx, recs iter.Seq[*core.DepositRecord], audit func(*core.DepositRecord) core.AuditEntry) (int, error) {
	fullDeposits, err := tx.PrepareContext(ctx, bulkInsertSQL(bulkRows))
	if err != nil {
		return 0, fmt.Errorf("prepare bulk insert: %w", err)
	}
	defer fullDeposits.Close()
	fullAudit, err := tx.PrepareContext(ctx, auditInsertSQL(bulkRows))
	if err != nil {
		return 0, fmt.Errorf("prepare audit insert: %w", err)
	}
	defer fullAudit.Close()

	pctx, stop := context.WithCancel(ctx)
	defer stop()
	free := make(chan *bulkBatch, bulkInFlight)
	for range bulkInFlight {
		free <- &bulkBatch{deposits: make([]any, 0, bulkRows*bulkColumns), audit: make([]any, 0, bulkRows*auditColumns)}
	}
	full := make(chan *bulkBatch, bulkInFlight)
	var produceErr error
	go func() {
		defer close(full)
		produceErr = produceBatches(pctx, recs, audit, tx.head.seq, tx.head.hash, free, full)
	}()

	total := 0
	var writeErr error
	for b := range full {
		if writeErr == nil {
			if writeErr = writeBatch(ctx, tx, b, fullDeposits, fullAudit); writeErr != nil {
				// Stop the producer; the loop drains what it already sent.
				stop()
			} else {
				total += b.rows
				tx.head.seq, tx.head.hash, tx.head.dirty = b.seq, b.hash, true
			}
		}
		free <- b
	}
	switch {
	case writeErr != nil:
		return 0, writeErr
	case produceErr != nil:
		return 0, produceErr
	}
	return total, ctx.Err()
}

// produceBatches fills batches from free with recs and their audit rows
// sealed after (seq, hash), and sends each on full.
func produceBatches(ctx context.Context, recs iter.Seq[*core.DepositRecord], audit func(*core.DepositRecord) core.AuditEntry,
	seq int64, hash string, free <-chan *bulkBatch, full chan<- *bulkBatch) error {
	var b *bulkBatch
	take := func() error {
		select {
		case b = <-free:
			b.rows, b.deposits, b.audit = 0, b.deposits[:0], b.audit[:0]
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	send := func() error {
		b.seq, b.hash = seq, hash
		select {
		case full <- b:
			b = nil
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for d := range recs {
		if b == nil {
			if err := take(); err != nil {
				return err
			}
		}
		if err := core.ValidateRecordNo(d.RecordNo); err != nil {
			return err
		}
		b.deposits = append(b.deposits, d.RecordNo, nullable(d.ClientRequestKey), d.RequestHash, d.CustomerID, d.CustomerNo,
			d.SecuritiesAccount, d.AssetID, d.Network, d.Amount.String(), d.SourceAddress, d.DestinationAddress,
			nullable(d.TxID), d.TxIndex, micros(d.RequestedAt), micros(d.CreatedAt), micros(d.UpdatedAt),
			string(d.Status), d.Confirmations, d.ConfirmationsRequired, d.BlockHash, d.BlockHeight, d.Remarks)
		e := audit(d)
		e.Seal(seq+1, hash)
		seq, hash = e.Seq, e.Hash
		b.audit = append(b.audit, e.Seq, micros(e.At), e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.Remarks, e.PrevHash, e.Hash)
		if b.rows++; b.rows == bulkRows {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if b != nil {
		return send()
	}
	return ctx.Err()
}

// writeBatch inserts one batch's records, then their audit rows; a short
// (last) batch prepares statements of its own size.
func writeBatch(ctx context.Context, tx *writeTx, b *bulkBatch, fullDeposits, fullAudit *sql.Stmt) error {
	deposits, auditRows := fullDeposits, fullAudit
	if b.rows != bulkRows {
		var err error
		if deposits, err = tx.PrepareContext(ctx, bulkInsertSQL(b.rows)); err != nil {
			return fmt.Errorf("prepare bulk insert: %w", err)
		}
		defer deposits.Close()
		if auditRows, err = tx.PrepareContext(ctx, auditInsertSQL(b.rows)); err != nil {
			return fmt.Errorf("prepare audit insert: %w", err)
		}
		defer auditRows.Close()
	}
	if _, err := deposits.ExecContext(ctx, b.deposits...); err != nil {
		return conflict(err, "A seeded record duplicates another record's number, request key or live transaction.")
	}
	if _, err := auditRows.ExecContext(ctx, b.audit...); err != nil {
		return fmt.Errorf("insert audit rows: %w", err)
	}
	return nil
}

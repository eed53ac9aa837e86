package postgres

import (
	"context"
	"fmt"
	"iter"
	"strconv"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

var bulkColumns = []string{"record_no", "client_request_key", "request_hash", "customer_id", "customer_no",
	"securities_account", "asset_id", "network", "amount", "source_address", "destination_address", "txid", "tx_index",
	"requested_at", "created_at", "updated_at", "status", "confirmations", "confirmations_required", "block_hash",
	"block_height", "remarks"}

// bulkChunk is how many records each pair of COPYs (records, then their
// audit rows) carries: the audit rows are sealed in order, so a chunk is
// held in memory, never the whole seed.
const bulkChunk = 10_000

// BulkInsertDeposits implements core.Store with COPYs of bulkChunk records
// and their audit rows, in one transaction. It then moves each day's
// record-number allocator past the highest number it stored, so
// CreateDeposit never hands out a seeded number.
func (s *Store) BulkInsertDeposits(ctx context.Context, recs iter.Seq[*core.DepositRecord], audit func(*core.DepositRecord) core.AuditEntry) (int, error) {
	var n int
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		// Allocation waits until the seed commits: a CreateDeposit holding a
		// day's counter row while the COPY waits on its record number (and
		// the other way round) would otherwise deadlock.
		if _, err := tx.Exec(ctx, `LOCK TABLE record_no_seq IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock record numbers: %w", err)
		}
		head, err := lockAuditHead(ctx, tx)
		if err != nil {
			return err
		}
		maxPerDay := map[string]int64{}
		chunk := make([]*core.DepositRecord, 0, bulkChunk)
		flush := func() error {
			if err := copyDeposits(ctx, tx, chunk); err != nil {
				return err
			}
			if err := copyAudit(ctx, tx, head, chunk, audit); err != nil {
				return err
			}
			n += len(chunk)
			chunk = chunk[:0]
			return nil
		}
		for d := range recs {
			if err := trackRecordNo(maxPerDay, d.RecordNo); err != nil {
				return err
			}
			if chunk = append(chunk, d); len(chunk) == bulkChunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if n > 0 {
			if _, err := tx.Exec(ctx, `UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1`, head.seq, head.hash); err != nil {
				return fmt.Errorf("advance audit head: %w", err)
			}
		}
		for day, last := range maxPerDay {
			if _, err := tx.Exec(ctx, `INSERT INTO record_no_seq (day, last) VALUES ($1, $2)
				ON CONFLICT (day) DO UPDATE SET last = greatest(record_no_seq.last, excluded.last)`, day, last); err != nil {
				return fmt.Errorf("advance record numbers: %w", err)
			}
		}
		return notifyDeposit(ctx, tx, "*")
	})
	if err != nil {
		return 0, err
	}
	// Fresh statistics, so the first searches pick the selective index
	// instead of guessing from an empty table; and a visibility map, which
	// a bulk load leaves empty until autovacuum passes: without it a
	// capped count of one asset's records (10,001 index entries) was
	// planned as a sequential scan, 20–37 ms at a million records, instead
	// of an index-only scan (1 ms). Neither runs inside a transaction.
	if _, err := s.pool.Exec(ctx, `VACUUM (ANALYZE) deposits`); err != nil {
		return n, fmt.Errorf("vacuum deposits after the bulk insert: %w", err)
	}
	return n, nil
}

// copyDeposits writes one chunk of records.
func copyDeposits(ctx context.Context, tx pgx.Tx, chunk []*core.DepositRecord) error {
	if len(chunk) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"deposits"}, bulkColumns, pgx.CopyFromSlice(len(chunk), func(i int) ([]any, error) {
		d := chunk[i]
		return []any{d.RecordNo, nullable(d.ClientRequestKey), d.RequestHash, d.CustomerID, d.CustomerNo, d.SecuritiesAccount,
			d.AssetID, d.Network, d.Amount.String(), d.SourceAddress, d.DestinationAddress, nullable(d.TxID), d.TxIndex,
			d.RequestedAt, d.CreatedAt, d.UpdatedAt, string(d.Status), d.Confirmations, d.ConfirmationsRequired,
			d.BlockHash, d.BlockHeight, d.Remarks}, nil
	}))
	switch {
	case isUnique(err):
		return core.Errorf(core.ECONFLICT, "A seeded record duplicates %s.", duplicateDeposit(err))
	case err != nil:
		return invalid(fmt.Errorf("copy deposits: %w", err))
	}
	return nil
}

// copyAudit seals one chunk's audit rows onto the chain after head and
// writes them, advancing head.
func copyAudit(ctx context.Context, tx pgx.Tx, head *auditHead, chunk []*core.DepositRecord, audit func(*core.DepositRecord) core.AuditEntry) error {
	if len(chunk) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_log"}, auditColumns, pgx.CopyFromSlice(len(chunk), func(i int) ([]any, error) {
		e := audit(chunk[i])
		e.Seal(head.seq+1, head.hash)
		head.seq, head.hash = e.Seq, e.Hash
		return []any{e.Seq, e.At, e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.Remarks, e.PrevHash, e.Hash}, nil
	}))
	if err != nil {
		return fmt.Errorf("copy audit rows: %w", err)
	}
	return nil
}

// trackRecordNo checks a seeded record number and keeps the highest
// number per day prefix ("D20261125-").
func trackRecordNo(maxPerDay map[string]int64, recordNo string) error {
	if err := core.ValidateRecordNo(recordNo); err != nil {
		return err
	}
	day := recordNo[:len("D20261125-")]
	seq, err := strconv.ParseInt(recordNo[len(day):], 10, 64)
	if err != nil {
		return core.Errorf(core.EINVALID, "Record number %s is out of range.", recordNo)
	}
	maxPerDay[day] = max(maxPerDay[day], seq)
	return nil
}

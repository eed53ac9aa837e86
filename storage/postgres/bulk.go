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

// BulkInsertDeposits implements core.Store with one COPY streamed from
// recs, in one transaction. It then moves each day's record-number
// allocator past the highest number it stored, so CreateDeposit never hands
// out a seeded number.
func (s *Store) BulkInsertDeposits(ctx context.Context, recs iter.Seq[*core.DepositRecord], audit core.AuditEntry) (int, error) {
	var n int64
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		// Allocation waits until the seed commits: a CreateDeposit holding a
		// day's counter row while the COPY waits on its record number (and
		// the other way round) would otherwise deadlock.
		if _, err := tx.Exec(ctx, `LOCK TABLE record_no_seq IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock record numbers: %w", err)
		}
		next, stop := iter.Pull(recs)
		defer stop()
		maxPerDay := map[string]int64{}
		// The server answers an aborted COPY with its own error; keep ours.
		var badRecord error
		var err error
		n, err = tx.CopyFrom(ctx, pgx.Identifier{"deposits"}, bulkColumns, pgx.CopyFromFunc(func() ([]any, error) {
			d, ok := next()
			if !ok {
				return nil, nil
			}
			if badRecord = trackRecordNo(maxPerDay, d.RecordNo); badRecord != nil {
				return nil, badRecord
			}
			return []any{d.RecordNo, nullable(d.ClientRequestKey), d.RequestHash, d.CustomerID, d.CustomerNo, d.SecuritiesAccount,
				d.AssetID, d.Network, d.Amount.String(), d.SourceAddress, d.DestinationAddress, nullable(d.TxID), d.TxIndex,
				d.RequestedAt, d.CreatedAt, d.UpdatedAt, string(d.Status), d.Confirmations, d.ConfirmationsRequired,
				d.BlockHash, d.BlockHeight, d.Remarks}, nil
		}))
		switch {
		case badRecord != nil:
			return badRecord
		case isUnique(err):
			return core.Errorf(core.ECONFLICT, "A seeded record duplicates %s.", duplicateDeposit(err))
		case err != nil:
			return invalid(fmt.Errorf("copy deposits: %w", err))
		}
		for day, last := range maxPerDay {
			if _, err := tx.Exec(ctx, `INSERT INTO record_no_seq (day, last) VALUES ($1, $2)
				ON CONFLICT (day) DO UPDATE SET last = greatest(record_no_seq.last, excluded.last)`, day, last); err != nil {
				return fmt.Errorf("advance record numbers: %w", err)
			}
		}
		if err := appendAudit(ctx, tx, audit); err != nil {
			return err
		}
		if err := notifyDeposit(ctx, tx, "*"); err != nil {
			return err
		}
		// Fresh statistics, so the first searches after seeding already pick
		// the selective index instead of guessing from an empty table.
		if _, err := tx.Exec(ctx, `ANALYZE deposits`); err != nil {
			return fmt.Errorf("analyze deposits: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
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

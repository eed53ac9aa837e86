package sqlite

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"depositdesk/core"
)

// bulkRows is how many records one INSERT statement carries: large enough
// to amortise statement overhead, small enough for SQLite's variable limit.
const bulkRows = 500

const bulkColumns = 22

// rebuildBelow: when deposits holds fewer rows than this, a bulk insert
// drops the table's secondary indexes and builds them again afterwards.
// Building an index sorts once; maintaining ten indexes with random keys
// (txids, request keys, customers) row by row thrashes the page cache: at
// 1M records over three minutes against about one (docs/storage.md). Into
// a big table the rebuild would cost more than it saves, so rows go in
// through the indexes.
const rebuildBelow = 100_000

// Page cache of the writer while it seeds (KiB; PRAGMA cache_size takes it
// negated): a 1M-record table (~670 MB with its indexes) stays in memory
// instead of spilling to the WAL and being read back for every index
// build; with 256 MiB seeding 300k records took twice as long. Everyday
// writes go back to the DSN's 64 MiB.
const (
	bulkCacheKiB   = 1 << 20
	normalCacheKiB = 64 << 10
)

// BulkInsertDeposits implements core.Store for seeding: one transaction,
// records streamed from recs into multi-row prepared INSERTs, then
// record_no_seq is moved past every number inserted, per day, so that
// CreateDeposit continues after them.
func (s *Store) BulkInsertDeposits(ctx context.Context, recs iter.Seq[*core.DepositRecord], audit func(*core.DepositRecord) core.AuditEntry) (int, error) {
	var n int
	// Set before the transaction: SQLite refuses to change temp_store inside
	// one once the connection has opened its temporary database (a migration
	// that drops a column does). threads: index builds may sort on a helper
	// thread (a second core).
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d; PRAGMA threads = 2; PRAGMA temp_store = MEMORY`, bulkCacheKiB)); err != nil {
		return 0, fmt.Errorf("bulk insert: %w", err)
	}
	err := s.withOwnTx(ctx, func(tx *writeTx) error {
		var firstID, existing int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) + 1, count(*) FROM deposits`).Scan(&firstID, &existing); err != nil {
			return fmt.Errorf("bulk insert: %w", err)
		}
		var rebuild []string
		if existing < rebuildBelow {
			var err error
			if rebuild, err = dropIndexes(ctx, tx, "deposits"); err != nil {
				return err
			}
		}
		var err error
		if n, err = insertBatches(ctx, tx, recs, audit); err != nil {
			return err
		}
		for _, ddl := range rebuild {
			if _, err := tx.ExecContext(ctx, ddl); err != nil {
				return conflict(err, "A seeded record duplicates another record's number, request key or live transaction.")
			}
		}
		// Only this call's rows: rowids are assigned ascending past the maximum.
		if _, err := tx.ExecContext(ctx, `INSERT INTO record_no_seq (day, last)
			SELECT substr(record_no, 1, 10), max(CAST(substr(record_no, 11) AS INTEGER)) FROM deposits
			WHERE id >= ? GROUP BY substr(record_no, 1, 10) ORDER BY 1
			ON CONFLICT (day) DO UPDATE SET last = max(last, excluded.last)`, firstID); err != nil {
			return fmt.Errorf("advance record numbers: %w", err)
		}
		return nil
	})
	// The single writer connection is the one that seeded: shrink its cache back.
	if _, cerr := s.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d; PRAGMA threads = 0; PRAGMA temp_store = DEFAULT`, normalCacheKiB)); cerr != nil && err == nil {
		err = fmt.Errorf("bulk insert: %w", cerr)
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// dropIndexes drops every explicit index of table and returns the
// statements that create them again, read from the schema itself so the
// migration stays their only definition.
func dropIndexes(ctx context.Context, tx *writeTx, table string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, table)
	if err != nil {
		return nil, fmt.Errorf("list %s indexes: %w", table, err)
	}
	defer rows.Close()
	var names, ddl []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			return nil, fmt.Errorf("list %s indexes: %w", table, err)
		}
		names, ddl = append(names, name), append(ddl, create)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s indexes: %w", table, err)
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return ddl, nil
}

// insertBatches writes recs bulkRows at a time, each batch followed by its
// records' audit rows sealed onto the chain, and returns how many it wrote.
func insertBatches(ctx context.Context, tx *writeTx, recs iter.Seq[*core.DepositRecord], audit func(*core.DepositRecord) core.AuditEntry) (int, error) {
	full, err := tx.PrepareContext(ctx, bulkInsertSQL(bulkRows))
	if err != nil {
		return 0, fmt.Errorf("prepare bulk insert: %w", err)
	}
	defer full.Close()
	args := make([]any, 0, bulkRows*bulkColumns)
	entries := make([]core.AuditEntry, 0, bulkRows)
	rows, total := 0, 0
	flush := func() error {
		stmt := full
		if rows != bulkRows {
			if stmt, err = tx.PrepareContext(ctx, bulkInsertSQL(rows)); err != nil {
				return fmt.Errorf("prepare bulk insert: %w", err)
			}
			defer stmt.Close()
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return conflict(err, "A seeded record duplicates another record's number, request key or live transaction.")
		}
		if err := appendAuditBatch(ctx, tx, entries); err != nil {
			return err
		}
		total += rows
		rows, args, entries = 0, args[:0], entries[:0]
		return nil
	}
	for d := range recs {
		if err := core.ValidateRecordNo(d.RecordNo); err != nil {
			return 0, err
		}
		args = append(args, d.RecordNo, nullable(d.ClientRequestKey), d.RequestHash, d.CustomerID, d.CustomerNo,
			d.SecuritiesAccount, d.AssetID, d.Network, d.Amount.String(), d.SourceAddress, d.DestinationAddress,
			nullable(d.TxID), d.TxIndex, micros(d.RequestedAt), micros(d.CreatedAt), micros(d.UpdatedAt),
			string(d.Status), d.Confirmations, d.ConfirmationsRequired, d.BlockHash, d.BlockHeight, d.Remarks)
		entries = append(entries, audit(d))
		if rows++; rows == bulkRows {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if rows > 0 {
		if err := flush(); err != nil {
			return 0, err
		}
	}
	return total, ctx.Err()
}

func bulkInsertSQL(rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", bulkColumns), ", ") + ")"
	return `INSERT INTO deposits (record_no, client_request_key, request_hash, customer_id, customer_no, securities_account,
		asset_id, network, amount, source_address, destination_address, txid, tx_index, requested_at, created_at, updated_at,
		status, confirmations, confirmations_required, block_hash, block_height, remarks) VALUES ` +
		strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}
